"""Exit codes a CI job or a monitor reads (issue 17 items 1-4): -h is the host, nagios mode
always answers with one status line, denied INFO is not reported as zeros, and
`health --wait` does not wait out errors that cannot clear."""

import json
import time
import unittest

from faults import unused_port
from harness import Certificates, RctlTestCase, RedisServer, rctl, rctl_json

SECRET = "s3cret-pw"


class OneServer(RctlTestCase):
    """One redis-server for the class; `acl` adds ACL users."""

    acl = None

    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(acl=cls.acl)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()


class HostFlagAndHelp(OneServer):
    def test_dash_h_is_the_host_like_redis_cli(self):
        out = rctl("-h", "127.0.0.1", "-p", self.server.port, "health", "-o", "json")
        self.assertExit(out, 0)
        self.assertEqual(json.loads(out.stdout)["status"], "ok")

    def test_dash_h_to_a_dead_server_is_critical_not_help(self):
        out = rctl("-h", "127.0.0.1", "-p", unused_port(), "health", "-o", "nagios")
        self.assertExit(out, 2)
        self.assertTrue(out.stdout.startswith("REDIS CRITICAL"), out.stdout)

    def test_dash_h_alone_or_without_value_is_help(self):
        for args in (["-h"], ["health", "-h"], ["--help"], ["cache", "keys", "--help"]):
            out = rctl(*args)
            self.assertExit(out, 0, args)
            self.assertIn("Usage", out.stdout, args)

    def test_help_with_other_arguments_is_not_a_success(self):
        out = rctl("-p", unused_port(), "health", "--help")
        self.assertExit(out, 2)
        self.assertIn("--help", out.stderr)
        out = rctl("-p", unused_port(), "health", "-o", "nagios", "--help")
        self.assertExit(out, 3)
        self.assertTrue(out.stdout.startswith("REDIS UNKNOWN: "), out.stdout)
        out = rctl("-a", SECRET, "health", "-h")
        self.assertExit(out, 2)
        self.assertNoSecret(out, SECRET)


class NagiosUnknown(OneServer):
    def nagios(self, *args):
        return rctl("-p", self.server.port, "health", "-o", "nagios", *args)

    def assertUnknown(self, out, fragment):
        self.assertExit(out, 3)
        lines = out.stdout.splitlines()
        self.assertEqual(len(lines), 1, out.stdout)
        self.assertTrue(lines[0].startswith("REDIS UNKNOWN: "), out.stdout)
        self.assertIn(fragment, lines[0])

    def test_bad_threshold_is_unknown_naming_the_option(self):
        self.assertUnknown(self.nagios("--latency-warn", "20"), "--latency-warn")
        self.assertUnknown(self.nagios("--latency-crit", "soon"), "--latency-crit")
        self.assertUnknown(self.nagios("--memory-warn", "101"), "--memory-warn")

    def test_usage_error_is_unknown(self):
        self.assertUnknown(self.nagios("--no-such-flag"), "--no-such-flag")
        self.assertUnknown(rctl("stats", "-o", "nagios", "-p", self.server.port), "-o nagios")

    def test_cluster_flag_against_standalone_is_unknown(self):
        self.assertUnknown(self.nagios("--cluster"), "cluster mode required")

    def test_perfdata_thresholds_keep_their_precision(self):
        out = self.nagios("--latency-warn", "0.01ms", "--latency-crit", "2.5ms")
        self.assertIn(out.returncode, (0, 1, 2))
        self.assertIn("ms;0.01;2.5;0;", out.stdout)


class InfoDenied(OneServer):
    """A user allowed PING but not INFO, as some providers hand out."""

    acl = [f"noinfo on >{SECRET} ~* +@all -info"]

    def target(self):
        return ["-u", self.server.url(user="noinfo", password=SECRET)]

    def test_stats_exits_4_with_a_hint(self):
        out, data = rctl_json("stats", *self.target())
        self.assertExit(out, 4)
        self.assertEqual(data["error"]["kind"], "permission")
        self.assertIn("INFO", data["error"]["hint"])

    def test_health_json_does_not_invent_values(self):
        out, data = rctl_json("health", *self.target())
        node = data["nodes"][0]
        self.assertIsNone(node["server"]["version"], node)
        self.assertIsNone(node["memory"]["used_bytes"], node)
        self.assertTrue(any("INFO" in c["message"] for c in data["checks"]), data["checks"])

    def test_health_nagios_leaves_unknown_values_out_of_perfdata(self):
        out = rctl("health", "-o", "nagios", *self.target())
        self.assertNotIn("used_memory", out.stdout)
        self.assertNotIn("connected_clients", out.stdout)
        self.assertIn("latency_p99", out.stdout)
        self.assertIn("INFO", out.stdout)


class WaitStopsOnPermanentErrors(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(password=SECRET, acl=[f"noping on >{SECRET} ~* -@all"])
        cls.tls_server = RedisServer(tls=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.tls_server.close()

    def assertFailsAtOnce(self, args, code):
        start = time.monotonic()
        out = rctl("health", "--wait", "20s", *args)
        self.assertLess(time.monotonic() - start, 8, out.stderr)
        self.assertExit(out, code)
        self.assertNotIn("waiting", out.stderr)

    def test_wrong_password(self):
        self.assertFailsAtOnce(["-u", self.server.url(password="wrong")], 4)

    def test_noperm(self):
        # The server answers, so this is a report (unhealthy, exit 1) naming NOPERM.
        self.assertFailsAtOnce(["-u", self.server.url(user="noping", password=SECRET), "-o", "json"], 1)
        out, data = rctl_json("health", "-u", self.server.url(user="noping", password=SECRET), "--wait", "20s")
        self.assertEqual(data["nodes"][0]["error"]["kind"], "permission")
        self.assertIn("NOPERM", data["nodes"][0]["error"]["message"])

    def test_tls_verification_failure(self):
        self.assertFailsAtOnce(["-u", self.tls_server.url(host="127.0.0.1")], 3)

    def test_plaintext_to_a_tls_port(self):
        self.assertFailsAtOnce(["-p", self.tls_server.port], 3)

    def test_refused_still_waits(self):
        out = rctl("health", "-p", unused_port(), "--wait", "700ms")
        self.assertExit(out, 3)
        self.assertIn("waiting", out.stderr)


if __name__ == "__main__":
    unittest.main()
