"""Redis Cluster (3 primaries + 3 replicas, plain and TLS): discovery, health, stats, failover."""

import time
import unittest

from harness import Certificates, RctlTestCase, RedisCluster, rctl, rctl_json


class ClusterHealth(RctlTestCase):
    tls = False

    @classmethod
    def setUpClass(cls):
        cls.cluster = RedisCluster(primaries=3, replicas=1, tls=cls.tls)

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def target(self, node=None):
        node = node or self.cluster.seed()
        args = ["-u", node.url(host="127.0.0.1")]
        if self.tls:
            args += ["--cacert", Certificates.get().ca]
        return args

    def test_health_from_any_seed_lists_all_nodes(self):
        for seed in (self.cluster.nodes[0], self.cluster.nodes[4]):
            out, data = rctl_json("health", *self.target(seed))
            self.assertExit(out, 0)
            self.assertEqual(data["mode"], "cluster")
            self.assertEqual(len(data["nodes"]), 6)
            self.assertEqual(data["cluster"]["state"], "ok")
            self.assertEqual(data["cluster"]["slots_covered"], 16384)
            self.assertFalse(data["cluster"]["failover_in_progress"])
            roles = sorted(n["role"] for n in data["nodes"])
            self.assertEqual(roles, ["master"] * 3 + ["replica"] * 3)
            ports = {int(n["address"].rsplit(":", 1)[1]) for n in data["nodes"]}
            self.assertEqual(ports, {n.port for n in self.cluster.nodes})
            for n in data["nodes"]:
                self.assertTrue(n["reachable"])
                if n["role"] == "replica":
                    self.assertEqual(n["replication"]["link_status"], "up")
                    self.assertTrue(n["primary_address"])
                else:
                    self.assertEqual(n["replication"]["connected_replicas"], 1)
                if self.tls:
                    self.assertIsNotNone(n["tls"])

    def test_cluster_flag_against_cluster_and_standalone(self):
        out, _ = rctl_json("health", "--cluster", *self.target())
        self.assertExit(out, 0)

    def test_stats_per_node_and_totals(self):
        out, data = rctl_json("stats", *self.target())
        self.assertExit(out, 0)
        self.assertEqual(data["mode"], "cluster")
        self.assertEqual(len(data["nodes"]), 6)
        self.assertEqual(data["totals"]["nodes_reachable"], 6)
        used = sum(n["memory"]["used_bytes"] for n in data["nodes"])
        self.assertEqual(data["totals"]["used_memory_bytes"], used)

    def test_table_output(self):
        out = rctl("health", *self.target())
        self.assertExit(out, 0)
        self.assertIn("cluster_state", out.stdout)
        self.assertIn("16384 of 16384", out.stdout)


class TlsClusterHealth(ClusterHealth):
    tls = True


class ClusterFailover(RctlTestCase):
    """A primary is killed: health is degraded (exit 1) until its replica takes over, then
    healthy again (the dead node is reported, the slots are covered)."""

    def setUp(self):
        self.cluster = RedisCluster(primaries=3, replicas=1)

    def tearDown(self):
        self.cluster.close()

    def test_primary_killed_then_replica_promoted(self):
        seed = self.cluster.nodes_by_role()["master"][0]
        victim = self.cluster.nodes_by_role()["master"][1]
        args = ["-u", seed.url()]
        victim.kill()
        out, data = rctl_json("health", "--timeout", "2s", *args)
        self.assertExit(out, 1)
        self.assertEqual(data["status"], "critical")
        down = [n for n in data["nodes"] if not n["reachable"]]
        self.assertEqual([n["address"] for n in down], [f"127.0.0.1:{victim.port}"])
        # Wait for the failover (node timeout 2s), then health recovers: slots covered, state ok.
        deadline = time.time() + 30
        while time.time() < deadline:
            info = seed.cli("CLUSTER", "INFO")
            if "cluster_state:ok" in info and len(self.cluster.nodes_by_role()["master"]) == 3:
                break
            time.sleep(0.3)
        out, data = rctl_json("health", "--timeout", "2s", *args)
        self.assertEqual(data["cluster"]["state"], "ok")
        self.assertEqual(data["cluster"]["slots_covered"], 16384)
        masters = [n for n in data["nodes"] if n["reachable"] and n["role"] == "master"]
        self.assertEqual(len(masters), 3)


if __name__ == "__main__":
    unittest.main()
