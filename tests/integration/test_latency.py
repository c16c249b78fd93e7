"""rctl latency: PING round trips per node and interval (JSON lines, summary, histogram), a
server made slow on purpose by DEBUG SLEEP, Ctrl-C, the 3+3 cluster, and --doctor with the
latency monitor off and on."""

import json
import signal
import subprocess
import threading
import unittest

import redis

from harness import RCTL, ClusterTestCase, RctlTestCase, RedisServer, rctl


def json_lines(out):
    return [json.loads(line) for line in out.stdout.splitlines()]


class LatencyStandalone(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(args=["--enable-debug-command", "local"])
        cls.r = redis.Redis(port=cls.server.port)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def latency(self, *args):
        return rctl("-p", self.server.port, "latency", *args)

    def test_json_lines_per_interval_then_summary(self):
        out = self.latency("--count", "2", "--interval", "200ms", "-o", "json")
        self.assertExit(out, 0)
        lines = json_lines(out)
        self.assertEqual([l["type"] for l in lines], ["interval", "interval", "summary"])
        for line in lines[:2]:
            node = line["nodes"][0]
            self.assertEqual(node["node"], f"127.0.0.1:{self.server.port}")
            self.assertGreater(node["samples"], 0)
            self.assertLessEqual(node["min_ms"], node["p50_ms"])
            self.assertLessEqual(node["p50_ms"], node["p99_ms"])
            self.assertLessEqual(node["p99_ms"], node["max_ms"])
        summary = lines[2]
        self.assertEqual((summary["intervals"], summary["interrupted"]), (2, False))
        node = summary["nodes"][0]
        self.assertEqual(node["samples"], sum(l["nodes"][0]["samples"] for l in lines[:2]))
        self.assertEqual(sum(b["count"] for b in node["histogram"]), node["samples"])
        self.assertIsNone(node["histogram"][-1]["le_ms"])

    def test_table_has_summary_and_histogram(self):
        out = self.latency("--count", "1", "--interval", "200ms")
        self.assertExit(out, 0)
        self.assertIn("min ", out.stdout)
        self.assertIn("P99 MS", out.stdout)
        self.assertIn("#", out.stdout)
        self.assertIn("<= ", out.stdout)

    def test_a_server_made_slow_shows_in_max_and_histogram(self):
        sleeper = threading.Thread(target=lambda: redis.Redis(port=self.server.port).execute_command(
            "DEBUG", "SLEEP", "0.5"))
        proc = subprocess.Popen([RCTL, "-p", str(self.server.port), "-o", "json", "latency", "--count", "3",
                                 "--interval", "400ms"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = proc.stdout.readline()  # the first interval is done: rctl is PINGing
        sleeper.start()
        rest, err = proc.communicate(timeout=60)
        sleeper.join()
        self.assertEqual(proc.returncode, 0, err)
        summary = json.loads(rest.splitlines()[-1])
        node = summary["nodes"][0]
        # A PING sent during the 0.5 s sleep waits for it: the server, not rctl, is slow.
        self.assertGreaterEqual(node["max_ms"], 100)
        slow = sum(b["count"] for b in node["histogram"] if b["le_ms"] is None or b["le_ms"] > 50)
        self.assertGreaterEqual(slow, 1)
        self.assertEqual(json.loads(first)["type"], "interval")

    def test_ctrl_c_prints_the_summary_and_exits_130(self):
        proc = subprocess.Popen([RCTL, "-p", str(self.server.port), "-o", "json", "latency", "--interval", "200ms"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 130)
        summary = json.loads(rest.splitlines()[-1])
        self.assertEqual(summary["type"], "summary")
        self.assertTrue(summary["interrupted"])
        self.assertGreaterEqual(summary["intervals"], 1)
        self.assertEqual(json.loads(first)["type"], "interval")

    def test_usage_errors(self):
        self.assertExit(self.latency("--interval", "10ms", "--count", "1"), 2)
        self.assertExit(self.latency("--doctor", "--count", "1"), 2)
        self.assertExit(self.latency("-o", "prometheus"), 2)

    def test_doctor_monitor_off_says_how_to_turn_it_on(self):
        self.r.config_set("latency-monitor-threshold", 0)
        out = self.latency("--doctor")
        self.assertExit(out, 0)
        self.assertIn("CONFIG SET latency-monitor-threshold", out.stdout)
        out = self.latency("--doctor", "-o", "json")
        node = json.loads(out.stdout)["nodes"][0]
        self.assertEqual((node["threshold_ms"], node["enabled"], node["events"]), (0, False, []))

    def test_doctor_monitor_on_shows_events_and_history(self):
        self.r.config_set("latency-monitor-threshold", 1)
        try:
            self.r.execute_command("LATENCY", "RESET")
            self.r.execute_command("DEBUG", "SLEEP", "0.05")
            out = self.latency("--doctor", "-o", "json")
            self.assertExit(out, 0)
            node = json.loads(out.stdout)["nodes"][0]
            self.assertTrue(node["enabled"])
            self.assertIsInstance(node["doctor"], str)
            command = [e for e in node["events"] if e["event"] == "command"]
            self.assertEqual(len(command), 1)
            self.assertGreaterEqual(command[0]["max_ms"], 50)
            self.assertGreaterEqual(len(command[0]["history"]), 1)
            table = self.latency("--doctor")
            self.assertIn("command", table.stdout)
        finally:
            self.r.config_set("latency-monitor-threshold", 0)


class LatencyCluster(ClusterTestCase):
    def test_every_node_measured(self):
        out = rctl(*self.target(), "-o", "json", "latency", "--count", "1", "--interval", "300ms")
        self.assertExit(out, 0)
        interval, summary = json_lines(out)
        self.assertEqual(len(interval["nodes"]), 6)
        self.assertEqual(sorted(n["role"] for n in summary["nodes"]), ["primary"] * 3 + ["replica"] * 3)
        for n in summary["nodes"]:
            self.assertGreater(n["samples"], 0)
            self.assertEqual(n["errors"], 0)

    def test_doctor_on_every_node(self):
        out = rctl(*self.target(), "-o", "json", "latency", "--doctor")
        self.assertExit(out, 0)
        self.assertEqual(len(json.loads(out.stdout)["nodes"]), 6)


if __name__ == "__main__":
    unittest.main()
