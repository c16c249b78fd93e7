"""rctl cache: get/set/del/ttl/expire/persist/keys and invalidate, against real servers."""

import base64
import json
import os
import pickle
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import zlib

import msgpack
import redis

from faults import Proxy
from harness import RCTL, Certificates, RctlTestCase, RedisServer, rctl, rctl_json


def client(server, **kw):
    kw.setdefault("decode_responses", False)
    if server.tls:
        return redis.Redis(host="localhost", port=server.port, ssl=True,
                           ssl_ca_certs=Certificates.get().ca, **kw)
    return redis.Redis(host="127.0.0.1", port=server.port, password=server.password, **kw)


class CacheReadWrite(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer()
        cls.r = client(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.r.flushall()

    def run_cache(self, *args, **kw):
        return rctl("cache", *args, "-p", self.server.port, **kw)

    def json_cache(self, *args, **kw):
        return rctl_json("cache", *args, "-p", self.server.port, **kw)

    def test_get_decodes_common_formats(self):
        self.r.set("j", json.dumps({"user": "ann", "n": [1, 2]}))
        self.r.set("p", pickle.dumps({"user_id": 42, "tags": ("a", "b"), "ok": True}, protocol=5))
        self.r.set("m", msgpack.packb({"a": 1, "b": [True, None]}, use_bin_type=True))
        self.r.set("z", zlib.compress(json.dumps({"zipped": True}).encode()))
        self.r.set("t", "héllo wörld")
        self.r.set("b", b"\x00\x01\xff\xfe binary")
        out, data = self.json_cache("get", "j", "p", "m", "z", "t", "b")
        self.assertExit(out, 0)
        keys = {k["key"]: k for k in data["keys"]}
        self.assertEqual(keys["j"]["format"], "json")
        self.assertEqual(keys["j"]["value"], {"user": "ann", "n": [1, 2]})
        self.assertEqual(keys["p"]["format"], "pickle")
        self.assertEqual(keys["p"]["value"]["user_id"], 42)
        self.assertEqual(keys["p"]["value"]["ok"], True)
        self.assertEqual(keys["m"]["format"], "msgpack")
        self.assertEqual(keys["m"]["value"], {"a": 1, "b": [True, None]})
        self.assertTrue(keys["z"]["compressed"])
        self.assertEqual(keys["z"]["value"], {"zipped": True})
        self.assertEqual(keys["t"]["value"], "héllo wörld")
        self.assertEqual(keys["b"]["format"], "binary")
        self.assertEqual(base64.b64decode(keys["b"]["value"]["base64"]), b"\x00\x01\xff\xfe binary")
        for k in keys.values():
            self.assertEqual(k["type"], "string")
            self.assertIsNone(k["ttl_ms"])

    def test_malicious_pickle_is_never_executed(self):
        marker = os.path.join(tempfile.mkdtemp(), "pwned")
        payload = b"cos\nsystem\n(S'touch " + marker.encode() + b"'\ntR."
        self.r.set("evil", payload)
        out, data = self.json_cache("get", "evil")
        self.assertExit(out, 0)
        self.assertFalse(os.path.exists(marker))
        self.assertIn("os.system", json.dumps(data["keys"][0]["value"]))

    def test_terminal_escapes_never_reach_table_output(self):
        self.r.set("esc", b"\x1b]0;pwned\x07\x1b[2Jhello\r\nworld\x00\xf0")
        self.r.set(b"k\x1b[31mey", b"v")
        out = self.run_cache("get", "esc")
        self.assertExit(out, 0)
        self.assertNotIn("\x1b", out.stdout)
        self.assertNotIn("\r", out.stdout)
        self.assertNotIn("\x00", out.stdout)
        self.assertIn("\\x1b", out.stdout)
        out = self.run_cache("keys", "k")
        self.assertNotIn("\x1b", out.stdout)
        self.assertIn("k\\x1b[31mey", out.stdout)

    def test_raw_writes_exact_bytes(self):
        value = b"\x1b[2J\x00\xff raw bytes\r\n"
        self.r.set("raw", value)
        out = subprocess.run([RCTL, "-p", str(self.server.port), "cache", "get", "raw", "--raw"], capture_output=True)
        self.assertEqual(out.returncode, 0)
        self.assertEqual(out.stdout, value)
        out = self.run_cache("get", "raw", "raw", "--raw")
        self.assertExit(out, 2)

    def test_forced_decode_modes(self):
        self.r.set("j", '{"a": 1}')
        out, data = self.json_cache("get", "j", "--decode", "hex")
        self.assertEqual(data["keys"][0]["value"], b'{"a": 1}'.hex())
        out, data = self.json_cache("get", "j", "--decode", "pickle")
        self.assertExit(out, 6)
        self.assertIn("not valid pickle", data["error"]["message"])
        out = self.run_cache("get", "j", "--decode", "yaml")
        self.assertExit(out, 2)

    def test_collections_bounded_by_limit(self):
        self.r.hset("h", mapping={f"f{i}": f"v{i}" for i in range(50)})
        self.r.rpush("l", *[f"e{i}" for i in range(30)])
        self.r.sadd("s", *[f"m{i}" for i in range(20)])
        self.r.zadd("z", {f"z{i}": i for i in range(15)})
        self.r.xadd("x", {"a": "1"})
        self.r.xadd("x", {"b": "2"})
        out, data = self.json_cache("get", "h", "l", "s", "z", "x", "--limit", "10")
        self.assertExit(out, 0)
        keys = {k["key"]: k for k in data["keys"]}
        self.assertEqual(keys["h"]["length"], 50)
        self.assertEqual(len(keys["h"]["elements"]), 10)
        self.assertTrue(keys["h"]["truncated"])
        self.assertEqual(keys["l"]["elements"][:2], ["e0", "e1"])
        self.assertEqual(len(keys["s"]["elements"]), 10)
        self.assertEqual(keys["z"]["elements"][0], {"member": "z0", "score": "0"})
        self.assertEqual(len(keys["x"]["elements"]), 2)
        self.assertFalse(keys["x"]["truncated"])

    def test_missing_key_exits_5(self):
        self.r.set("here", "1")
        out, data = self.json_cache("get", "here", "gone")
        self.assertExit(out, 5)
        self.assertEqual([k["exists"] for k in data["keys"]], [True, False])

    def test_set_variants(self):
        out, data = self.json_cache("set", "k", "v1", "--ttl", "10m")
        self.assertExit(out, 0)
        self.assertTrue(data["set"])
        self.assertGreater(self.r.pttl("k"), 590000)
        out, data = self.json_cache("set", "k", "v2", "--nx")
        self.assertExit(out, 1)
        self.assertFalse(data["set"])
        self.assertEqual(self.r.get("k"), b"v1")
        out, _ = self.json_cache("set", "new", "v", "--xx")
        self.assertExit(out, 1)
        self.assertIsNone(self.r.get("new"))
        out, _ = self.json_cache("set", "stdin", "-", input="from stdin\n")
        self.assertEqual(self.r.get("stdin"), b"from stdin\n")
        with tempfile.NamedTemporaryFile("wb", delete=False) as f:
            f.write(b"\x00\x01file")
        out, _ = self.json_cache("set", "file", "--value-file", f.name)
        self.assertEqual(self.r.get("file"), b"\x00\x01file")
        out, _ = self.json_cache("set", "empty", "")
        self.assertExit(out, 0)
        self.assertEqual(self.r.get("empty"), b"")

    def test_set_json_validation_refuses_and_writes_nothing(self):
        out, data = self.json_cache("set", "cfg", "{not json", "--json")
        self.assertExit(out, 2)
        self.assertIsNone(self.r.get("cfg"))
        out, _ = self.json_cache("set", "cfg", '{"ok": true}', "--json")
        self.assertExit(out, 0)
        out = self.run_cache("set", "k")
        self.assertExit(out, 2)

    def test_del_ttl_expire_persist(self):
        self.r.set("a", "1")
        self.r.set("b", "2", ex=100)
        out, data = self.json_cache("ttl", "b")
        self.assertGreater(data["ttl_ms"], 90000)
        out, data = self.json_cache("ttl", "a")
        self.assertIsNone(data["ttl_ms"])
        out, data = self.json_cache("expire", "a", "1h")
        self.assertGreater(self.r.pttl("a"), 3500000)
        out, data = self.json_cache("persist", "a")
        self.assertTrue(data["ttl_removed"])
        self.assertEqual(self.r.pttl("a"), -1)
        out, data = self.json_cache("del", "a", "b", "c")
        self.assertEqual(data["deleted"], 2)
        self.assertEqual(self.r.exists("a", "b"), 0)
        for cmd in (("ttl", "nope"), ("expire", "nope", "1m"), ("persist", "nope"), ("del", "nope")):
            out, data = self.json_cache(*cmd)
            self.assertExit(out, 5, cmd)

    def test_keys_listing_escapes_glob(self):
        self.r.set("pfx*lit", "1")
        self.r.set("pfxAlit", "2")
        self.r.hset("pfx*hash", "f", "v")
        self.r.set("pfx*ttl", "x", ex=500)
        out, data = self.json_cache("keys", "pfx*")
        self.assertExit(out, 0)
        self.assertEqual(data["pattern"], "pfx\\**")
        names = [k["key"] for k in data["keys"]]
        self.assertEqual(names, ["pfx*hash", "pfx*lit", "pfx*ttl"])
        h = next(k for k in data["keys"] if k["key"] == "pfx*hash")
        self.assertEqual((h["type"], h["length"]), ("hash", 1))
        out, data = self.json_cache("keys", "pfx", "--limit", "2")
        self.assertEqual(data["count"], 2)
        self.assertTrue(data["truncated"])

    def test_keys_interrupted_prints_what_was_found(self):
        """Issue 17 item 12: Ctrl-C during `cache keys` prints the keys found so far (valid
        JSON) and exits 130. Every SCAN after the first is held 0.3s by a proxy, so the signal
        lands mid-scan."""
        pipe = self.r.pipeline(transaction=False)
        for i in range(6000):
            pipe.set(f"ck:{i}", "v")
        pipe.execute()

        def slow_scan(cmd, nth):
            if cmd[0] == b"SCAN" and nth >= 1:
                time.sleep(0.3)
        proxy = Proxy(self.server.port, slow_scan)
        self.addCleanup(proxy.close)
        proc = subprocess.Popen([RCTL, "cache", "keys", "ck:", "--limit", "10000", "-o", "json",
                                 "-p", str(proxy.port)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 10
        while proxy.count(b"SCAN") < 2:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.01)
        data, stderr = interrupt_for_json(self, proc)
        self.assertGreater(data["count"], 0)
        self.assertLess(data["count"], 6000)
        self.assertEqual(data["count"], len(data["keys"]))
        self.assertTrue(all(k["type"] == "string" for k in data["keys"]))
        self.assertIn("interrupted", stderr)

    def test_keys_with_glob_and_no_match_says_prefix_is_literal(self):
        """Issue 17 item 11: 'app:*' matches nothing when no key holds a literal star; the
        note says PREFIX is literal and gives the form that was meant."""
        self.r.set("app:1", "x")
        out, data = self.json_cache("keys", "app:*")
        self.assertExit(out, 0)
        self.assertEqual(data["count"], 0)
        self.assertIn("PREFIX is literal", out.stderr)
        self.assertIn("rctl cache keys 'app:'", out.stderr)
        out, data = self.json_cache("keys", "app:")
        self.assertNotIn("literal", out.stderr)
        out, data = self.json_cache("keys", "nothing:")
        self.assertEqual(data["count"], 0)
        self.assertNotIn("literal", out.stderr)


def interrupt_for_json(test, proc):
    """Sends SIGINT to a running `rctl ... -o json`: it must exit 130 with a JSON report whose
    `interrupted` is true. Returns (report, stderr)."""
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    test.assertEqual(proc.returncode, 130, stderr)
    report = json.loads(stdout)
    test.assertTrue(report["interrupted"])
    return report, stderr


class Invalidate(RctlTestCase):
    tls = False

    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(tls=cls.tls)
        cls.r = client(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.r.flushall()

    def target(self):
        if self.tls:
            return ["-u", self.server.url(host="localhost"), "--cacert", Certificates.get().ca]
        return ["-p", str(self.server.port)]

    def inv(self, *args, **kw):
        return rctl_json("cache", "invalidate", *args, *self.target(), **kw)

    def fill(self, prefix, n, other=0):
        pipe = self.r.pipeline(transaction=False)
        for i in range(n):
            pipe.set(f"{prefix}{i}", i)
        for i in range(other):
            pipe.set(f"other:{i}", i)
        pipe.execute()

    def test_deletes_exactly_the_prefix(self):
        self.fill("app:cache:", 5000, other=3000)
        self.r.set("app:cachex", "near miss")
        out, data = self.inv("app:cache:", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["deleted"], 5000)
        self.assertTrue(data["complete"])
        self.assertEqual(data["pattern"], "app:cache:*")
        self.assertEqual(self.r.dbsize(), 3001)
        self.assertEqual(self.r.get("app:cachex"), b"near miss")

    def test_glob_characters_match_only_themselves(self):
        specials = {"pfx*": ["pfx*x"], "pfx?": ["pfx?y"], "pfx[a]": ["pfx[a]z"], "a\\b": ["a\\b1"], "x]": ["x]1"]}
        decoys = ["pfxAx", "pfxBy", "pfxaz", "ab1", "a\\c"]
        for keys in specials.values():
            for k in keys:
                self.r.set(k, 1)
        for k in decoys:
            self.r.set(k, 1)
        for prefix, keys in specials.items():
            out, data = self.inv(prefix, "--yes")
            self.assertExit(out, 0)
            self.assertEqual(data["deleted"], len(keys), prefix)
        self.assertEqual(sorted(k.decode() for k in self.r.keys()), sorted(decoys))

    def test_odd_bytes_in_keys(self):
        odd = [b"pre fix 1", b"pre fix\n2", b"pre fix\xff\xfe3", b"pre fix\x1b[2J4"]
        for k in odd:
            self.r.set(k, 1)
        self.r.set(b"pre fiy", 1)
        out, data = self.inv("pre fix", "--dry-run", "--sample", "10")
        self.assertExit(out, 0)
        self.assertEqual(data["matched"], 4)
        self.assertEqual(len(data["sample"]), 4)
        self.assertTrue(any(isinstance(s, dict) and "base64" in s for s in data["sample"]))
        out = rctl("cache", "invalidate", "pre fix", "--dry-run", *self.target())
        self.assertNotIn("\x1b", out.stdout)
        out, data = self.inv("pre fix", "--yes")
        self.assertEqual(data["deleted"], 4)
        self.assertEqual(self.r.keys(), [b"pre fiy"])

    def test_dry_run_changes_nothing(self):
        self.fill("dry:", 1200, other=10)
        out, data = self.inv("dry:", "--dry-run")
        self.assertExit(out, 0)
        self.assertTrue(data["dry_run"])
        self.assertEqual(data["matched"], 1200)
        self.assertEqual(data["deleted"], 0)
        self.assertEqual(len(data["sample"]), 10)
        self.assertEqual(data["nodes_count"], 1)
        self.assertEqual(self.r.dbsize(), 1210)
        out = rctl("cache", "invalidate", "dry:", "--dry-run", *self.target())
        self.assertIn("SCAN MATCH dry:*", out.stdout)
        self.assertIn("1,200", out.stdout)
        # The pattern is shown as redis-cli would take it: one backslash before a glob byte.
        out = rctl("cache", "invalidate", "d*y[1]:", "--dry-run", *self.target())
        self.assertIn("SCAN MATCH d\\*y\\[1\\]:*\n", out.stdout)

    def test_refusals_change_nothing(self):
        self.fill("keep:", 100)
        out, data = self.inv("keep:")
        self.assertExit(out, 2)
        self.assertIn("--yes", data["error"]["hint"])
        out, data = self.inv("", "--yes")
        self.assertExit(out, 2)
        self.assertIn("--all-keys", data["error"]["hint"])
        self.assertEqual(self.r.dbsize(), 100)
        out, data = self.inv("--all-keys", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(self.r.dbsize(), 0)

    def test_small_batches_and_rate_limit(self):
        self.fill("b:", 3000, other=5)
        out, data = self.inv("b:", "--yes", "--batch", "7", "--max-rate", "20000")
        self.assertExit(out, 0)
        self.assertEqual(data["deleted"], 3000)
        self.assertGreater(data["scan_calls"], 300)
        self.assertEqual(self.r.dbsize(), 5)
        out = rctl("cache", "invalidate", "b:", "--yes", "--batch", "0", *self.target())
        self.assertExit(out, 2)

    def test_concurrent_writers_never_lose_keys_outside_the_prefix(self):
        self.fill("hot:", 20000, other=2000)
        stop = threading.Event()
        written = []

        def writer():
            w = client(self.server)
            i = 0
            while not stop.is_set():
                w.set(f"other:new:{i}", i)
                w.set(f"hot:new:{i}", i)
                w.delete(f"hot:{i % 20000}")
                written.append(f"other:new:{i}")
                i += 1

        t = threading.Thread(target=writer)
        t.start()
        try:
            out, data = self.inv("hot:", "--yes", "--batch", "100")
        finally:
            stop.set()
            t.join()
        self.assertExit(out, 0)
        for i in range(2000):
            self.assertTrue(self.r.exists(f"other:{i}"))
        self.assertEqual(sum(self.r.exists(k) for k in written), len(written))
        # Everything under the prefix that existed throughout is gone; counts are exact.
        self.assertLessEqual(data["deleted"], 20000 + len(written))

    def test_interrupt_stops_reports_and_resumes(self):
        self.fill("slow:", 30000, other=500)
        proc = subprocess.Popen([RCTL, "cache", "invalidate", "slow:", "--yes", "--batch", "100",
                                 "--max-rate", "20000", "-o", "json", *self.target()],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.6)
        report, stderr = interrupt_for_json(self, proc)
        self.assertFalse(report["complete"])
        self.assertGreater(report["deleted"], 0)
        self.assertLess(report["deleted"], 30000)
        self.assertIn("interrupted after deleting", stderr)
        self.assertEqual(self.r.dbsize(), 30500 - report["deleted"])
        out, data = self.inv("slow:", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["deleted"] + report["deleted"], 30000)
        self.assertEqual(self.r.dbsize(), 500)


class InvalidateRefused(RctlTestCase):
    """Issue 17 item 17: after NOPERM or READONLY the hint names the cause; running the same
    command again would fail the same way, so it must not suggest that."""

    @classmethod
    def setUpClass(cls):
        cls.primary = RedisServer(acl=["nodel on >pw ~* +@all -unlink -del"])
        cls.addClassCleanup(cls.primary.close)
        cls.replica = RedisServer(args=["--replicaof", "127.0.0.1", str(cls.primary.port)])
        cls.addClassCleanup(cls.replica.close)
        r = client(cls.primary)
        r.mset({f"app:{i}": i for i in range(20)})
        deadline = time.time() + 10
        while client(cls.replica).dbsize() != 20:
            if time.time() > deadline:
                raise AssertionError("the replica did not sync")
            time.sleep(0.05)

    def hint(self, out):
        lines = [l for l in out.stderr.splitlines() if "hint" in l]
        self.assertTrue(lines, out.stderr)
        return " ".join(lines)

    def test_noperm_names_the_missing_right(self):
        out = rctl("cache", "invalidate", "app:", "--yes", "-p", self.primary.port, "--user", "nodel", "-a", "pw")
        self.assertExit(out, 4)
        hint = self.hint(out)
        self.assertNotIn("run the command again to finish", hint)
        self.assertIn("ACL user may not", hint)
        self.assertEqual(client(self.primary).dbsize(), 20)

    def test_readonly_replica_points_at_the_primary(self):
        out = rctl("cache", "invalidate", "app:", "--yes", "-p", self.replica.port)
        self.assertNotEqual(out.returncode, 0)
        hint = self.hint(out)
        self.assertNotIn("run the command again to finish", hint)
        self.assertIn("read-only replica", hint)
        self.assertIn("primary", hint)


class TlsInvalidate(Invalidate):
    tls = True


class InvalidateServerKilled(RctlTestCase):
    def test_kill_mid_run_reports_progress_and_rerun_completes(self):
        server = RedisServer(args=["--appendonly", "yes", "--appendfsync", "always"])
        try:
            r = client(server)
            pipe = r.pipeline(transaction=False)
            for i in range(40000):
                pipe.set(f"k:{i}", i)
            for i in range(1000):
                pipe.set(f"keep:{i}", i)
            pipe.execute()
            # Keys that share the prefix's first characters, or would match a sloppy glob,
            # are outside the prefix and must survive too.
            for key in (b"k", b"K:1", b"k;1", b"kk:1", b"\xffk:1"):
                pipe.set(key, b"neighbour")
            pipe.execute()
            proc = subprocess.Popen([RCTL, "cache", "invalidate", "k:", "--yes", "--batch", "50", "--max-rate",
                                     "20000", "-o", "json", "-p", str(server.port)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(0.7)
            server.kill()
            stdout, stderr = proc.communicate(timeout=30)
            self.assertEqual(proc.returncode, 3, stderr)
            report = json.loads(stdout)
            self.assertFalse(report["complete"])
            self.assertIsNotNone(report["nodes"][0]["error"])
            self.assertIn("keys deleted in all", stderr)
            server.restart()
            r = client(server)
            # Nothing outside the prefix was touched: same keys, same values.
            self.assertEqual(sorted(r.scan_iter("keep:*", count=1000)), sorted(b"keep:%d" % i for i in range(1000)))
            self.assertEqual(r.mget([f"keep:{i}" for i in range(1000)]), [b"%d" % i for i in range(1000)])
            for key in (b"k", b"K:1", b"k;1", b"kk:1", b"\xffk:1"):
                self.assertEqual(r.get(key), b"neighbour")
            # Every delete the report counted happened (the AOF is fsynced per write); the
            # kill may have cut off the replies of some that happened too.
            left = sum(1 for _ in r.scan_iter("k:*", count=1000))
            self.assertLessEqual(report["deleted"], 40000 - left)
            # ... and the report names them: the batches in flight are "outcome unknown".
            self.assertLessEqual(40000 - left, report["deleted"] + report["outcome_unknown"])
            self.assertGreater(left, 0)
            out, data = rctl_json("cache", "invalidate", "k:", "--yes", "-p", server.port)
            self.assertExit(out, 0)
            self.assertEqual(data["deleted"], left)
            self.assertTrue(data["complete"])
            self.assertEqual(r.dbsize(), 1000 + 5)
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
