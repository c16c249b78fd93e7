"""rctl call: any command against standalone, TLS and a 3+3 cluster; routing by key slot,
CROSSSLOT before sending, fan-out, RESP3 reply types, binary replies in JSON and --raw, exit 6
on an error reply, refused subscriptions and endless blocking."""

import base64
import json
import subprocess
import unittest

import redis

from harness import RCTL, Certificates, ClusterTestCase, RctlTestCase, RedisServer, ServerTestCase, rctl

BINARY = b"\xff\x00\x1b[2Jbin"


def call_json(*args):
    """rctl -o json ... : -o goes before `call`, since everything after COMMAND is the server's."""
    i = args.index("call")
    out = rctl(*args[:i], "-o", "json", *args[i:])
    try:
        return out, json.loads(out.stdout)
    except json.JSONDecodeError as e:
        raise AssertionError(f"stdout is not JSON ({e}): {out.stdout!r}\nstderr: {out.stderr}")


class CallStandalone(ServerTestCase):
    def call(self, *args, as_json=False):
        base = ["-p", self.server.port]
        return call_json(*base, "call", *args) if as_json else rctl(*base, "call", *args)

    def test_arguments_that_look_like_flags_reach_the_server(self):
        self.assertExit(self.call("SET", "k", "-1"), 0)
        self.assertEqual(self.r.get("k"), b"-1")
        self.assertExit(self.call("SET", "-h", "--help"), 0)
        self.assertEqual(self.r.get("-h"), b"--help")
        out = self.call("GET", "-h")
        self.assertExit(out, 0)
        self.assertEqual(out.stdout, '"--help"\n')

    def test_reply_json_names_type_and_node(self):
        self.r.set("k", "v")
        out, data = self.call("GET", "k", as_json=True)
        self.assertExit(out, 0)
        self.assertEqual(data, {"node": f"127.0.0.1:{self.server.port}", "role": "primary",
                                "type": "bulk_string", "reply": "v"})
        out, data = self.call("GET", "missing", as_json=True)
        self.assertEqual((data["type"], data["reply"]), ("null", None))
        self.assertEqual(self.call("GET", "missing").stdout, "(nil)\n")

    def test_resp3_types_kept(self):
        self.r.hset("h", mapping={"a": "1", "b": "2"})
        self.r.sadd("s", "x")
        self.r.zadd("z", {"m": 1.5})
        _, data = self.call("HGETALL", "h", as_json=True)
        self.assertEqual((data["type"], data["reply"]), ("map", {"a": "1", "b": "2"}))
        _, data = self.call("SMEMBERS", "s", as_json=True)
        self.assertEqual((data["type"], data["reply"]), ("set", ["x"]))
        _, data = self.call("ZSCORE", "z", "m", as_json=True)
        self.assertEqual((data["type"], data["reply"]), ("double", 1.5))
        _, data = self.call("INFO", "server", as_json=True)
        self.assertEqual(data["type"], "verbatim_string")
        self.assertIn("redis_version:", data["reply"])
        table = self.call("HGETALL", "h").stdout
        self.assertEqual(table, '1# "a" => "1"\n2# "b" => "2"\n')
        self.assertEqual(self.call("ZSCORE", "z", "m").stdout, "(double) 1.5\n")
        self.assertIn("\nredis_version:", self.call("INFO", "server").stdout)

    def test_binary_reply_json_base64_table_escaped_raw_exact(self):
        self.r.set("bin", BINARY)
        out, data = self.call("GET", "bin", as_json=True)
        self.assertExit(out, 0)
        self.assertEqual(base64.b64decode(data["reply"]["base64"]), BINARY)
        raw = subprocess.run([RCTL, "-p", str(self.server.port), "call", "--raw", "GET", "bin"], capture_output=True)
        self.assertEqual(raw.returncode, 0)
        self.assertEqual(raw.stdout, BINARY)
        table = subprocess.run([RCTL, "-p", str(self.server.port), "call", "GET", "bin"], capture_output=True)
        self.assertNotIn(b"\x1b", table.stdout)
        self.assertEqual(table.stdout, b'"\\xff\\x00\\x1b[2Jbin"\n')

    def test_error_reply_exits_6_with_json_error(self):
        self.r.set("k", "v")
        out = self.call("LPUSH", "k", "x")
        self.assertExit(out, 6)
        self.assertOneLineError(out, "WRONGTYPE")
        out, data = self.call("LPUSH", "k", "x", as_json=True)
        self.assertExit(out, 6)
        self.assertIn("WRONGTYPE", data["error"]["message"])
        out = self.call("NOSUCHCOMMAND", "x")
        self.assertExit(out, 6)

    def test_subscriptions_and_endless_blocking_are_refused(self):
        for args in (["SUBSCRIBE", "ch"], ["MONITOR"], ["BLPOP", "q", "0"]):
            out = self.call(*args)
            self.assertExit(out, 2)
            self.assertEqual(out.stdout, "")

    def test_blocking_command_waits_its_own_timeout_beyond_the_reply_deadline(self):
        out = rctl("-p", self.server.port, "--timeout", "300ms", "call", "BLPOP", "q", "1")
        self.assertExit(out, 0)
        self.assertEqual(out.stdout, "(nil)\n")

    def test_fan_out_on_standalone_is_one_node(self):
        out, data = self.call("--all-nodes", "PING", as_json=True)
        self.assertExit(out, 0)
        self.assertEqual(data["nodes"], [{"node": f"127.0.0.1:{self.server.port}", "role": "primary",
                                          "type": "simple_string", "reply": "PONG"}])

    def test_usage_errors(self):
        self.assertExit(self.call(), 2)
        self.assertExit(self.call("--node", "127.0.0.1:1", "PING"), 2)
        self.assertExit(self.call("--all-nodes", "--all-primaries", "PING"), 2)
        self.assertExit(rctl("-p", self.server.port, "-o", "json", "call", "--raw", "PING"), 2)
        self.assertExit(self.call("--raw", "--all-nodes", "PING"), 2)

    def test_help(self):
        out = rctl("call", "--help")
        self.assertExit(out, 0)
        self.assertIn("--all-primaries", out.stdout)


