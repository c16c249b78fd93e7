"""rctl health against real servers: plain and TLS run the same cases."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from faults import FakeServer, Proxy, silent, unused_port
from harness import RCTL, Certificates, RctlTestCase, RedisServer, rctl, rctl_json


class HealthCases:
    tls = False

    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(tls=cls.tls)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def target(self):
        return ["-u", self.server.url(), *self.server.tls_args()]

    def test_healthy_server_exits_0_with_documented_json(self):
        out, data = rctl_json("health", *self.target())
        self.assertExit(out, 0)
        self.assertEqual(data["status"], "ok")
        self.assertTrue(data["healthy"])
        self.assertEqual(data["mode"], "standalone")
        self.assertEqual(data["provider"], "local")
        self.assertIsNone(data["cluster"])
        node = data["nodes"][0]
        self.assertTrue(node["reachable"])
        self.assertEqual(node["role"], "master")
        self.assertEqual(node["latency_ms"]["samples"], 5)
        for key in ("min", "p50", "p99", "max"):
            self.assertGreaterEqual(node["latency_ms"][key], 0)
        self.assertLessEqual(node["latency_ms"]["min"], node["latency_ms"]["max"])
        self.assertGreater(node["memory"]["used_bytes"], 0)
        self.assertEqual(node["memory"]["policy"], "noeviction")
        self.assertEqual(node["server"]["version"].split(".")[0], "7")
        self.assertEqual(node["protocol"], 3)
        self.assertIn("connect_ms", node)
        if self.tls:
            self.assertGreater(node["tls_handshake_ms"], 0)
            self.assertTrue(node["tls"]["version"].startswith("TLS"))
        else:
            self.assertIsNone(node["tls"])
        names = {c["name"] for c in data["checks"]}
        self.assertTrue({"reachable", "latency", "memory", "replication"} <= names)

    def test_samples_flag_sets_ping_count(self):
        out, data = rctl_json("health", "--samples", "12", *self.target())
        self.assertExit(out, 0)
        self.assertEqual(data["nodes"][0]["latency_ms"]["samples"], 12)

    def test_table_output_names_node_and_status(self):
        out = rctl("health", *self.target())
        self.assertExit(out, 0)
        self.assertIn("OK", out.stdout)
        self.assertIn(f":{self.server.port}", out.stdout)

    def test_nagios_line_and_perfdata(self):
        out = rctl("health", "-o", "nagios", *self.target())
        self.assertExit(out, 0)
        line = out.stdout.strip()
        self.assertEqual(len(out.stdout.splitlines()), 1)
        self.assertRegex(line, r"^REDIS OK: .* \| 'latency_p99'=[0-9.]+ms;100;500;0; 'used_memory'=\d+B;;;0;")

    def test_latency_threshold_makes_it_critical(self):
        # A 0ms critical threshold can only be met by a zero round trip: critical, exit 1.
        out, data = rctl_json("health", "--latency-warn", "0ms", "--latency-crit", "0ms", *self.target())
        self.assertExit(out, 1)
        self.assertEqual(data["status"], "critical")
        out = rctl("health", "-o", "nagios", "--latency-warn", "0ms", "--latency-crit", "0ms", *self.target())
        self.assertExit(out, 2)
        self.assertTrue(out.stdout.startswith("REDIS CRITICAL"))

    def test_warning_exits_0_unless_strict(self):
        args = ["health", "--latency-warn", "0ms", "--latency-crit", "10s", *self.target()]
        out, data = rctl_json(*args)
        self.assertExit(out, 0)
        self.assertEqual(data["status"], "warning")
        out, _ = rctl_json(*args, "--strict")
        self.assertExit(out, 1)

    def test_memory_thresholds_against_maxmemory(self):
        server = RedisServer(tls=self.tls, args=["--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru"])
        try:
            out, data = rctl_json("health", "-u", server.url(), *server.tls_args(), "--memory-warn", "1",
                                  "--memory-crit", "2")
            self.assertExit(out, 1)
            mem = data["nodes"][0]["memory"]
            self.assertEqual(mem["max_bytes"], 2 * 1024 * 1024)
            self.assertEqual(mem["policy"], "allkeys-lru")
            self.assertGreater(mem["used_ratio"], 0.02)
            self.assertEqual([c["status"] for c in data["checks"] if c["name"] == "memory"], ["critical"])
        finally:
            server.close()

    def test_stats_json_fields(self):
        self.server.cli("SET", "k1", "v")
        self.server.cli("GET", "k1")
        self.server.cli("GET", "missing")
        out, data = rctl_json("stats", *self.target())
        self.assertExit(out, 0)
        node = data["nodes"][0]
        self.assertGreaterEqual(node["stats"]["keyspace_hits_total"], 1)
        self.assertGreaterEqual(node["stats"]["keyspace_misses_total"], 1)
        self.assertIsNotNone(node["stats"]["hit_rate"])
        self.assertGreaterEqual(node["keyspace"][0]["keys"], 1)
        names = [c["name"] for c in node["commands"]]
        self.assertIn("get", names)
        get = next(c for c in node["commands"] if c["name"] == "get")
        self.assertGreaterEqual(get["calls"], 2)
        self.assertIsNotNone(get["latency_us"]["p50"])
        self.assertGreaterEqual(data["totals"]["keys"], 1)
        self.assertEqual(data["mode"], "standalone")

    def test_stats_prometheus_format(self):
        out = rctl("stats", "-o", "prometheus", *self.target())
        self.assertExit(out, 0)
        check_prometheus(self, out.stdout)
        self.assertRegex(out.stdout, r'redis_up\{addr="[a-z0-9.]+:%d"\} 1\n' % self.server.port)
        self.assertIn("redis_memory_used_bytes{", out.stdout)
        self.assertIn('redis_commands_total{addr=', out.stdout)
        # Issue 17 item 18: Prometheus's own linter accepts it (latency percentiles are a
        # summary, not gauges with a quantile label; no abbreviated units).
        self.assertIn('redis_command_latency_seconds{addr=', out.stdout)
        promtool_check(self, out.stdout)

    def test_stats_textfile_is_replaced_atomically(self):
        d = tempfile.mkdtemp(prefix="rctl-textfile-")
        try:
            path = os.path.join(d, "redis.prom")
            with open(path, "w") as f:
                f.write("old\n")
            out = rctl("stats", "--textfile", path, *self.target())
            self.assertExit(out, 0)
            self.assertEqual(out.stdout, "")
            with open(path) as f:
                text = f.read()
            self.assertIn("redis_up{", text)
            promtool_check(self, text)
            self.assertEqual(os.listdir(d), ["redis.prom"])  # no temporary file left behind
            self.assertEqual(os.stat(path).st_mode & 0o444, 0o444)  # node_exporter can read it
            out = rctl("stats", "--textfile", path, "-o", "json", *self.target())
            self.assertExit(out, 2)
            out = rctl("stats", "--textfile", os.path.join(d, "missing", "x.prom"), *self.target())
            self.assertNotEqual(out.returncode, 0)
            self.assertEqual(os.listdir(d), ["redis.prom"])
        finally:
            shutil.rmtree(d)

    def test_stats_watch_prints_rate_lines(self):
        out = rctl("stats", "--watch", "200ms", "--count", "2", "-o", "json", *self.target())
        self.assertExit(out, 0)
        lines = out.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        for line in lines:
            row = json.loads(line)
            self.assertGreaterEqual(row["ops_per_sec"], 0)
            self.assertGreater(row["interval_seconds"], 0.1)


def promtool_check(test, text):
    """Prometheus's own linter (Debian package prometheus): exit 0 and nothing to say."""
    lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    test.assertEqual((lint.returncode, lint.stdout + lint.stderr), (0, ""), text)


