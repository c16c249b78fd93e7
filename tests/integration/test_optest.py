"""rctl test: operation tests against real servers (plain, RESP2, TLS, ACL-limited,
renamed commands, read-only replica, cluster), and the promise that a run leaves the
keyspace exactly as it found it, including after Ctrl-C."""

import hashlib
import json
import signal
import subprocess
import time
import unittest

import redis
from redis.cluster import RedisCluster as PyRedisCluster

from harness import RCTL, Certificates, ClusterTestCase, RctlTestCase, RedisServer, rctl, rctl_json

ALL_GROUPS = ["connection", "strings", "keys", "hashes", "lists", "sets", "sorted_sets", "streams",
              "transactions", "scripting", "pubsub", "pipelining", "server"]

# Operations that run once whatever --iterations says (they wait on purpose or walk the
# whole keyspace).
RUN_ONCE = {"expiry", "scan", "blpop_timeout", "function_delete", "unsubscribe"}


def client_for(server, **kw):
    if server.tls:
        certs = Certificates.get()
        return redis.Redis(host="localhost", port=server.port, ssl=True, ssl_ca_certs=certs.ca,
                           ssl_certfile=certs.client, ssl_keyfile=certs.client_key, **kw)
    return redis.Redis(host="127.0.0.1", port=server.port, password=server.password, **kw)


def seed_keys(r):
    """Pre-existing data of every type, with and without TTLs, including keys that look like
    rctl's own (another run's namespace, a near miss) and must survive untouched."""
    r.set("app:user:1", "ann")
    r.set("app:bin", b"\x00\xff\r\n")
    r.set("app:session", "s", ex=3600)
    r.hset("app:hash", mapping={"a": "1", "b": "2"})
    r.rpush("app:list", "x", "y", "z")
    r.sadd("app:set", "m1", "m2")
    r.zadd("app:zset", {"a": 1, "b": 2})
    r.xadd("app:stream", {"f": "v"})
    r.set("rctl:test:{otherrun}:string", "another run's key")
    r.set("rctl:test:other", "near miss")
    r.set("rctl:testing", "near miss")


def digest(clients):
    """(number of keys, sha256 over every key's type, DUMP and whether it has a TTL)."""
    items = []
    for c in clients:
        for k in c.scan_iter(count=1000):
            items.append((k, c.type(k), c.dump(k), c.pttl(k) > 0))
    h = hashlib.sha256()
    for item in sorted(items):
        h.update(repr(item).encode())
    return len(items), h.hexdigest()


def namespace_keys(clients):
    return [k for c in clients for k in c.scan_iter(match="rctl:test:{*", count=1000)
            if not k.startswith(b"rctl:test:{otherrun}")]


