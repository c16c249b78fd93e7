"""Authentication: passwords from every source work, wrong ones exit 4, and no password ever
appears in output, errors, --verbose logs or the process command line."""

import os
import subprocess
import tempfile
import time
import unittest

from harness import RCTL, RctlTestCase, RedisServer, rctl, rctl_json

SECRET = "s3cr3t-Pa55word"


class PasswordAuth(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(password=SECRET, acl=[f"alice on >{SECRET} ~* +@all",
                                                       f"ro on >{SECRET} ~* +@read +@connection +info"])

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def port(self):
        return ["-p", str(self.server.port)]

    def test_password_only_url(self):
        out, data = rctl_json("health", "-v", "-u", f"redis://:{SECRET}@127.0.0.1:{self.server.port}")
        self.assertExit(out, 0)
        self.assertTrue(data["nodes"][0]["authenticated"])
        self.assertNoSecret(out, SECRET)
        self.assertIn("visible to other users", out.stderr)

    def test_acl_user_in_url_and_flag(self):
        out, _ = rctl_json("health", "-u", f"redis://alice:{SECRET}@127.0.0.1:{self.server.port}")
        self.assertExit(out, 0)
        out, _ = rctl_json("health", *self.port(), "--user", "alice", "-a", SECRET, "--no-auth-warning")
        self.assertExit(out, 0)
        self.assertEqual(out.stderr, "")

    def test_percent_encoded_password(self):
        server = RedisServer(password="p@ss:w/rd")
        try:
            out, _ = rctl_json("health", "-u", f"redis://:p%40ss%3Aw%2Frd@127.0.0.1:{server.port}")
            self.assertExit(out, 0)
        finally:
            server.close()

    def test_password_file_with_trailing_newline(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write(SECRET + "\n")
        os.chmod(f.name, 0o600)
        try:
            out, _ = rctl_json("health", *self.port(), "--password-file", f.name)
            self.assertExit(out, 0)
            self.assertEqual(out.stderr, "")
            os.chmod(f.name, 0o644)
            out, _ = rctl_json("health", *self.port(), "--password-file", f.name)
            self.assertExit(out, 0)
            self.assertIn("readable by other users", out.stderr)
        finally:
            os.unlink(f.name)

    def test_environment_passwords(self):
        for var in ("REDISCLI_AUTH", "REDIS_PASSWORD"):
            out, _ = rctl_json("health", *self.port(), env={var: SECRET})
            self.assertExit(out, 0, f"{var}: {out.stderr}")
            self.assertEqual(out.stderr, "")

    def test_environment_password_fills_a_url_without_one(self):
        # The README's ElastiCache and Azure examples: REDISCLI_AUTH plus a URL, as redis-cli.
        url = f"redis://127.0.0.1:{self.server.port}"
        for var in ("REDISCLI_AUTH", "REDIS_PASSWORD"):
            out, _ = rctl_json("health", "-u", url, env={var: SECRET})
            self.assertExit(out, 0, f"{var}: {out.stderr}")
            self.assertEqual(out.stderr, "")
        # A URL with a password of its own still wins over the environment.
        out, _ = rctl_json("health", "-u", f"redis://:{SECRET}@127.0.0.1:{self.server.port}",
                           "--no-auth-warning", env={"REDISCLI_AUTH": "WrongPassword123"})
        self.assertExit(out, 0, out.stderr)

    def test_url_user_with_password_from_elsewhere(self):
        # redis://ro@host --password-file F: `ro` is the user name, not a password, so the
        # command runs with ro's rights (a write is refused) and nothing warns about a
        # password on the command line.
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write(SECRET + "\n")
        os.chmod(f.name, 0o600)
        url = f"redis://ro@127.0.0.1:{self.server.port}"
        try:
            for extra, kw in ((["--password-file", f.name], {}), (["--password-file", "-"], {"input": SECRET + "\n"})):
                out, _ = rctl_json("cache", "get", "k", "-u", url, *extra, **kw)
                self.assertExit(out, 5, out.stderr)  # read allowed: authenticated as ro
                self.assertNotIn("warning", out.stderr)
                out, data = rctl_json("cache", "set", "k", "v", "-u", url, *extra, **kw)
                self.assertExit(out, 4, out.stderr)
                self.assertIn("NOPERM", data["error"]["message"])
        finally:
            os.unlink(f.name)

    def test_password_from_standard_input_and_pass_alias(self):
        out, _ = rctl_json("health", *self.port(), "--password-file", "-", input=SECRET + "\n")
        self.assertExit(out, 0, out.stderr)
        self.assertEqual(out.stderr, "")
        out, data = rctl_json("health", *self.port(), "--password-file", "-", input="")
        self.assertExit(out, 2)
        self.assertIn("standard input", data["error"]["message"])
        out, _ = rctl_json("health", *self.port(), "--pass", SECRET, "--no-auth-warning")
        self.assertExit(out, 0, out.stderr)

    def test_wrong_password_exits_4_and_never_shows_it(self):
        wrong = "WrongPassword123"
        for args in (["-a", wrong], ["-u", f"redis://:{wrong}@127.0.0.1:{self.server.port}"],
                     ["--user", "alice", "-a", wrong]):
            full = [*args] if args[0] == "-u" else [*self.port(), *args]
            out, data = rctl_json("health", "-v", *full)
            self.assertExit(out, 4)
            self.assertEqual(data["error"]["kind"], "auth")
            self.assertNoSecret(out, wrong)
            self.assertOneLineError(out, "WRONGPASS")

    def test_missing_password_exits_4(self):
        out, data = rctl_json("health", *self.port())
        self.assertExit(out, 4)
        self.assertIn("NOAUTH", data["error"]["message"])

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run rctl as another user")
    def test_process_is_not_dumpable(self):
        # No core dump may hold the password. A non-dumpable process's /proc/<pid> files
        # belong to root instead of the process's user: run rctl as nobody and look.
        dead_port = str(self.server.port + 1 if self.server.port < 65000 else 1)
        proc = subprocess.Popen(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                 RCTL, "health", "-p", dead_port, "--wait", "3s", "-a", SECRET],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.8)
            status = os.stat(f"/proc/{proc.pid}/status")
            self.assertEqual(status.st_uid, 0, "rctl is dumpable: a core dump could hold the password")
        finally:
            proc.kill()
            proc.communicate()

    def test_password_removed_from_process_command_line(self):
        # rctl waits (server unreachable) long enough for us to read its /proc cmdline.
        dead_port = str(self.server.port + 1 if self.server.port < 65000 else 1)
        proc = subprocess.Popen([RCTL, "health", "-p", dead_port, "--wait", "3s", "-a", SECRET,
                                 "-u", f"redis://:{SECRET}@127.0.0.1:{dead_port}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.8)
            with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
            self.assertNotIn(SECRET, cmdline)
            self.assertIn("*" * len(SECRET), cmdline)
        finally:
            proc.kill()
            proc.communicate()


if __name__ == "__main__":
    unittest.main()