def check_prometheus(test, text):
    """Exposition-format checks: HELP and TYPE once per family, before its samples; escaped
    label values; a final newline."""
    test.assertTrue(text.endswith("\n"))
    seen_help, seen_type, families_with_samples = set(), set(), set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split()[2]
            test.assertNotIn(name, seen_help, f"HELP twice for {name}")
            test.assertNotIn(name, families_with_samples, f"HELP after samples for {name}")
            seen_help.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            test.assertNotIn(name, seen_type, f"TYPE twice for {name}")
            test.assertIn(kind, ("gauge", "counter", "summary", "histogram", "untyped"))
            seen_type.add(name)
        else:
            m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$', line)
            test.assertIsNotNone(m, f"bad sample line: {line!r}")
            family = m.group(1)
            if family not in seen_type:  # a summary's or histogram's own samples
                family = re.sub(r"_(sum|count|bucket)$", "", family)
            test.assertIn(family, seen_type, f"sample before TYPE: {line!r}")
            float(m.group(4).replace("+Inf", "inf").replace("-Inf", "-inf"))
            families_with_samples.add(family)
    test.assertEqual(seen_help, seen_type)


class PlainHealth(HealthCases, RctlTestCase):
    tls = False

    def test_replica_waiting_for_bgsave_is_named(self):
        """Issue 17 item 14: a replica in wait_bgsave gives a warning naming its state, not
        "worst lag 0s"."""
        primary = RedisServer(args=["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "60"])
        replica = RedisServer()
        self.addCleanup(primary.close)
        self.addCleanup(replica.close)
        replica.cli("REPLICAOF", "127.0.0.1", str(primary.port))
        deadline = time.monotonic() + 10
        while "state=wait_bgsave" not in primary.cli("INFO", "replication"):
            self.assertLess(time.monotonic(), deadline, primary.cli("INFO", "replication"))
            time.sleep(0.05)
        out, data = rctl_json("health", "-u", primary.url())
        self.assertExit(out, 0)  # a warning: exit 1 only with --strict
        check = next(c for c in data["checks"] if c["name"] == "replication")
        self.assertEqual(check["status"], "warning")
        self.assertIn("wait_bgsave", check["message"])
        self.assertNotIn("worst lag 0s", check["message"])

    def test_duration_counts_connecting(self):
        """Issue 17 item 13: the whole check is timed, connecting and the handshake included,
        so a slow handshake shows in duration_ms / "checked in"."""
        proxy = Proxy(self.server.port, lambda cmd, nth: "slow" if cmd[0] == b"HELLO" else None)
        self.addCleanup(proxy.close)
        out, data = rctl_json("health", "-u", f"redis://127.0.0.1:{proxy.port}")
        self.assertExit(out, 0)
        node = data["nodes"][0]
        self.assertGreater(node["handshake_ms"], 20)
        self.assertGreaterEqual(data["duration_ms"], node["connect_ms"] + node["handshake_ms"])

    def test_unix_socket(self):
        server = RedisServer(unix=True)
        try:
            out, data = rctl_json("health", "-s", server.unix)
            self.assertExit(out, 0)
            self.assertEqual(data["nodes"][0]["address"], "unix:" + server.unix)
            out, data = rctl_json("health", "-u", "unix://" + server.unix)
            self.assertExit(out, 0)
        finally:
            server.close()

    def test_stats_prometheus_reports_a_down_server_as_redis_up_0(self):
        port = unused_port()
        out = rctl("stats", "-o", "prometheus", "-p", str(port))
        self.assertExit(out, 3)
        self.assertIn(f'redis_up{{addr="127.0.0.1:{port}"}} 0\n', out.stdout)
        check_prometheus(self, out.stdout)
        promtool_check(self, out.stdout)
        self.assertOneLineError(out, "refused")

    def test_resp2_flag_skips_hello(self):
        out, data = rctl_json("health", "--resp2", *self.target())
        self.assertExit(out, 0)
        self.assertEqual(data["nodes"][0]["protocol"], 2)

    def test_environment_url_and_role_fallback(self):
        out, data = rctl_json("health", env={"REDIS_URL": self.server.url()})
        self.assertExit(out, 0)
        self.assertEqual(data["nodes"][0]["address"], f"127.0.0.1:{self.server.port}")
        out, data = rctl_json("health", env={"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.server.port)})
        self.assertExit(out, 0)

    def test_flags_beat_environment(self):
        out, data = rctl_json("health", "-p", str(self.server.port), env={"REDIS_URL": "redis://127.0.0.1:1"})
        self.assertExit(out, 0)

    def test_bad_url_is_usage_error_without_password(self):
        out, data = rctl_json("health", "-u", "redis://:hunter2@127.0.0.1:99999")
        self.assertExit(out, 2)
        self.assertEqual(data["error"]["kind"], "usage")
        self.assertIn("invalid port", data["error"]["message"])
        self.assertNoSecret(out, "hunter2")
        out = rctl("health", "-u", "redis://:pa%zzss@host")
        self.assertExit(out, 2)
        self.assertOneLineError(out, "illegal character in URL encoding")

    def test_bad_flag_is_usage_error_with_json(self):
        out, data = rctl_json("health", "--no-such-flag")
        self.assertExit(out, 2)
        self.assertEqual(data["error"]["kind"], "usage")
        out = rctl("health", "--samples", "0", "-p", str(self.server.port))
        self.assertExit(out, 2)

    def test_usage_errors_name_what_is_missing_and_point_at_that_commands_help(self):
        cases = [
            (["bogus"], "unknown command 'bogus': one of health, stats, keys", "see rctl --help"),
            ([], "missing command: one of health, stats, keys", "see rctl --help"),
            (["cache"], "missing command: one of get, set, del", "see rctl cache --help"),
            (["cache", "nope"], "unknown command 'nope': one of get, set", "see rctl cache --help"),
            (["cache", "get"], "missing argument KEY", "see rctl cache get --help"),
            (["job", "enqueue"], "missing argument FUNC", "see rctl job enqueue --help"),
            (["cache", "invalidate", "x:", "--bogus"], "--bogus", "see rctl cache invalidate --help"),
        ]
        for args, message, hint in cases:
            out, data = rctl_json(*args)
            self.assertExit(out, 2)
            self.assertIn(message, data["error"]["message"], args)
            self.assertEqual(data["error"]["hint"], hint, args)
            self.assertOneLineError(rctl(*args), message)

    def test_unexpected_arguments_are_listed_in_the_order_given(self):
        # Issue 17 item 21: CLI11 listed them last-first ("app:* --pattern --scan").
        out = rctl("cache", "keys", "app:", "--scan", "--pattern", "app:*", "-p", str(self.server.port))
        self.assertExit(out, 2)
        self.assertOneLineError(out, "not expected: --scan --pattern app:*")

    def test_json_flag_suggests_the_output_option(self):
        out, data = rctl_json("health", "--json")
        self.assertExit(out, 2)
        self.assertIn("--json", data["error"]["message"])
        self.assertIn("-o json", data["error"]["hint"])

    def test_wrong_output_format_for_command(self):
        # Under -o nagios a monitor reads stdout and the plugin codes: UNKNOWN, 3.
        out = rctl("stats", "-o", "nagios", "-p", str(self.server.port))
        self.assertExit(out, 3)
        self.assertOneLineError(out, "does not support -o nagios")
        self.assertEqual(out.stdout, "REDIS UNKNOWN: stats does not support -o nagios\n")

    def test_nothing_listening_is_exit_3_at_once(self):
        port = unused_port()
        out, data = rctl_json("health", "-p", str(port))
        self.assertExit(out, 3)
        self.assertEqual(data["error"]["kind"], "connect")
        self.assertIn("refused", data["error"]["message"].lower())
        out = rctl("health", "-o", "nagios", "-p", str(port))
        self.assertExit(out, 2)
        self.assertTrue(out.stdout.startswith("REDIS CRITICAL"))

    def test_server_that_never_answers_times_out_with_exit_3(self):
        fake = FakeServer(silent)
        try:
            out, data = rctl_json("health", "-p", str(fake.port), "--timeout", "700ms")
            self.assertExit(out, 3)
            self.assertEqual(data["error"]["kind"], "timeout")
            self.assertIn("no complete reply", data["error"]["message"])
            self.assertIn("0.7s", data["error"]["message"])
        finally:
            fake.close()

    def test_health_wait_until_server_starts(self):
        port = unused_port()
        proc = subprocess.Popen([RCTL, "health", "-p", str(port), "--wait", "20s",
                                 "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={"PATH": os.environ["PATH"], "NO_COLOR": "1"})
        time.sleep(1.0)
        self.assertIsNone(proc.poll(), "health --wait returned before the server existed")
        server = RedisServer(args=[])
        server.stop()
        server.port = port
        server.restart()
        try:
            stdout, stderr = proc.communicate(timeout=30)
            self.assertEqual(proc.returncode, 0, stderr)
            self.assertEqual(json.loads(stdout)["status"], "ok")
            self.assertIn("waiting", stderr)
        finally:
            server.close()

    def test_health_wait_gives_up_at_deadline(self):
        out = rctl("health", "-p", str(unused_port()), "--wait", "600ms")
        self.assertExit(out, 3)
        self.assertOneLineError(out, "refused")

    def test_plaintext_client_to_tls_port_hints_at_rediss(self):
        tls_server = RedisServer(tls=True)
        try:
            out = rctl("health", "-p", str(tls_server.port), "--timeout", "3s")
            self.assertExit(out, 3)
            self.assertIn("rediss://", out.stderr)
        finally:
            tls_server.close()


class TlsHealth(HealthCases, RctlTestCase):
    tls = True

    def target(self):
        return ["-u", self.server.url(host="localhost"), "--cacert", Certificates.get().ca]

    def test_ip_address_verified_against_ip_san(self):
        out, data = rctl_json("health", "-u", self.server.url(host="127.0.0.1"), "--cacert", Certificates.get().ca)
        self.assertExit(out, 0)

    def test_untrusted_ca_is_refused(self):
        out, data = rctl_json("health", "-u", self.server.url(host="localhost"))
        self.assertExit(out, 3)
        self.assertEqual(data["error"]["kind"], "tls")
        self.assertIn("not trusted", data["error"]["message"])

    def test_certificate_for_another_host_is_refused_unless_insecure(self):
        other = RedisServer(tls=True, cert="other")
        try:
            out, data = rctl_json("health", "-u", other.url(host="localhost"), "--cacert", Certificates.get().ca)
            self.assertExit(out, 3)
            self.assertIn("does not match host name 'localhost'", data["error"]["message"])
            out, data = rctl_json("health", "-u", other.url(host="127.0.0.1"), "--cacert", Certificates.get().ca)
            self.assertExit(out, 3)
            self.assertIn("does not match IP address 127.0.0.1", data["error"]["message"])
            out, data = rctl_json("health", "-u", other.url(host="localhost"), "--insecure")
            self.assertExit(out, 0)
            self.assertIn("--insecure", out.stderr)
            self.assertIn("warning", out.stderr)
            # --sni names the certificate's host while connecting to another address.
            out, data = rctl_json("health", "-u", other.url(host="127.0.0.1"), "--sni", "other.example",
                                  "--cacert", Certificates.get().ca)
            self.assertExit(out, 0)
        finally:
            other.close()

    def test_certificate_with_only_a_cn_is_refused(self):
        """RFC 6125: a DNS name is matched against subjectAltName only; a certificate whose CN
        says localhost but that has no SAN is refused (OpenSSL alone falls back to the CN)."""
        server = RedisServer(tls=True, cert="cn_only")
        try:
            out, data = rctl_json("health", "-u", server.url(host="localhost"), "--cacert", Certificates.get().ca)
            self.assertExit(out, 3)
            self.assertEqual(data["error"]["kind"], "tls")
            self.assertIn("does not match host name 'localhost'", data["error"]["message"])
        finally:
            server.close()

    def test_url_turning_off_host_name_checks_warns(self):
        other = RedisServer(tls=True, cert="other")
        try:
            url = other.url(host="localhost") + "?ssl_check_hostname=false"
            out, data = rctl_json("health", "-u", url, "--cacert", Certificates.get().ca)
            self.assertExit(out, 0)
            self.assertIn("rctl: warning: the URL's ssl_check_hostname=false turns off TLS host name "
                          "verification", out.stderr)
        finally:
            other.close()

    def test_tls_client_to_plaintext_port_fails_clearly(self):
        plain = RedisServer()
        try:
            out, data = rctl_json("health", "-u", f"rediss://127.0.0.1:{plain.port}", "--cacert",
                                  Certificates.get().ca, "--timeout", "3s")
            self.assertExit(out, 3)
            self.assertIn(data["error"]["kind"], ("tls", "timeout"))
            self.assertIn("redis://", out.stderr)
        finally:
            plain.close()

    def test_mutual_tls_client_certificate(self):
        server = RedisServer(tls=True, tls_client_auth=True)
        certs = Certificates.get()
        try:
            out, _ = rctl_json("health", "-u", server.url(host="localhost"), "--cacert", certs.ca,
                               "--timeout", "3s")
            self.assertNotEqual(out.returncode, 0)
            out, data = rctl_json("health", "-u", server.url(host="localhost"), "--cacert", certs.ca,
                                  "--cert", certs.client, "--key", certs.client_key)
            self.assertExit(out, 0)
        finally:
            server.close()


class CertificateExpiry(RctlTestCase):
    """Servers whose certificates the test makes valid for 3, 10 and 400 days."""

    @classmethod
    def setUpClass(cls):
        certs = Certificates.get()
        cls.servers = {}
        for days in (3, 10, 400):
            certs.issue(f"expiry{days}", days)
            cls.servers[days] = RedisServer(tls=True, cert=f"expiry{days}")

    @classmethod
    def tearDownClass(cls):
        for server in cls.servers.values():
            server.close()

    def health(self, days, *args):
        return rctl_json("health", "-u", self.servers[days].url(), "--cacert", Certificates.get().ca, *args)

    def certificate_check(self, data):
        checks = [c for c in data["checks"] if c["name"] == "certificate"]
        self.assertEqual(len(checks), 1)
        return checks[0]

    def test_days_to_expiry_in_json_with_version_and_cipher(self):
        for days in (3, 10, 400):
            out, data = self.health(days)
            tls = data["nodes"][0]["tls"]
            self.assertTrue(tls["version"].startswith("TLSv1."))
            self.assertTrue(tls["cipher"])
            # Issued a moment ago for `days` days: just under that many days left.
            self.assertGreater(tls["certificate_expires_in_days"], days - 1)
            self.assertLessEqual(tls["certificate_expires_in_days"], days)
            self.assertRegex(tls["certificate_not_after"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_levels_by_default_thresholds(self):
        out, data = self.health(400)
        self.assertExit(out, 0)
        self.assertEqual(self.certificate_check(data)["status"], "ok")
        out, data = self.health(10)
        self.assertExit(out, 0)  # a warning is not a failure without --strict
        self.assertEqual(self.certificate_check(data)["status"], "warning")
        self.assertExit(self.health(10, "--strict")[0], 1)
        out, data = self.health(3)
        self.assertExit(out, 1)
        self.assertEqual(self.certificate_check(data)["status"], "critical")
        self.assertIn("expires in 2 days", self.certificate_check(data)["message"])

    def test_thresholds_settable(self):
        out, data = self.health(10, "--cert-warn-days", "5", "--cert-crit-days", "2")
        self.assertEqual(self.certificate_check(data)["status"], "ok")
        out, data = self.health(400, "--cert-warn-days", "500", "--cert-crit-days", "450")
        self.assertEqual(self.certificate_check(data)["status"], "critical")
        out, data = self.health(3, "--cert-warn-days", "1", "--cert-crit-days", "5")
        self.assertExit(out, 2)

    def test_table_and_nagios_name_the_expiry(self):
        out = rctl("health", "-u", self.servers[3].url(), "--cacert", Certificates.get().ca)
        self.assertIn("TLS certificate expires in 2 days", out.stdout)
        out = rctl("health", "-u", self.servers[3].url(), "--cacert", Certificates.get().ca, "-o", "nagios")
        self.assertEqual(out.returncode, 2)

    def test_plaintext_has_no_certificate_check(self):
        server = RedisServer()
        try:
            out, data = rctl_json("health", "-p", server.port)
            self.assertEqual([c for c in data["checks"] if c["name"] == "certificate"], [])
            self.assertIsNone(data["nodes"][0]["tls"])
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