class OpTestStandalone(RctlTestCase):
    tls = False
    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(tls=cls.tls, args=cls.server_args)
        cls.r = client_for(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.r.flushall()
        seed_keys(self.r)
        self.before = digest([self.r])

    def tearDown(self):
        # Every test ends with the keyspace as it began (--keep tests clean up themselves).
        self.assertEqual(digest([self.r]), self.before)
        self.assertEqual(self.r.dbsize(), self.before[0])

    def target(self):
        if self.tls:
            certs = Certificates.get()
            return ["-u", self.server.url(host="localhost"), "--cacert", certs.ca]
        return ["-p", str(self.server.port)]

    def run_json(self, *args):
        return rctl_json("test", *args, *self.target())

    def assert_all_pass(self, data, groups=ALL_GROUPS):
        self.assertEqual(data["verdict"], "pass", json.dumps(data["groups"], indent=1))
        self.assertTrue(data["success"])
        self.assertEqual([g["name"] for g in data["groups"]], groups)
        for node in data["nodes"]:
            self.assertIsNone(node["error"])
            self.assertEqual([g["name"] for g in node["groups"]], groups)
            for g in node["groups"]:
                self.assertEqual(g["verdict"], "pass", g)
                for op in g["operations"]:
                    self.assertEqual(op["outcome"], "pass", op)
                    self.assertIsNone(op["reason"])
                    self.assertGreaterEqual(op["latency_ms"]["samples"], 1)

    def test_every_group_passes_and_nothing_is_left_behind(self):
        out, data = self.run_json()
        self.assertExit(out, 0)
        self.assert_all_pass(data)
        self.assertEqual(data["mode"], "standalone")
        self.assertFalse(data["interrupted"])
        self.assertEqual(data["groups_selected"], ALL_GROUPS)
        self.assertEqual(len(data["nodes"]), 1)
        node = data["nodes"][0]
        self.assertRegex(node["namespace"], r"^rctl:test:\{[a-z0-9]{10}\}:$")
        self.assertIn(data["run_id"], node["namespace"])
        self.assertEqual(node["tls"], self.tls)
        self.assertEqual(node["protocol"], 3)
        # Cleanup removed what the run left (counts are exact: known keys that still existed).
        self.assertGreater(node["cleanup"]["keys_removed"], 100)
        self.assertEqual(node["cleanup"]["stray_keys_removed"], 0)
        self.assertTrue(node["cleanup"]["function_library_removed"] is False)  # the test deleted it itself
        self.assertIsNone(node["cleanup"]["error"])
        self.assertEqual(self.r.function_list(), [])
        info = self.r.info("server")
        self.assertEqual(node["server"]["version"], info["redis_version"])
        self.assertEqual(node["server"]["mode"], "standalone")
        self.assertEqual(node["server"]["databases"], 16)
        self.assertEqual(node["server"]["maxmemory_policy"], "noeviction")
        self.assertFalse(node["server"]["cluster_enabled"])
        ops = {op["name"]: op for g in node["groups"] for op in g["operations"]}
        self.assertGreater(ops["pipeline_incr"]["ops_per_sec"], 0)
        self.assertEqual(ops["set_get"]["commands"], ["SET", "GET"])
        self.assertIn("every byte", ops["binary_safe"]["detail"])

    def test_resp2_every_group_passes(self):
        out, data = self.run_json("--resp2")
        self.assertExit(out, 0)
        self.assert_all_pass(data)
        self.assertEqual(data["nodes"][0]["protocol"], 2)

    def test_only_skip_and_iterations(self):
        out, data = self.run_json("--only", "keys,strings", "--iterations", "4")
        self.assertExit(out, 0)
        self.assert_all_pass(data, ["strings", "keys"])
        self.assertEqual(data["iterations"], 4)
        for g in data["nodes"][0]["groups"]:
            for op in g["operations"]:
                want = 1 if op["name"] in RUN_ONCE else 4
                self.assertEqual(op["latency_ms"]["samples"], want, op["name"])
                lat = op["latency_ms"]
                self.assertLessEqual(lat["min"], lat["p50"])
                self.assertLessEqual(lat["p50"], lat["p99"])
                self.assertLessEqual(lat["p99"], lat["max"])
        out, data = self.run_json("--skip", "server, pubsub,scripting")
        self.assertExit(out, 0)
        self.assertEqual(data["groups_selected"],
                         [g for g in ALL_GROUPS if g not in ("server", "pubsub", "scripting")])

    def test_usage_errors_touch_nothing(self):
        for args, fragment in ((["--only", "strings,nope"], "unknown group 'nope'"),
                               (["--skip", "zsets"], "unknown group 'zsets'"),
                               (["--only", "strings", "--skip", "strings"], "no test group left"),
                               (["--only", "strings,,keys"], "empty group name")):
            out, data = self.run_json(*args)
            self.assertExit(out, 2)
            self.assertIn(fragment, data["error"]["message"])
            if "unknown" in fragment:
                self.assertIn("connection, strings, keys", data["error"]["hint"])
            out = rctl("test", *args, *self.target())
            self.assertExit(out, 2)
            self.assertOneLineError(out, fragment)
        for bad in ("0", "-1", "abc"):
            out = rctl("test", "--iterations", bad, *self.target())
            self.assertExit(out, 2)
        out = rctl("test", "-o", "prometheus", *self.target())
        self.assertExit(out, 2)

    def test_keep_leaves_the_namespace_for_inspection(self):
        out, data = self.run_json("--only", "strings,hashes", "--keep")
        self.assertExit(out, 0)
        node = data["nodes"][0]
        self.assertTrue(node["cleanup"]["kept"])
        self.assertIn("keys kept under", out.stderr)
        ns = node["namespace"].encode()
        kept = [k for k in self.r.scan_iter(match=b"rctl:test:{*", count=1000) if k.startswith(ns)]
        self.assertIn(ns + b"string", kept)
        self.assertIn(ns + b"hash", kept)
        self.assertEqual(self.r.get(ns + b"string"), b"hello from rctl")
        self.r.delete(*kept)

    def test_table_output(self):
        out = rctl("test", "--only", "strings,pipelining", *self.target())
        self.assertExit(out, 0)
        for text in ("set_get", "large_value", "pipeline_incr", "Verdict per group", "verdict", "pass",
                     "keys removed", "commands/s"):
            self.assertIn(text, out.stdout)
        self.assertNotIn("\x00", out.stdout)
        self.assertNotIn("\x1b", out.stdout)

    def test_interrupt_removes_every_key(self):
        proc = subprocess.Popen([RCTL, "test", "--skip", "connection", "--iterations", "1000000", "-o", "json",
                                 *self.target()], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 30
            while not namespace_keys([self.r]) and time.time() < deadline and proc.poll() is None:
                time.sleep(0.02)
            self.assertTrue(namespace_keys([self.r]), "the run never wrote a key")
            proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        self.assertEqual(proc.returncode, 130, stderr)
        report = json.loads(stdout)
        self.assertTrue(report["interrupted"])
        self.assertIn("interrupted", stderr)
        node = report["nodes"][0]
        self.assertGreater(node["cleanup"]["keys_removed"], 0)
        self.assertIsNone(node["cleanup"]["error"])
        self.assertEqual(namespace_keys([self.r]), [])


class OpTestTls(OpTestStandalone):
    tls = True


class OpTestRefusals(RctlTestCase):
    """Commands refused by design are `unsupported` (exit 0, 1 with --strict), naming the
    command and the server's reason; what the server allows still passes."""

    @classmethod
    def setUpClass(cls):
        cls.acl_server = RedisServer(acl=["limited on >pw ~* &* +@all -@scripting -@pubsub",
                                          "reader on >pw ~* &* +@read +@connection +@pubsub +info +config|get "
                                          "+time +scan"])
        # As on managed services: CONFIG disabled, EVAL and FUNCTION renamed away.
        cls.renamed_server = RedisServer(args=["--rename-command", "FUNCTION", "", "--rename-command", "EVAL", "",
                                               "--rename-command", "CONFIG", ""])

    @classmethod
    def tearDownClass(cls):
        cls.acl_server.close()
        cls.renamed_server.close()

    def check_unchanged(self, server, run):
        r = client_for(server)
        r.flushall()
        seed_keys(r)
        before = digest([r])
        result = run()
        self.assertEqual(digest([r]), before)
        return result

    def problems(self, data, group):
        g = next(g for g in data["groups"] if g["name"] == group)
        return g["verdict"], {(p["operation"], p["command"]): p["reason"] for p in g["problems"]}

    def test_acl_user_without_scripting_and_pubsub(self):
        target = ["-p", str(self.acl_server.port), "--user", "limited", "-a", "pw", "--no-auth-warning"]
        out, data = self.check_unchanged(self.acl_server, lambda: rctl_json("test", *target))
        self.assertExit(out, 0)
        self.assertEqual(data["verdict"], "unsupported")
        self.assertTrue(data["success"])
        verdicts = {g["name"]: g["verdict"] for g in data["groups"]}
        self.assertEqual(verdicts, {g: ("unsupported" if g in ("scripting", "pubsub") else "pass") for g in ALL_GROUPS})
        verdict, problems = self.problems(data, "scripting")
        self.assertIn(("eval", "EVAL"), problems)
        self.assertIn(("evalsha", "SCRIPT LOAD"), problems)
        self.assertIn(("function_load", "FUNCTION LOAD"), problems)
        for reason in problems.values():
            self.assertTrue(reason.startswith("NOPERM"), reason)
        ops = {op["name"]: op for g in data["nodes"][0]["groups"] for op in g["operations"]}
        self.assertEqual(ops["fcall"]["outcome"], "skipped")
        verdict, problems = self.problems(data, "pubsub")
        self.assertEqual(verdict, "unsupported")
        self.assertTrue(any(cmd in ("SUBSCRIBE", "PUBLISH") for _, cmd in problems))
        self.assertIsNone(data["nodes"][0]["cleanup"]["error"])

        out, data = self.check_unchanged(self.acl_server, lambda: rctl_json("test", "--strict", *target))
        self.assertExit(out, 1)
        self.assertFalse(data["success"])
        out = self.check_unchanged(self.acl_server, lambda: rctl("test", "--only", "scripting", *target))
        self.assertExit(out, 0)
        self.assertIn("unsupported", out.stdout)
        self.assertIn("NOPERM", out.stdout)
        out = rctl("test", "--only", "strings,pubsub", "--skip", "pubsub", "--strict", *target)
        self.assertExit(out, 0)

    def test_read_only_user_is_found_first_and_nothing_is_cleaned(self):
        # A user who may not write: the write groups are not run, one reason and one hint,
        # no "cleanup failed: DEL NOPERM" (nothing was written), exit 0 unless --strict.
        target = ["-p", str(self.acl_server.port), "--user", "reader", "-a", "pw", "--no-auth-warning"]
        out, data = self.check_unchanged(self.acl_server, lambda: rctl_json("test", *target))
        self.assertExit(out, 0)
        verdicts = {g["name"]: g["verdict"] for g in data["groups"]}
        self.assertEqual(verdicts, {g: ("pass" if g in ("connection", "pubsub", "server") else "unsupported")
                                    for g in ALL_GROUPS})
        node = data["nodes"][0]
        self.assertIn("may not write", node["read_only"]["reason"])
        self.assertIn("NOPERM", node["read_only"]["reason"])
        self.assertIn("rctl:test:*", node["read_only"]["hint"])
        self.assertIsNone(node["cleanup"]["error"])
        self.assertEqual(node["cleanup"]["keys_removed"], 0)
        out = self.check_unchanged(self.acl_server, lambda: rctl("test", *target))
        self.assertExit(out, 0)
        self.assertEqual(out.stdout.count("may not write"), 1, out.stdout)
        self.assertNotIn("cleanup failed", out.stderr)
        out = self.check_unchanged(self.acl_server, lambda: rctl("test", "--strict", *target))
        self.assertExit(out, 1)

    def test_renamed_commands_are_unsupported_by_name(self):
        target = ["-p", str(self.renamed_server.port)]
        out, data = self.check_unchanged(self.renamed_server, lambda: rctl_json("test", *target))
        self.assertExit(out, 0)
        verdicts = {g["name"]: g["verdict"] for g in data["groups"]}
        self.assertEqual(verdicts, {g: ("unsupported" if g in ("scripting", "server") else "pass") for g in ALL_GROUPS})
        _, problems = self.problems(data, "scripting")
        self.assertEqual(set(problems), {("eval", "EVAL"), ("function_load", "FUNCTION LOAD")})
        self.assertIn("unknown command", problems[("eval", "EVAL")])
        _, problems = self.problems(data, "server")
        self.assertEqual(set(problems), {("config_get", "CONFIG GET")})
        ops = {op["name"]: op for g in data["nodes"][0]["groups"] for op in g["operations"]}
        self.assertEqual(ops["evalsha"]["outcome"], "pass")  # SCRIPT LOAD + EVALSHA still work
        self.assertIsNone(data["nodes"][0]["server"]["databases"])
        self.assertEqual(data["nodes"][0]["server"]["version"], client_for(self.renamed_server).info()["redis_version"])
        self.assertIsNone(data["nodes"][0]["cleanup"]["error"])
        out = self.check_unchanged(self.renamed_server, lambda: rctl("test", "--strict", "--only", "scripting", *target))
        self.assertExit(out, 1)
        self.assertIn("EVAL", out.stdout)


class OpTestFailures(RctlTestCase):
    """Wrong results are failures (exit 1) with the server's reason, and still leave nothing."""

    def test_read_only_replica_is_found_first_and_names_its_primary(self):
        primary = RedisServer()
        replica = RedisServer(args=["--replicaof", "127.0.0.1", str(primary.port)])
        try:
            seed_keys(client_for(primary))
            deadline = time.time() + 10
            while client_for(replica).dbsize() != client_for(primary).dbsize() and time.time() < deadline:
                time.sleep(0.05)
            before = digest([client_for(primary)])
            out, data = rctl_json("test", "--only", "connection,strings,keys", "-p", replica.port)
            self.assertExit(out, 0)
            self.assertEqual(data["verdict"], "unsupported")
            verdicts = {g["name"]: g["verdict"] for g in data["groups"]}
            self.assertEqual(verdicts, {"connection": "pass", "strings": "unsupported", "keys": "unsupported"})
            node = data["nodes"][0]
            self.assertEqual(node["read_only"]["reason"],
                             f"the server is a read-only replica of 127.0.0.1:{primary.port}")
            self.assertIn(f"127.0.0.1:{primary.port}", node["read_only"]["hint"])
            self.assertIsNone(node["cleanup"]["error"])
            # One reason, not a READONLY line per operation.
            out = rctl("test", "-p", replica.port)
            self.assertExit(out, 0)
            self.assertNotIn("READONLY", out.stdout + out.stderr)
            self.assertEqual(out.stdout.count(f"replica of 127.0.0.1:{primary.port}"), 1, out.stdout)
            self.assertExit(rctl("test", "--strict", "-p", replica.port), 1)
            self.assertEqual(digest([client_for(primary)]), before)
        finally:
            replica.close()
            primary.close()

    def test_server_killed_mid_run(self):
        server = RedisServer()
        try:
            proc = subprocess.Popen([RCTL, "test", "--skip", "connection", "--iterations", "1000000", "-o", "json",
                                     "--timeout", "2s", "-p", str(server.port)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.time() + 30
            while not namespace_keys([client_for(server)]) and time.time() < deadline:
                time.sleep(0.02)
            server.kill()
            stdout, stderr = proc.communicate(timeout=60)
            self.assertEqual(proc.returncode, 1, stderr)
            report = json.loads(stdout)
            node = report["nodes"][0]
            self.assertEqual(node["verdict"], "fail")
            self.assertEqual(node["error"]["kind"], "connect")
            self.assertIsNotNone(node["cleanup"]["error"])
            self.assertIn("cleanup failed", stderr)
            self.assertIn("rctl cache invalidate", stderr)
        finally:
            server.close()

    def test_unreachable_server_exits_3(self):
        server = RedisServer()
        port = server.port
        server.close()
        out, data = rctl_json("test", "-p", port)
        self.assertExit(out, 3)
        self.assertEqual(data["error"]["kind"], "connect")


class OpTestCluster(ClusterTestCase):
    def primaries(self):
        return [client_for(n) for n in self.cluster.nodes_by_role()["master"]]

    def setUp(self):
        for c in self.primaries():
            c.flushall()
        seed = self.cluster.seed()
        if self.tls:
            certs = Certificates.get()
            rc = PyRedisCluster(host="127.0.0.1", port=seed.port, ssl=True, ssl_ca_certs=certs.ca,
                                ssl_certfile=certs.client, ssl_keyfile=certs.client_key)
        else:
            rc = PyRedisCluster(host="127.0.0.1", port=seed.port)
        seed_keys(rc)
        rc.close()
        self.before = digest(self.primaries())

    def tearDown(self):
        self.assertEqual(digest(self.primaries()), self.before)
        self.assertEqual(sum(c.dbsize() for c in self.primaries()), self.before[0])

    def test_every_primary_runs_the_suite_in_its_own_slot(self):
        out, data = rctl_json("test", *self.target())
        self.assertExit(out, 0)
        self.assertEqual(data["mode"], "cluster")
        self.assertEqual(data["verdict"], "pass", json.dumps(data["groups"], indent=1))
        primaries = {f"127.0.0.1:{n.port}": n for n in self.cluster.nodes_by_role()["master"]}
        self.assertEqual({n["address"] for n in data["nodes"]}, set(primaries))
        namespaces = set()
        for node in data["nodes"]:
            self.assertEqual([g["name"] for g in node["groups"]], ALL_GROUPS)
            for g in node["groups"]:
                self.assertEqual(g["verdict"], "pass", g)
            ns = node["namespace"]
            namespaces.add(ns)
            self.assertIn(data["run_id"], ns)
            # The namespace's slot is served by the node that ran it.
            owner = client_for(primaries[node["address"]])
            self.assertEqual(owner.execute_command("CLUSTER", "KEYSLOT", ns + "x"), node["slot"])
            self.assertEqual(owner.exists(ns + "x"), 0)  # served here: no MOVED
            self.assertTrue(node["server"]["cluster_enabled"])
            self.assertEqual(node["server"]["mode"], "cluster")
            self.assertGreater(node["cleanup"]["keys_removed"], 100)
            self.assertIsNone(node["cleanup"]["error"])
            self.assertEqual(node["tls"], self.tls)
        self.assertEqual(len(namespaces), 3)
        for c in self.primaries():
            self.assertEqual(c.function_list(), [])

    def test_interrupt_removes_every_key_on_every_node(self):
        proc = subprocess.Popen([RCTL, "test", "--only", "strings,keys", "--iterations", "1000000", "-o", "json",
                                 *self.target()], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 30
            while not namespace_keys(self.primaries()) and time.time() < deadline and proc.poll() is None:
                time.sleep(0.02)
            self.assertTrue(namespace_keys(self.primaries()), "the run never wrote a key")
            proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        self.assertEqual(proc.returncode, 130, stderr)
        report = json.loads(stdout)
        self.assertTrue(report["interrupted"])
        # Interrupted during the first primary: the others were never started.
        self.assertEqual(len(report["nodes"]), 1)
        self.assertEqual(namespace_keys(self.primaries()), [])


class OpTestTlsCluster(OpTestCluster):
    tls = True


if __name__ == "__main__":
    unittest.main()
