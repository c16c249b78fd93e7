"""rctl ratelimit probe: concurrent hits with limits' Lua semantics on real servers; faults
(connection lost mid-probe, scripting denied or disabled, NOSCRIPT, Ctrl-C)."""

import json
import signal
import subprocess
import time
import unittest

import redis

from faults import FakeServer, resp2_handshake
from harness import RCTL, RctlTestCase, RedisServer, ServerTestCase, rctl, rctl_json


def scratch_keys(r):
    return r.keys("rctl:probe:*")


class ProbeConcurrency(ServerTestCase):
    def probe(self, *args):
        return rctl_json("ratelimit", "probe", *args, "-p", self.server.port)

    def test_exactly_the_limit_gets_through_20_connections(self):
        for strategy in ("fixed", "moving", "sliding"):
            with self.subTest(strategy=strategy):
                before = int(self.r.info("stats")["total_connections_received"])
                out, data = self.probe("--limit", "25/minute", "--strategy", strategy, "--hits", "60",
                                       "--concurrency", "20")
                self.assertExit(out, 0)
                self.assertTrue(data["passed"])
                p = data["probes"][0]
                self.assertEqual((p["allowed"], p["denied"], p["unknown"], p["not_run"]), (25, 35, 0, 0))
                self.assertEqual((p["expected_allowed"], p["verdict"], p["connections"]), (25, "pass", 20))
                self.assertTrue(p["scratch"])
                self.assertRegex(p["key"], r"^rctl:probe:\{[0-9a-f]{12}\}:25/1/minute$")
                self.assertEqual(p["cleanup"], "deleted")
                self.assertEqual(p["after"]["remaining"], 0)
                self.assertEqual(scratch_keys(self.r), [])
                self.assertGreaterEqual(int(self.r.info("stats")["total_connections_received"]) - before, 20)

    def test_several_limits_each_get_a_probe(self):
        out, data = self.probe("--limit", "10/minute;20/hour", "--strategy", "fixed", "--concurrency", "5")
        self.assertExit(out, 0)
        self.assertEqual([(p["limit"]["text"], p["hits"], p["allowed"]) for p in data["probes"]],
                         [("10/minute", 20, 10), ("20/hour", 40, 20)])
        self.assertEqual(scratch_keys(self.r), [])

    def test_probe_and_show_agree_on_a_limits_sliding_key(self):
        key = "LIMITS:{LIMITER/10.0.0.9/search/5/1/minute}"
        out, data = self.probe("--key", key, "--hits", "7", "--concurrency", "7")
        self.assertExit(out, 0)
        p = data["probes"][0]
        self.assertEqual((p["strategy"], p["previous_key"], p["allowed"], p["denied"]), ("sliding", key + "/-1", 5, 2))
        self.assertEqual(self.r.get(key), b"5")
        self.assertGreater(self.r.pttl(key), 60000)  # created with PX two windows
        out, data = rctl_json("ratelimit", "show", key, "-p", self.server.port)
        self.assertEqual((data["used"], data["remaining"]), (5, 0))

    def test_hand_rolled_sliding_key_needs_a_hash_tag(self):
        out, data = self.probe("--key", "{user1}", "--limit", "3/minute", "--strategy", "sliding", "--hits", "4")
        self.assertExit(out, 0)
        self.assertEqual(data["probes"][0]["allowed"], 3)
        self.assertEqual(self.r.get("{user1}"), b"3")

    def test_dry_run_sends_nothing(self):
        self.r.set("rate:x", 3, ex=60)
        out, data = self.probe("--key", "rate:x", "--limit", "5/minute", "--hits", "4", "--dry-run")
        self.assertExit(out, 0)
        p = data["probes"][0]
        self.assertEqual((p["verdict"], p["allowed"], p["denied"], p["remaining_before"]), ("dry_run", 2, 2, 2))
        self.assertEqual(self.r.get("rate:x"), b"3")

    def test_table_output(self):
        out = rctl("ratelimit", "probe", "--limit", "3/second", "--strategy", "moving", "-p", self.server.port)
        self.assertExit(out, 0)
        self.assertIn("pass: exactly 3 of 6 hits got through", out.stdout)
        self.assertIn("scratch key deleted", out.stdout)