class CallResp3Debug(RctlTestCase):
    """The reply types only DEBUG PROTOCOL produces (big numbers, booleans, attributes)."""

    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(args=["--enable-debug-command", "local"])

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def debug(self, kind):
        return call_json("-p", self.server.port, "call", "DEBUG", "PROTOCOL", kind)

    def test_big_number_exact_boolean_verbatim(self):
        out, data = self.debug("bignum")
        self.assertExit(out, 0)
        self.assertEqual(data["type"], "big_number")
        self.assertEqual(data["reply"], "1234567999999999999999999999999999999")
        self.assertIn("(big number) 1234567999999999999999999999999999999",
                      rctl("-p", self.server.port, "call", "DEBUG", "PROTOCOL", "bignum").stdout)
        _, data = self.debug("true")
        self.assertEqual((data["type"], data["reply"]), ("boolean", True))
        _, data = self.debug("verbatim")
        self.assertEqual(data["type"], "verbatim_string")
        # An attribute annotates the value after it: kept beside it.
        out, data = self.debug("attrib")
        self.assertExit(out, 0)
        self.assertEqual(data["type"], "bulk_string")
        self.assertIn("key-popularity", data["attributes"])
        table = rctl("-p", self.server.port, "call", "DEBUG", "PROTOCOL", "attrib").stdout
        self.assertTrue(table.startswith('(attribute) 1# "key-popularity" => '), table)

    def test_resp2_connection_gets_resp2_types(self):
        # HELLO 3 is the default; protocol=2 asks for RESP2, where a map is a flat array.
        out, data = call_json("-u", f"redis://127.0.0.1:{self.server.port}?protocol=2", "call", "DEBUG",
                              "PROTOCOL", "map")
        self.assertExit(out, 0)
        self.assertEqual(data["type"], "array")
        _, data = self.debug("map")
        self.assertEqual(data["type"], "map")


