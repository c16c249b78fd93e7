"""rctl ratelimit on a 3-primary cluster: every primary scanned, keys routed by slot, the probe's
concurrent hits on the node that owns the scratch key, and a Flask-Limiter app on
redis+cluster:// (the URL limits takes) that rctl reads through RATE_LIMIT_STORAGE_URL."""

import logging
import os
import sys
import unittest

import redis
from redis.cluster import RedisCluster as PyCluster

from harness import RctlTestCase, RedisCluster, rctl_json

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "peers"))
import flask_limiter_app as peer  # noqa: E402

# redis-py's cluster client logs a traceback each time limits' EVALSHA meets NOSCRIPT before it
# falls back to EVAL, which is the expected path on fresh nodes.
logging.getLogger("redis.cluster").setLevel(logging.CRITICAL)


class RatelimitOnCluster(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = RedisCluster(replicas=0)
        cls.seed = cls.cluster.seed()
        cls.r = PyCluster(host="127.0.0.1", port=cls.seed.port)

    @classmethod
    def tearDownClass(cls):
        cls.r.close()
        cls.cluster.close()

    def setUp(self):
        for node in self.cluster.nodes:
            node.cli("FLUSHALL")

    def rl(self, *args, env=None):
        if env:
            return rctl_json("ratelimit", *args, env=env)
        return rctl_json("ratelimit", *args, "-p", self.seed.port)

    def node_of(self, key):
        return self.r.get_node_from_key(key).port

    def test_list_and_reset_across_every_primary(self):
        keys = []
        for c in range(10):
            for scope in ("a", "b", "c"):
                key = f"LIMITER/client{c}/{scope}/5/1/minute"
                self.r.set(key, c % 5 + 1, ex=60)
                keys.append(key)
        self.assertEqual(len({self.node_of(k) for k in keys}), 3)  # the keys live on every primary
        out, data = self.rl("list", "--max", "100")
        self.assertExit(out, 0)
        self.assertEqual(len(data["nodes"]), 3)
        self.assertEqual(sum(n["keys_seen"] for n in data["nodes"]), 30)
        self.assertEqual(sorted(row["key"] for row in data["limiters"]), sorted(keys))
        self.assertEqual(data["limiters"][0]["used"], 5)
        nodes = {row["node"] for row in data["limiters"]}
        self.assertEqual(len(nodes), 3)
        out, data = self.rl("list", "--max", "4")
        self.assertEqual((len(data["limiters"]), data["limiters_total"], data["truncated"]), (4, 30, True))
        out, data = self.rl("reset", "--client", "client3", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["keys_deleted"], 3)
        self.assertEqual(sum(self.r.exists(k) for k in keys), 27)

    def test_sliding_pair_and_show_on_a_cluster(self):
        current = "LIMITS:{LIMITER/10.0.0.5/search/5/1/minute}"
        self.r.set(current, 1, px=100000)
        self.r.set(current + "/-1", 3, px=45000)
        out, data = self.rl("show", current + "/-1")
        self.assertExit(out, 0)
        self.assertEqual((data["used"], data["remaining"]), (3, 2))  # floor(3 * ~45000 / 60000) + 1
        self.assertEqual(data["node"], f"127.0.0.1:{self.node_of(current)}")

    def test_probe_concurrency_on_a_cluster(self):
        for strategy in ("fixed", "moving", "sliding"):
            with self.subTest(strategy=strategy):
                out, data = self.rl("probe", "--limit", "20/minute", "--strategy", strategy, "--hits", "50",
                                    "--concurrency", "25")
                self.assertExit(out, 0)
                p = data["probes"][0]
                self.assertEqual((p["allowed"], p["denied"], p["verdict"], p["connections"]), (20, 30, "pass", 25))
                self.assertEqual(p["node"], f"127.0.0.1:{self.node_of(p['key'])}")
                self.assertEqual(p["cleanup"], "deleted")
        for node in self.cluster.nodes:
            self.assertEqual(node.cli("KEYS", "rctl:probe:*").strip(), "")

    def test_flask_limiter_app_on_redis_cluster_url(self):
        url = f"redis+cluster://127.0.0.1:{self.seed.port}"
        app = peer.create_app(url)
        client = peer.Client(app, "10.4.4.4")
        for _ in range(4):
            _, remaining, _ = client.get("fixed")
        _, moving_remaining, moving_reset = client.get("moving")
        env = {"RATE_LIMIT_STORAGE_URL": url}
        out, data = self.rl("list", "--client", "10.4.4.4", env=env)
        self.assertExit(out, 0)
        rows = {row["key"]: row for row in data["limiters"]}
        self.assertEqual(rows[peer.key_for("10.4.4.4", "fixed")]["remaining"], remaining)
        self.assertEqual(rows[peer.key_for("10.4.4.4", "moving")]["remaining"], moving_remaining)
        self.assertEqual(int(rows[peer.key_for("10.4.4.4", "moving")]["reset_at"]) + 1, moving_reset)
        out, data = self.rl("probe", "--key", peer.key_for("10.4.4.4", "fixed"), "--concurrency", "5", env=env)
        self.assertExit(out, 0)
        self.assertEqual(data["probes"][0]["allowed"], remaining)
        self.assertEqual(client.get("fixed")[:2][0], 429)
        out, data = self.rl("reset", "--client", "10.4.4.4", "--yes", env=env)
        self.assertExit(out, 0)
        self.assertEqual(client.get("fixed")[:2], (200, 4))


if __name__ == "__main__":
    unittest.main()
