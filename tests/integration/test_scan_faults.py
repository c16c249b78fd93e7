#!/usr/bin/python3
"""Keyspace scans (cluster/scan.cpp) under faults: what the report may claim after a lost
connection, a stop by signal, a cursor that never ends."""

import json
import signal
import subprocess
import time
import unittest

from faults import CountingHandler, FakeServer, Proxy, enc, fake_redis
from harness import RCTL, RctlTestCase, ServerTestCase, rctl, rctl_json


class LostConnectionDuringInvalidate(ServerTestCase):
    """Issue 16 item 7: after a lost connection the report says what is known: N keys deleted
    for certain, and M more whose UNLINK was sent but never answered (outcome unknown)."""

    def proxy(self, fault):
        p = Proxy(self.server.port, fault)
        self.addCleanup(p.close)
        return p

    def test_reset_after_unlink_reports_the_batch_in_flight_as_outcome_unknown(self):
        self.r.mset({f"app:{i}": 1 for i in range(2000)})
        self.r.set("other", 1)
        # The second UNLINK reaches the server (which deletes its keys), then the connection
        # is reset: its reply, and every UNLINK pipelined behind it, never comes back.
        proxy = self.proxy(lambda cmd, n: "reset_after_write" if cmd[0] == b"UNLINK" and n == 1 else None)
        out, data = rctl_json("cache", "invalidate", "app:", "--yes", "--batch", "100", "-p", proxy.port)
        self.assertExit(out, 3)
        self.assertFalse(data["complete"])
        gone = 2000 - len(self.r.keys("app:*"))
        second = len(proxy.relayed_commands(b"UNLINK")[1]) - 1  # keys of the UNLINK that was reset
        self.assertEqual(data["deleted"], gone - second)  # exact: replies that arrived
        self.assertGreaterEqual(data["outcome_unknown"], second)
        self.assertLessEqual(gone, data["deleted"] + data["outcome_unknown"])
        self.assertEqual(sum(n["outcome_unknown"] for n in data["nodes"]), data["outcome_unknown"])
        self.assertIn(f"{data['outcome_unknown']:,} more whose outcome is unknown", out.stderr)
        self.assertEqual(self.r.get("other"), b"1")

        # The same run in a table: the figure is shown too.
        self.r.mset({f"app:{i}": 1 for i in range(2000)})
        proxy = self.proxy(lambda cmd, n: "reset_after_write" if cmd[0] == b"UNLINK" and n == 1 else None)
        out = rctl("cache", "invalidate", "app:", "--yes", "--batch", "100", "-p", proxy.port)
        self.assertExit(out, 3)
        self.assertIn("outcome unknown", out.stdout)

    def test_reset_after_revoke_batch_reports_it_as_outcome_unknown(self):
        for i in range(5):
            self.r.set(f"session:s{i}", json.dumps({"user_id": 42}))
        proxy = self.proxy(lambda cmd, n: "reset_after_write" if cmd[0] == b"EVAL" and n == 0 else None)
        out, data = rctl_json("session", "revoke", "--user", "42", "--yes", "-p", proxy.port)
        self.assertExit(out, 3)
        self.assertEqual(data["deleted"], 0)
        self.assertEqual(data["outcome_unknown"], 5)  # one pipeline: none of its replies came back
        self.assertIn("and 5 more whose outcome is unknown", out.stderr)
        self.assertEqual(proxy.count(b"EVAL"), 1)  # never sent again

    def test_reset_after_ratelimit_unlink_reports_it_as_outcome_unknown(self):
        keys = [f"LIMITER/10.0.0.{i}/fixed_view/5/1/minute" for i in range(3)]
        for k in keys:
            self.r.set(k, 2, ex=60)
        proxy = self.proxy(lambda cmd, n: "reset_after_write" if cmd[0] == b"UNLINK" and n == 0 else None)
        out = rctl("ratelimit", "reset", *keys, "--yes", "-p", proxy.port)
        self.assertExit(out, 3)
        self.assertIn("0 key(s) deleted for certain, 3 more whose outcome is unknown", out.stderr)
        self.assertEqual(proxy.count(b"UNLINK"), 1)