class CallTls(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(tls=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_call_over_tls_verifies_and_answers(self):
        out, data = call_json("-u", self.server.url(), "--cacert", Certificates.get().ca, "call", "PING")
        self.assertExit(out, 0)
        self.assertEqual(data["reply"], "PONG")
        out = rctl("-u", self.server.url(), "call", "PING")  # no CA: the certificate is refused
        self.assertExit(out, 3)


class CallCluster(ClusterTestCase):
    def call(self, *args):
        return call_json(*self.target(), "call", *args)

    def owner(self, key):
        rc = redis.RedisCluster(host="127.0.0.1", port=self.cluster.seed().port)
        try:
            node = rc.get_node_from_key(key)
            return f"{node.host}:{node.port}"
        finally:
            rc.close()

    def test_keyed_commands_route_by_slot(self):
        for i in range(12):
            key = f"call:key:{i}"
            out, data = self.call("SET", key, f"v{i}")
            self.assertExit(out, 0)
            self.assertEqual(data["reply"], "OK")
            owner = self.owner(key)
            self.assertEqual(data["node"], owner)
            out, data = self.call("GET", key)
            self.assertEqual(data["reply"], f"v{i}")
            # The node that was named holds the key itself: no redirect needed.
            out, data = self.call("--node", owner, "GET", key)
            self.assertExit(out, 0)
            self.assertEqual(data["nodes"][0]["reply"], f"v{i}")

    def test_long_arguments_are_not_sent_twice_and_long_keys_still_route(self):
        # COMMAND GETKEYS (which finds the keys to route by) gets a stand-in for each argument
        # over 1 KiB: the value reaches the cluster once, not twice.
        nodes = [redis.Redis(port=n.port) for n in self.cluster.nodes]
        nodes = [r for r in nodes if r.info("replication")["role"] == "master"]  # replicas get the copy

        def received():
            return sum(r.info("stats")["total_net_input_bytes"] for r in nodes)

        value = "v" * 120_000  # one argv string holds at most 128 KiB
        before = received()
        out, data = self.call("SET", "call:big", value)
        self.assertExit(out, 0)
        self.assertLess(received() - before, 1.5 * len(value))
        self.assertEqual(data["node"], self.owner("call:big"))
        # A key over 1 KiB is mapped back from its stand-in and routed by its own slot.
        long_key = "call:long:" + "k" * 3000
        out, data = self.call("SET", long_key, "x")
        self.assertExit(out, 0)
        self.assertEqual(data["node"], self.owner(long_key))
        out, data = self.call("--node", self.owner(long_key), "GET", long_key)
        self.assertEqual(data["nodes"][0]["reply"], "x")
        for r in nodes:
            r.close()

    def test_keyless_command_goes_to_a_primary(self):
        out, data = self.call("PING")
        self.assertExit(out, 0)
        self.assertEqual((data["role"], data["reply"]), ("primary", "PONG"))
        self.assertIn("--all-primaries asks every primary", out.stderr)
        self.assertIn(data["node"], out.stderr)
        out, _ = self.call("GET", "call:noted")
        self.assertNotIn("names no key", out.stderr)
        quiet = rctl(*self.target(), "-q", "call", "DBSIZE")
        self.assertEqual(quiet.stderr, "")

    def test_multi_key_across_slots_is_refused_before_sending(self):
        out, data = self.call("MSET", "call:a", "1", "call:b", "2")
        self.assertExit(out, 2)
        self.assertIn("CROSSSLOT", data["error"]["message"])
        self.assertIn("hash tag", data["error"]["hint"])
        rc = redis.RedisCluster(host="127.0.0.1", port=self.cluster.seed().port)
        try:
            self.assertEqual(rc.exists("call:a"), 0)
            self.assertEqual(rc.exists("call:b"), 0)
        finally:
            rc.close()
        out, data = self.call("MSET", "{call}a", "1", "{call}b", "2")
        self.assertExit(out, 0)
        out, data = self.call("MGET", "{call}a", "{call}b")
        self.assertEqual(data["reply"], ["1", "2"])

    def test_fan_out_all_primaries_and_all_nodes(self):
        out, data = self.call("--all-primaries", "ROLE")
        self.assertExit(out, 0)
        self.assertEqual(len(data["nodes"]), 3)
        self.assertEqual({n["role"] for n in data["nodes"]}, {"primary"})
        self.assertEqual({n["reply"][0] for n in data["nodes"]}, {"master"})
        out, data = self.call("--all-nodes", "ROLE")
        self.assertExit(out, 0)
        self.assertEqual(len(data["nodes"]), 6)
        for n in data["nodes"]:
            self.assertEqual(n["reply"][0], "master" if n["role"] == "primary" else "slave")
        table = rctl(*self.target(), "call", "--all-nodes", "PING")
        self.assertExit(table, 0)
        self.assertEqual(table.stdout.count("PONG"), 6)

    def test_fan_out_error_on_some_nodes_exits_6_and_shows_all(self):
        out, data = self.call("--all-primaries", "GET", "call:fan")
        # Two of three primaries answer MOVED: each node's reply is shown; the exit is 6.
        self.assertExit(out, 6)
        self.assertEqual(len(data["nodes"]), 3)
        moved = [n for n in data["nodes"] if n["type"] == "error"]
        self.assertEqual(len(moved), 2)
        self.assertTrue(all(n["reply"]["error"].startswith("MOVED") for n in moved))

    def test_all_nodes_reads_from_replicas_too(self):
        rc = redis.RedisCluster(host="127.0.0.1", port=self.cluster.seed().port)
        try:
            rc.set("call:replicated", "here")
            owner = rc.get_node_from_key("call:replicated")
            # WAIT on the key's primary: its replica has the write before we read it there.
            self.assertEqual(rc.get_redis_connection(owner).execute_command("WAIT", 1, 10000), 1)
        finally:
            rc.close()
        out, data = self.call("--all-nodes", "GET", "call:replicated")
        self.assertExit(out, 6)  # the other shards answer MOVED
        holders = [n for n in data["nodes"] if n["reply"] == "here"]
        self.assertEqual(sorted(n["role"] for n in holders), ["primary", "replica"])
        replica = next(n for n in holders if n["role"] == "replica")
        out, data = self.call("--node", replica["node"], "GET", "call:replicated")
        self.assertExit(out, 0)
        self.assertEqual(data["nodes"][0]["reply"], "here")

    def test_binary_reply_valid_json_on_cluster(self):
        rc = redis.RedisCluster(host="127.0.0.1", port=self.cluster.seed().port)
        try:
            rc.set("call:bin", BINARY)
        finally:
            rc.close()
        out, data = self.call("GET", "call:bin")
        self.assertExit(out, 0)
        self.assertEqual(base64.b64decode(data["reply"]["base64"]), BINARY)


if __name__ == "__main__":
    unittest.main()