class ProbeFaults(RctlTestCase):
    def test_connection_lost_mid_probe_is_outcome_unknown_and_never_resent(self):
        state = {"connections": 0, "evals": [], "cleanup": 0}

        def script(peer):
            state["connections"] += 1
            me = state["connections"]
            cmd = resp2_handshake(peer)
            while True:
                name = cmd[0].upper()
                if name == b"INFO":
                    body = b"# Cluster\r\ncluster_enabled:0\r\n"
                    peer.send(b"$%d\r\n%s\r\n" % (len(body), body))
                elif name == b"SCRIPT":
                    peer.send(b"$40\r\n" + b"0" * 40 + b"\r\n")
                elif name in (b"EVALSHA", b"EVAL"):
                    state["evals"].append(me)
                    peer.sock.close()  # the hit was written; its reply never comes
                    return
                elif name in (b"UNLINK", b"DEL"):
                    state["cleanup"] += 1
                    peer.send(b":0\r\n")
                else:
                    peer.send(b"-ERR unexpected\r\n")
                cmd = peer.read_command()

        fake = FakeServer(script)
        try:
            out, data = rctl_json("ratelimit", "probe", "--limit", "3/minute", "--strategy", "fixed", "--hits", "5",
                                  "-p", fake.port)
        finally:
            fake.close()
        self.assertExit(out, 3)
        p = data["probes"][0]
        self.assertEqual(p["verdict"], "unknown")
        self.assertEqual(p["error"]["kind"], "outcome_unknown")
        self.assertIn("outcome unknown", p["error"]["message"])
        self.assertEqual(p["unknown"] + p["not_run"] + p["allowed"] + p["denied"], 5)
        self.assertGreaterEqual(p["unknown"], 1)
        self.assertEqual(state["evals"], [1])  # one hit reached the server, none was sent again
        self.assertEqual(state["cleanup"], 1)  # the scratch key was still cleaned up
        self.assertIn("outcome unknown", out.stderr)

    def test_scripting_denied_by_acl_exits_4(self):
        server = RedisServer(acl=["noscript on >pw ~* +@all -@scripting"])
        try:
            out, data = rctl_json("ratelimit", "probe", "--limit", "5/minute", "--strategy", "fixed",
                                  "-u", server.url(user="noscript", password="pw"), "--no-auth-warning")
            self.assertExit(out, 4)
            p = data["probes"][0]
            self.assertEqual((p["verdict"], p["error"]["kind"]), ("error", "permission"))
            self.assertIn("scripting is denied", p["error"]["message"])
            self.assertEqual(p["allowed"] + p["denied"], 0)
            self.assertEqual(server.cli("KEYS", "*").strip(), "")
        finally:
            server.close()

    def test_scripting_disabled_exits_6(self):
        server = RedisServer(args=["--rename-command", "EVALSHA", "", "--rename-command", "EVAL", ""])
        try:
            out, data = rctl_json("ratelimit", "probe", "--limit", "5/minute", "--strategy", "moving",
                                  "-p", server.port)
            self.assertExit(out, 6)
            self.assertIn("scripting is not available", data["probes"][0]["error"]["message"])
        finally:
            server.close()

    def test_noscript_falls_back_to_eval(self):
        # SCRIPT disabled: nothing preloads the script, so EVALSHA meets NOSCRIPT and EVAL runs it.
        server = RedisServer(args=["--rename-command", "SCRIPT", ""])
        try:
            out, data = rctl_json("ratelimit", "probe", "--limit", "10/minute", "--strategy", "sliding",
                                  "--hits", "30", "--concurrency", "10", "-p", server.port)
            self.assertExit(out, 0)
            p = data["probes"][0]
            self.assertEqual((p["allowed"], p["denied"], p["verdict"]), (10, 20, "pass"))
            self.assertGreaterEqual(p["resent_eval"], 1)
        finally:
            server.close()

    def test_ctrl_c_stops_and_removes_the_scratch_key(self):
        server = RedisServer()
        r = redis.Redis(port=server.port)
        try:
            proc = subprocess.Popen([RCTL, "ratelimit", "probe", "--limit", "1000000/day", "--strategy", "fixed",
                                     "--hits", "10000000", "--concurrency", "4", "-p", str(server.port), "-o", "json"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.time() + 120  # a guard against a hang, not a measurement
            while not scratch_keys(r) and proc.poll() is None and time.time() < deadline:
                time.sleep(0.02)
            self.assertTrue(scratch_keys(r), "the probe never created its scratch key")
            proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=120)
            self.assertEqual(proc.returncode, 130, stderr)
            data = json.loads(stdout)
            p = data["probes"][0]
            self.assertEqual(p["verdict"], "interrupted")
            self.assertGreater(p["not_run"], 0)
            self.assertEqual(p["cleanup"], "deleted")
            self.assertTrue(data["interrupted"])
            self.assertEqual(scratch_keys(r), [])
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