class LostConnectionDuringKeysAnalyze(ServerTestCase):
    """keys analyze when its node goes away mid-walk: the report of what was read, marked
    incomplete (never a total that looks whole), the node's error, exit 3."""

    def test_scan_connection_lost_mid_walk(self):
        self.r.mset({f"user:{i}:profile": "x" * 20 for i in range(3000)})
        # The third SCAN's reply is cut in half: the cursor is lost, the walk cannot go on.
        proxy = Proxy(self.server.port, lambda cmd, n: "close_mid_reply" if cmd[0] == b"SCAN" and n == 2 else None)
        self.addCleanup(proxy.close)
        out, data = rctl_json("keys", "analyze", "-p", proxy.port)
        self.assertExit(out, 3)
        self.assertIn("the report is incomplete", out.stderr)
        self.assertFalse(data["complete"])
        self.assertFalse(data["nodes"][0]["complete"])
        self.assertEqual(data["nodes"][0]["error"]["kind"], "connect")
        self.assertEqual(data["totals"]["dbsize"], 3000)
        self.assertGreater(data["totals"]["keys"], 0)  # what two pages held is kept and shown
        self.assertLess(data["totals"]["keys"], 3000)
        self.assertEqual(data["totals"]["keys"], sum(t["keys"] for t in data["types"]))

    def test_read_connection_lost_mid_page(self):
        self.r.mset({f"order:{i}": "y" * 30 for i in range(3000)})
        # A MEMORY USAGE of the second page's batch never answers: its keys are not counted.
        proxy = Proxy(self.server.port,
                      lambda cmd, n: "reset_after_write" if cmd[0] == b"MEMORY" and n == 700 else None)
        self.addCleanup(proxy.close)
        out, data = rctl_json("keys", "analyze", "-p", proxy.port)
        self.assertExit(out, 3)
        self.assertFalse(data["complete"])
        self.assertLess(data["totals"]["keys"], 3000)
        self.assertEqual(data["totals"]["keys"], sum(t["keys"] for t in data["types"]))
        proxy = Proxy(self.server.port,
                      lambda cmd, n: "reset_after_write" if cmd[0] == b"MEMORY" and n == 700 else None)
        self.addCleanup(proxy.close)
        out = rctl("keys", "analyze", "-p", proxy.port)  # the table says it too
        self.assertIn("incomplete", out.stdout + out.stderr)


class StopBySignal(ServerTestCase):
    """SIGHUP (a closed SSH session) and SIGTERM stop an invalidate as Ctrl-C does: within one
    batch, with the partial report, and an exit status of 128 + the signal."""

    def run_until_progress_then(self, sig):
        self.r.mset({f"slow:{i}": 1 for i in range(30000)})
        proc = subprocess.Popen([RCTL, "cache", "invalidate", "slow:", "--yes", "--batch", "100", "--max-rate",
                                 "5000", "-o", "json", "-p", str(self.server.port)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while self.r.dbsize() == 30000 and time.monotonic() < deadline:  # wait for deletes
            time.sleep(0.05)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=30)
        report = json.loads(stdout)
        self.assertTrue(report["interrupted"])
        self.assertFalse(report["complete"])
        self.assertGreater(report["deleted"], 0)
        self.assertEqual(self.r.dbsize(), 30000 - report["deleted"])
        self.assertIn("interrupted after deleting", stderr)
        return proc.returncode

    def test_sighup_prints_the_partial_report_and_exits_129(self):
        self.assertEqual(self.run_until_progress_then(signal.SIGHUP), 129)

    def test_sigterm_prints_the_partial_report_and_exits_143(self):
        self.assertEqual(self.run_until_progress_then(signal.SIGTERM), 143)


class EndlessCursor(RctlTestCase):
    """Issue 16: a SCAN cursor that never returns to 0 (a broken proxy or server) stops after
    more calls than the keyspace (DBSIZE) can take, with exit 6 and a message."""

    def endless_server(self):
        """A server whose SCAN always has another page (never cursor 0), DBSIZE 10."""
        def answer(cmd, n):
            if cmd[0] == b"SCAN":
                return enc([str(n + 1).encode(), []])
            if cmd[0] == b"DBSIZE":
                return enc(10)
            return enc(0)
        handler = CountingHandler(answer)
        server = FakeServer(fake_redis(handler))
        self.addCleanup(server.close)
        return handler, server

    def test_a_cursor_that_never_ends_stops_with_exit_6(self):
        handler, server = self.endless_server()
        out, data = rctl_json("cache", "invalidate", "p:", "--yes", "-p", server.port, timeout=60)
        self.assertExit(out, 6)
        self.assertFalse(data["complete"])
        self.assertIn("did not return to cursor 0", data["nodes"][0]["error"]["message"])
        self.assertIn("did not return to cursor 0", out.stderr)
        # The bound for 10 keys at COUNT 1000 is 1,040 calls; past it DBSIZE is read once more
        # (the keyspace may have grown), and the call after that gives up.
        self.assertEqual(handler.count(b"SCAN"), 16 * (10 // 1000 + 1) + 1024 + 2)
        self.assertEqual(handler.count(b"DBSIZE"), 2)

    def test_cache_keys_stops_on_a_cursor_that_never_ends(self):
        # `cache keys` walks with its own loop (it stops at --limit keys): the same bound.
        handler, server = self.endless_server()
        out, data = rctl_json("cache", "keys", "p:", "-p", server.port, timeout=60)
        self.assertExit(out, 6)
        self.assertIn("did not return to cursor 0", data["error"]["message"])
        self.assertEqual(handler.count(b"SCAN"), 16 * (10 // 1000 + 1) + 1024 + 2)
        self.assertEqual(handler.count(b"DBSIZE"), 2)


if __name__ == "__main__":
    unittest.main()
