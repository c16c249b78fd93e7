"""rctl clients against real servers: 50 clients opened here with names and idle times,
grouped, filtered and killed by filter (only those, never rctl itself, exact counts),
blocked and pub/sub clients, CLIENT LIST refused by ACL, TLS, and a 3+3 cluster."""

import socket
import threading
import time
import unittest

import redis

from harness import ClusterTestCase, RctlTestCase, RedisServer, rctl, rctl_json


def names_on(r):
    return sorted(c["name"] for c in r.client_list() if c["name"])


class ClientsStandalone(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(acl=["nolist on >pw ~* +@all -client|list",
                                      "nokill on >pw ~* +@all -client|kill"])
        cls.addClassCleanup(cls.server.close)
        cls.admin = redis.Redis(port=cls.server.port)

    def setUp(self):
        # 50 real connections: 20 idle workers (opened first, then left alone), 10 busy
        # workers and 20 web clients that have just run a command.
        self.conns = []
        self.idle = [self.open(f"worker-idle-{i}") for i in range(20)]
        time.sleep(2.2)
        self.busy = [self.open(f"worker-busy-{i}") for i in range(10)]
        self.web = [self.open(f"web-{i}") for i in range(20)]

    def tearDown(self):
        for c in self.conns:
            c.close()

    def open(self, name):
        """One raw connection named `name`: a socket, so that nothing reconnects it behind our back."""
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        arg = name.encode()
        s.sendall(b"*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$%d\r\n%s\r\n" % (len(arg), arg))
        self.assertEqual(s.recv(16), b"+OK\r\n")
        self.conns.append(s)
        return s

    def alive(self, s):
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
        try:
            return s.recv(16) == b"+PONG\r\n"
        except OSError:
            return False

    def target(self):
        return ["-p", self.server.port]

    def test_groups_and_idle_distribution(self):
        out, data = rctl_json(*self.target(), "clients")
        self.assertExit(out, 0)
        names = {g["key"]: g["count"] for g in data["by_name"]}
        for i in range(20):
            self.assertEqual(names[f"worker-idle-{i}"], 1)
            self.assertEqual(names[f"web-{i}"], 1)
        self.assertGreaterEqual(data["totals"]["connected_clients"], 51)  # ours and rctl's
        self.assertEqual({g["key"]: g["count"] for g in data["by_host"]}["127.0.0.1"],
                         data["totals"]["connected_clients"])
        self.assertEqual({g["key"] for g in data["by_user"]}, {"default"})
        self.assertEqual(sum(b["count"] for b in data["idle_distribution"]), data["totals"]["matching_clients"])
        self.assertEqual(data["nodes"][0]["maxclients"], 10000)
        self.assertEqual(data["nodes"][0]["maxclients_source"], "config")
        self.assertEqual(data["nodes"][0]["headroom"], 10000 - data["totals"]["connected_clients"])
        self.assertIsNone(data["by_lib"])  # Redis 7.0 has no lib-name
        table = rctl(*self.target(), "clients")
        self.assertExit(table, 0)
        for title in ("By host", "By name", "By ACL user", "Idle time", "headroom"):
            self.assertIn(title, table.stdout)

    def test_filter_by_name_and_idle(self):
        out, data = rctl_json(*self.target(), "clients", "--filter", "name=worker-*")
        self.assertExit(out, 0)
        self.assertEqual(data["totals"]["matching_clients"], 30)
        out, data = rctl_json(*self.target(), "clients", "--filter", "name=worker-*", "--filter", "idle>1s")
        self.assertEqual(sorted(c["name"] for c in data["clients"]), sorted(f"worker-idle-{i}" for i in range(20)))
        out = rctl(*self.target(), "clients", "--filter", "colour=red")
        self.assertExit(out, 2)

    def test_kill_dry_run_lists_and_kills_nobody(self):
        before = len(self.admin.client_list())
        out, data = rctl_json(*self.target(), "clients", "kill", "--filter", "name=web-*", "--dry-run")
        self.assertExit(out, 0)
        self.assertTrue(data["dry_run"])
        self.assertEqual(sorted(c["name"] for c in data["targets"]), sorted(f"web-{i}" for i in range(20)))
        self.assertIsNone(data["killed"])
        self.assertEqual(len(self.admin.client_list()), before)
        self.assertTrue(all(self.alive(s) for s in self.web))

    def test_kill_refused_without_yes_or_filter(self):
        out = rctl(*self.target(), "clients", "kill", "--filter", "name=web-*", input="")
        self.assertExit(out, 2)
        self.assertIn("--yes", out.stderr)
        out = rctl(*self.target(), "clients", "kill", "--yes")
        self.assertExit(out, 2)
        self.assertTrue(all(self.alive(s) for s in self.web))

    def test_kill_by_filter_kills_exactly_those(self):
        out, data = rctl_json(*self.target(), "clients", "kill", "--filter", "name=worker-*",
                              "--filter", "idle>1s", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["killed"], 20)
        self.assertEqual(data["nodes"][0]["killed"], 20)
        self.assertEqual(sorted(c["name"] for c in data["targets"]), sorted(f"worker-idle-{i}" for i in range(20)))
        remaining = names_on(self.admin)
        self.assertFalse([n for n in remaining if n.startswith("worker-idle-")])
        self.assertEqual(len([n for n in remaining if n.startswith("worker-busy-")]), 10)
        self.assertEqual(len([n for n in remaining if n.startswith("web-")]), 20)
        self.assertTrue(all(self.alive(s) for s in self.busy + self.web))
        self.assertFalse(any(self.alive(s) for s in self.idle))

    def test_never_kills_its_own_connection(self):
        out, data = rctl_json(*self.target(), "clients", "kill", "--filter", "name=rctl", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["nodes"][0]["skipped_self"], 1)
        self.assertEqual(data["targets"], [])
        self.assertIn("nothing to disconnect", out.stderr)

    def test_blocked_and_pubsub_near_the_limit(self):
        self.admin.config_set("client-output-buffer-limit", "pubsub 0 1mb 3600")
        blocker = redis.Redis(port=self.server.port, client_name="blocker")
        waiting = threading.Thread(target=lambda: blocker.blpop("nothing-here", 10))
        waiting.start()
        sub = self.open("slow-subscriber")
        sub.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nnews\r\n")
        sub.recv(64)
        payload = b"x" * (1 << 20)
        for _ in range(20):  # 20 MiB that the subscriber never reads: most stays in its omem
            self.admin.publish("news", payload)
        try:
            deadline = time.time() + 10
            while time.time() < deadline and not [c for c in self.admin.client_list() if c["name"] == "blocker"
                                                   and "b" in c["flags"]]:
                time.sleep(0.05)
            out, data = rctl_json(*self.target(), "clients")
            self.assertExit(out, 0)
            blocked = {c["name"]: c for c in data["blocked"]}
            self.assertEqual(blocked["blocker"]["cmd"], "blpop")
            near = {c["name"]: c for c in data["pubsub_near_limit"]}
            self.assertIn("slow-subscriber", near)
            self.assertGreaterEqual(near["slow-subscriber"]["used_ratio"], 0.5)
            self.assertEqual(data["nodes"][0]["pubsub_output_buffer_limit"]["soft_bytes"], 1 << 20)
            self.assertEqual(data["top_output_buffer"][0]["name"], "slow-subscriber")
        finally:
            self.admin.client_kill_filter(_id=[c for c in self.admin.client_list()
                                               if c["name"] == "blocker"][0]["id"])
            waiting.join()
            blocker.close()
            self.admin.config_set("client-output-buffer-limit", "pubsub 33554432 8388608 60")

    def test_client_list_refused_shows_info_clients(self):
        url = self.server.url(user="nolist", password="pw")
        out, data = rctl_json("-u", url, "clients")
        self.assertExit(out, 0)
        node = data["nodes"][0]
        self.assertEqual(node["list_error"]["kind"], "permission")
        self.assertGreaterEqual(int(node["info_clients"]["connected_clients"]), 51)
        self.assertIn("CLIENT LIST", out.stderr)
        table = rctl("-u", url, "clients")
        self.assertIn("INFO clients on", table.stdout)
        out, data = rctl_json("-u", url, "clients", "kill", "--filter", "name=web-*", "--yes")
        self.assertExit(out, 4)
        self.assertTrue(all(self.alive(s) for s in self.web))

    def test_client_kill_refused_is_exit_4(self):
        out, data = rctl_json("-u", self.server.url(user="nokill", password="pw"), "clients", "kill",
                              "--filter", "name=web-1", "--yes")
        self.assertExit(out, 4)
        self.assertEqual(data["nodes"][0]["error"]["kind"], "permission")
        self.assertTrue(self.alive(self.web[1]))


class ClientsTLS(RctlTestCase):
    def test_clients_over_tls(self):
        server = RedisServer(tls=True)
        self.addCleanup(server.close)
        out, data = rctl_json("-u", server.url(), *server.tls_args(), "clients")
        self.assertExit(out, 0)
        self.assertIn("rctl", [g["key"] for g in data["by_name"]])


class ClientsCluster(ClusterTestCase):
    def test_every_node_listed_and_kill_counts_per_node(self):
        conns = []
        try:
            for n in self.cluster.nodes:
                for i in range(2):
                    c = redis.Redis(port=n.port, client_name=f"cl-{n.port}-{i}")
                    c.ping()
                    conns.append(c)
            out, data = rctl_json(*self.target(), "clients", "--filter", "name=cl-*")
            self.assertExit(out, 0)
            self.assertEqual(len(data["nodes"]), 6)
            self.assertEqual(data["totals"]["matching_clients"], 12)
            per_node = {}
            for c in data["clients"]:
                per_node[c["node"]] = per_node.get(c["node"], 0) + 1
            self.assertEqual(per_node, {f"127.0.0.1:{n.port}": 2 for n in self.cluster.nodes})
            out, data = rctl_json(*self.target(), "clients", "kill", "--filter", "name=cl-*", "--yes")
            self.assertExit(out, 0)
            self.assertEqual(data["killed"], 12)
            self.assertEqual({n["address"]: n["killed"] for n in data["nodes"]},
                             {f"127.0.0.1:{n.port}": 2 for n in self.cluster.nodes})
            for n in self.cluster.nodes:
                self.assertNotIn("name=cl-", n.cli("CLIENT", "LIST"))
            # Replication links (flags S on a primary, M on a replica) match an address filter
            # but are never chosen.
            out, data = rctl_json(*self.target(), "clients", "kill", "--filter", "addr=127.0.0.1", "--dry-run")
            self.assertExit(out, 0)
            self.assertEqual(sum(n["skipped_replication"] for n in data["nodes"]), 6)
            self.assertFalse([c for c in data["targets"] if "S" in c["flags"] or "M" in c["flags"]])
        finally:
            for c in conns:
                c.close()

    def test_one_node_refusing_client_list_shows_its_info_clients(self):
        refusing = self.cluster.nodes[-1]
        self.addCleanup(self.cluster.acl_setuser("ops", ["on", ">pw", "~*", "+@all"], {refusing: ["-client|list"]}))
        out, data = rctl_json("-u", self.cluster.seed().url(user="ops", password="pw"), "clients")
        self.assertExit(out, 0)
        by_address = {n["address"]: n for n in data["nodes"]}
        node = by_address.pop(f"127.0.0.1:{refusing.port}")
        self.assertEqual(node["list_error"]["kind"], "permission")
        self.assertIn("connected_clients", node["info_clients"])
        self.assertTrue(all(n["list_error"] is None and n["info_clients"] is None for n in by_address.values()))
        self.assertTrue(all(c["node"] != f"127.0.0.1:{refusing.port}" for c in data["clients"]))


if __name__ == "__main__":
    unittest.main()
