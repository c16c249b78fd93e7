"""rctl slowlog against real servers: DEBUG SLEEP entries, filters, --group, --reset and its
confirmation, --watch (only new entries, Ctrl-C exits 130), ACL refusal, TLS, and the slow
logs of a 3+3 cluster (primaries and replicas) merged in time order."""

import json
import os
import select
import signal
import subprocess
import time
import unittest

import redis

from harness import RCTL, Certificates, ClusterTestCase, RctlTestCase, RedisServer, rctl, rctl_json


def sort_key(e):
    return (e["timestamp_s"], e["node"], -e["duration_us"], e["id"])


class SlowlogStandalone(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(args=["--enable-debug-command", "yes"],
                                 acl=["noslow on >pw ~* +@all -slowlog"])
        cls.addClassCleanup(cls.server.close)
        cls.r = redis.Redis(port=cls.server.port, client_name="sleeper")

    def setUp(self):
        self.r.config_set("slowlog-log-slower-than", 10000)
        self.r.slowlog_reset()

    def target(self):
        return ["-p", self.server.port]

    def test_debug_sleep_is_shown_with_client_and_name(self):
        self.r.execute_command("DEBUG", "SLEEP", "0.03")
        out, data = rctl_json(*self.target(), "slowlog")
        self.assertExit(out, 0)
        entries = [e for e in data["entries"] if e["command"] == "debug"]
        self.assertEqual(len(entries), 1, data)
        e = entries[0]
        self.assertEqual(e["args"], ["DEBUG", "SLEEP", "0.03"])
        self.assertGreaterEqual(e["duration_us"], 30000)
        self.assertEqual(e["client_name"], "sleeper")
        self.assertTrue(e["client_addr"].startswith("127.0.0.1:"))
        self.assertEqual(data["nodes"][0]["error"], None)
        table = rctl(*self.target(), "slowlog")
        self.assertExit(table, 0)
        self.assertIn("debug sleep 0.03", table.stdout.lower())

    def test_min_since_and_limit_filter(self):
        self.r.config_set("slowlog-log-slower-than", 0)
        for i in range(5):
            self.r.set(f"k{i}", "v")
        self.r.execute_command("DEBUG", "SLEEP", "0.02")
        out, data = rctl_json(*self.target(), "slowlog", "--min", "15ms")
        self.assertExit(out, 0)
        self.assertEqual([e["command"] for e in data["entries"]], ["debug"])
        out, data = rctl_json(*self.target(), "slowlog", "--limit", "2")
        self.assertEqual(len(data["entries"]), 2)
        self.assertEqual(data["nodes"][0]["entries_read"], 2)
        out, data = rctl_json(*self.target(), "slowlog", "--since", "1h")
        self.assertGreaterEqual(len(data["entries"]), 6)
        out = rctl(*self.target(), "slowlog", "--since", "junk")
        self.assertExit(out, 2)
        out = rctl(*self.target(), "slowlog", "--limit", "0")
        self.assertExit(out, 2)

    def test_group_counts_and_totals_per_command(self):
        self.r.config_set("slowlog-log-slower-than", 0)
        for i in range(7):
            self.r.get(f"g{i}")
        self.r.execute_command("CLIENT", "ID")
        out, data = rctl_json(*self.target(), "slowlog", "--group")
        self.assertExit(out, 0)
        groups = {g["command"]: g for g in data["groups"]}
        self.assertEqual(groups["get"]["count"], 7)
        self.assertEqual(groups["get"]["total_us"],
                         sum(e["duration_us"] for e in data["entries"] if e["command"] == "get"))
        self.assertIn("client|id", groups)
        table = rctl(*self.target(), "slowlog", "--group")
        self.assertIn("Slow commands by name", table.stdout)

    def test_reset_refused_without_yes_and_done_with_it(self):
        self.r.execute_command("DEBUG", "SLEEP", "0.02")
        before = self.r.slowlog_len()
        out = rctl(*self.target(), "slowlog", "--reset", input="")
        self.assertExit(out, 2)
        self.assertEqual(out.stdout, "")  # refused before anything was read or shown
        self.assertIn("--yes", out.stderr)
        self.assertEqual(self.r.slowlog_len(), before)
        out, data = rctl_json(*self.target(), "slowlog", "--reset", "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(self.r.slowlog_len(), before)
        out, data = rctl_json(*self.target(), "slowlog", "--reset", "--yes")
        self.assertExit(out, 0)
        self.assertTrue(data["nodes"][0]["reset"])
        self.assertEqual([e["command"] for e in data["entries"]], ["debug"])  # shown, then reset
        self.assertEqual(self.r.slowlog_get(), [])

    def test_latency_latest_is_in_the_report(self):
        self.r.config_set("latency-monitor-threshold", 10)
        try:
            self.r.execute_command("DEBUG", "SLEEP", "0.02")
            out, data = rctl_json(*self.target(), "slowlog")
            self.assertExit(out, 0)
            events = {e["event"]: e for e in data["latency_events"]}
            self.assertIn("command", events)
            self.assertGreaterEqual(events["command"]["max_ms"], 20)
        finally:
            self.r.config_set("latency-monitor-threshold", 0)
            self.r.execute_command("LATENCY", "RESET")

    def test_acl_refusal_is_exit_4_with_the_grant(self):
        out, data = rctl_json("-u", self.server.url(user="noslow", password="pw"), "slowlog")
        self.assertExit(out, 4)
        self.assertEqual(data["error"]["kind"], "permission")
        self.assertIn("+slowlog|get", data["error"]["hint"])

    def test_unreachable_is_exit_3(self):
        closed = RedisServer()
        port = closed.port
        closed.close()
        out, data = rctl_json("-p", port, "--timeout", "2s", "slowlog")
        self.assertExit(out, 3)
        self.assertIn("error", data)

    def test_watch_prints_only_new_entries_and_exits_130(self):
        self.r.config_set("slowlog-log-slower-than", 0)
        self.r.set("before", "1")
        proc = self.start_watch(*self.target_str(), "-o", "json", "slowlog", "--watch", "200ms")
        lines = [self.read_line(proc)]  # the first report
        first = json.loads(lines[0])
        self.assertIn("before", [a for e in first["entries"] for a in e["args"]])
        self.r.set("marker-after", "1")
        deadline = time.time() + 20
        seen = []
        while time.time() < deadline and "marker-after" not in seen:
            poll = json.loads(self.read_line(proc))
            self.assertIn("entries", poll)
            seen += [a for e in poll["entries"] for a in e["args"]]
            lines.append(poll)
        self.assertIn("marker-after", seen)
        self.assertNotIn("before", seen)  # shown once, in the first report
        ids = [e["id"] for p in lines[1:] for e in p["entries"]]
        self.assertEqual(len(ids), len(set(ids)))
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        self.assertEqual(proc.returncode, 130)
        self.assertIn("interrupted", proc.stderr.read())

    def test_watch_says_what_it_missed_and_when_the_node_fails(self):
        # Its own server: this test stops it.
        server = RedisServer()
        self.addCleanup(server.close)
        r = redis.Redis(port=server.port)
        r.config_set("slowlog-log-slower-than", 0)
        proc = self.start_watch("-p", str(server.port), "-o", "json", "slowlog", "--watch", "1s", "--limit", "2")
        json.loads(self.read_line(proc))  # the first report
        for i in range(30):  # far more than --limit 2 between two polls
            r.set(f"burst-{i}", "1")
        poll = json.loads(self.read_line(proc))
        while not poll["missed"]:
            poll = json.loads(self.read_line(proc))
        self.assertGreaterEqual(poll["missed"][f"127.0.0.1:{server.port}"], 20)
        self.assertEqual(len(poll["entries"]), 2)
        r.close()
        server.close()
        poll = json.loads(self.read_line(proc))
        while not poll["failed_nodes"]:
            poll = json.loads(self.read_line(proc))
        self.assertEqual(poll["failed_nodes"][0]["node"], f"127.0.0.1:{server.port}")
        self.assertEqual(poll["failed_nodes"][0]["error"]["kind"], "connect")
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        self.assertEqual(proc.returncode, 130)
        err = proc.stderr.read()
        self.assertIn("came and went between two polls unread", err)
        self.assertIn("its new entries are not shown until it answers again", err)
        self.assertEqual(err.count("its new entries are not shown"), 1, err)  # said once, not per poll

    def target_str(self):
        return [str(a) for a in self.target()]

    def start_watch(self, *args):
        """rctl ARGS running in the background (no REDIS* variables), killed at the end of the
        test if it is still running."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("REDIS")}
        proc = subprocess.Popen([RCTL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

        def stop():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()

        self.addCleanup(stop)
        return proc

    def read_line(self, proc, timeout=20):
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        self.assertTrue(ready, "rctl slowlog --watch printed nothing in time")
        line = proc.stdout.readline()
        if not line:
            self.fail("rctl slowlog --watch ended early: " + proc.stderr.read())
        return line


class SlowlogTLS(RctlTestCase):
    def test_slowlog_over_tls(self):
        server = RedisServer(tls=True)
        self.addCleanup(server.close)
        server.cli("CONFIG", "SET", "slowlog-log-slower-than", "0")
        server.cli("SET", "tls-marker", "1")
        out, data = rctl_json("-u", server.url(), *server.tls_args(), "slowlog")
        self.assertExit(out, 0)
        self.assertIn("tls-marker", [a for e in data["entries"] for a in e["args"]])


class SlowlogCluster(ClusterTestCase):
    def test_every_node_merged_in_time_order(self):
        nodes = self.cluster.nodes
        for n in nodes:
            n.cli("CONFIG", "SET", "slowlog-max-len", "1000")
            n.cli("CONFIG", "SET", "slowlog-log-slower-than", "0")
            n.cli("SLOWLOG", "RESET")
        # Two rounds a second apart, the second in the reverse node order: the merged log is
        # ordered by time first, whatever the node.
        for n in nodes:
            n.cli("ECHO", f"first-{n.port}")
        time.sleep(1.1)
        for n in reversed(nodes):
            n.cli("ECHO", f"second-{n.port}")
        try:
            out, data = rctl_json(*self.target(), "slowlog", "--limit", "1000")
            self.assertExit(out, 0)
            self.assertEqual(len(data["nodes"]), 6)
            self.assertEqual(sorted(n["role"] for n in data["nodes"]), ["primary"] * 3 + ["replica"] * 3)
            self.assertTrue(all(n["error"] is None for n in data["nodes"]))
            entries = data["entries"]
            self.assertEqual(entries, sorted(entries, key=sort_key))
            echoes = [e for e in entries if e["command"] == "echo"]
            where = {e["args"][1]: e["node"] for e in echoes}
            for n in nodes:
                self.assertEqual(where[f"first-{n.port}"], f"127.0.0.1:{n.port}")
                self.assertEqual(where[f"second-{n.port}"], f"127.0.0.1:{n.port}")
            order = [e["args"][1] for e in echoes]
            last_first = max(i for i, a in enumerate(order) if a.startswith("first-"))
            first_second = min(i for i, a in enumerate(order) if a.startswith("second-"))
            self.assertLess(last_first, first_second)
            out, data = rctl_json(*self.target(), "slowlog", "--group", "--limit", "1000")
            groups = {g["command"]: g for g in data["groups"]}
            self.assertGreaterEqual(groups["echo"]["count"], 12)
            self.assertEqual(groups["echo"]["nodes"], 6)
        finally:
            for n in nodes:
                n.cli("CONFIG", "SET", "slowlog-log-slower-than", "10000")

    def test_one_node_refusing_is_reported_and_the_others_shown(self):
        refusing = self.cluster.nodes[-1]
        self.addCleanup(self.cluster.acl_setuser("ops", ["on", ">pw", "~*", "+@all"], {refusing: ["-slowlog"]}))
        url = self.cluster.seed().url(user="ops", password="pw")
        out, data = rctl_json("-u", url, "slowlog")
        self.assertExit(out, 0)
        errors = {n["address"]: n["error"] for n in data["nodes"]}
        self.assertEqual(errors[f"127.0.0.1:{refusing.port}"]["kind"], "permission")
        self.assertIn("+slowlog|get", errors[f"127.0.0.1:{refusing.port}"]["hint"])
        self.assertEqual([a for a, e in errors.items() if e is not None], [f"127.0.0.1:{refusing.port}"])
        self.assertIn(f"127.0.0.1:{refusing.port}", out.stderr)  # the warning
        table = rctl("-u", url, "slowlog")
        self.assertIn("Nodes with problems", table.stdout)


if __name__ == "__main__":
    unittest.main()
