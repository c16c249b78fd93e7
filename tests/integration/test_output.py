"""Output contract across commands, against a real server: -o none (issue 17 item 9), table
width on and off a terminal (item 8)."""

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
import unittest

from faults import unused_port
from harness import RCTL, ServerTestCase, rctl


def run_on_pty(args, columns=None, tty_columns=0, timeout=20):
    """Runs rctl with stdout and stderr on a pseudo-terminal `tty_columns` wide (COLUMNS set
    to `columns` when given); returns (exit code, text)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, tty_columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDIS") and k != "COLUMNS"}
    env["NO_COLOR"] = "1"
    if columns:
        env["COLUMNS"] = str(columns)
    proc = subprocess.Popen([RCTL, *[str(a) for a in args]], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, env=env)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    code = proc.wait(timeout=5)
    return code, b"".join(chunks).decode().replace("\r\n", "\n")


class OutputNone(ServerTestCase):
    def target(self):
        return ["-p", self.server.port]

    def assertSilent(self, out, code):
        self.assertExit(out, code)
        self.assertEqual(out.stdout, "", out.stdout)

    def test_none_prints_nothing_and_keeps_the_exit_code(self):
        self.r.set("app:1", "x")
        for args in (("health",), ("stats",), ("cache", "get", "app:1"), ("cache", "keys", "app:"),
                     ("cache", "set", "app:2", "y"), ("cache", "ttl", "app:1"),
                     ("cache", "invalidate", "app:", "--dry-run"), ("test", "--only", "strings"),
                     ("completion", "bash")):
            with self.subTest(args=args):
                self.assertSilent(rctl(*args, "-o", "none", *self.target()), 0)
        self.assertEqual(self.r.get("app:2"), b"y")
        # Failures keep their exit code and their message on stderr; stdout stays empty.
        out = rctl("cache", "get", "missing", "-o", "none", *self.target())
        self.assertSilent(out, 5)
        self.assertIn("do not exist", out.stderr)
        self.assertSilent(rctl("health", "-o", "none", "-p", unused_port()), 3)
        # -q still means quiet stderr, independent of -o.
        out = rctl("cache", "keys", "app:*", "-o", "none", "-q", *self.target())
        self.assertSilent(out, 0)
        self.assertEqual(out.stderr, "")


class TableWidth(ServerTestCase):
    long_key = "app:" + "x" * 196

    def setUp(self):
        super().setUp()
        self.r.set(self.long_key, "v")

    def test_off_a_tty_nothing_is_cut(self):
        out = rctl("cache", "keys", "app:", "-p", self.server.port)
        self.assertExit(out, 0)
        self.assertIn(self.long_key, out.stdout)
        self.assertNotIn("…", out.stdout)
        # The --dry-run sample one reviews before deleting is shown whole too.
        out = rctl("cache", "invalidate", "app:", "--dry-run", "-p", self.server.port, env={"COLUMNS": "40"})
        self.assertExit(out, 0)
        self.assertIn(self.long_key, out.stdout)

    def test_on_a_tty_the_widest_column_is_shortened(self):
        code, text = run_on_pty(["cache", "keys", "app:", "-p", self.server.port], columns=70)
        self.assertEqual(code, 0, text)
        rows = [l for l in text.splitlines() if l.startswith("app:")]
        self.assertEqual(len(rows), 1, text)
        self.assertLessEqual(len(rows[0]), 70, text)
        self.assertIn("…", rows[0])
        self.assertIn("string", rows[0])  # the short columns stay whole
        # --wide shows everything, on a terminal too.
        code, text = run_on_pty(["cache", "keys", "app:", "--wide", "-p", self.server.port], columns=70)
        self.assertEqual(code, 0, text)
        self.assertIn(self.long_key, text)
        # Without COLUMNS the terminal's own size is used.
        code, text = run_on_pty(["cache", "keys", "app:", "-p", self.server.port], tty_columns=60)
        self.assertEqual(code, 0, text)
        rows = [l for l in text.splitlines() if l.startswith("app:")]
        self.assertLessEqual(len(rows[0]), 60, text)
        self.assertIn("…", rows[0])


if __name__ == "__main__":
    unittest.main()
