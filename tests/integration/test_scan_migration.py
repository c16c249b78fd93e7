#!/usr/bin/python3
"""Issue 16 item 6: cache invalidate while a slot really migrates between primaries (CLUSTER
SETSLOT IMPORTING/MIGRATING, MIGRATE in batches) must not report complete while keys under the
prefix remain: it scans again once slots moved, or says why it is incomplete (exit 1)."""

import json
import subprocess
import threading
import time
import unittest

import redis

from harness import RCTL, RctlTestCase, RedisCluster


class InvalidateDuringMigration(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = RedisCluster(primaries=3, replicas=1)

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def primaries(self):
        return [redis.Redis(port=n.port) for n in self.cluster.nodes_by_role()["master"]]

    def remaining(self, pattern):
        return sum(sum(1 for _ in r.scan_iter(pattern, count=1000)) for r in self.primaries())

    def test_keys_migrating_during_the_run_are_all_deleted_or_reported(self):
        seed = self.cluster.seed()
        slot = int(redis.Redis(port=seed.port).execute_command("CLUSTER", "KEYSLOT", "m"))
        by_port = {n.port: n for n in self.cluster.nodes}
        owner = None
        for r in self.primaries():
            for lo, hi, *_ in r.execute_command("CLUSTER", "SLOTS"):
                if lo <= slot <= hi:
                    owner = int(_[0][1])
            if owner:
                break
        source = by_port[owner]
        dest = next(n for n in self.cluster.nodes_by_role()["master"] if n.port != owner)
        src, dst = redis.Redis(port=source.port), redis.Redis(port=dest.port)
        source_id = source.cli("CLUSTER", "MYID").strip()
        dest_id = dest.cli("CLUSTER", "MYID").strip()
        total = 20000
        pipe = src.pipeline(transaction=False)
        for i in range(0, total, 1000):
            pipe.mset({f"app:{{m}}:{j}": 1 for j in range(i, i + 1000)})
        pipe.mset({f"keep:{{m}}:{j}": 1 for j in range(500)})
        pipe.execute()

        proc = subprocess.Popen([RCTL, "cache", "invalidate", "app:", "--yes", "--batch", "100", "--max-rate",
                                 "4000", "-o", "json", "-u", f"redis://127.0.0.1:{seed.port}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while src.dbsize() == total + 500 and time.monotonic() < deadline:  # rctl is deleting
            time.sleep(0.02)

        def migrate():
            dest.cli("CLUSTER", "SETSLOT", slot, "IMPORTING", source_id)
            source.cli("CLUSTER", "SETSLOT", slot, "MIGRATING", dest_id)
            while True:
                keys = src.execute_command("CLUSTER", "GETKEYSINSLOT", slot, 100)
                if not keys:
                    break
                src.execute_command("MIGRATE", "127.0.0.1", dest.port, "", 0, 5000, "KEYS", *keys)
                time.sleep(0.02)
            for n in self.cluster.nodes:
                n.cli("CLUSTER", "SETSLOT", slot, "NODE", dest_id, check=False)
        mover = threading.Thread(target=migrate)
        mover.start()
        stdout, stderr = proc.communicate(timeout=120)
        mover.join(timeout=60)
        report = json.loads(stdout)
        left = self.remaining("app:*")
        # Whatever the timing: complete means nothing is left, and anything left is reported.
        if report["complete"]:
            self.assertEqual(proc.returncode, 0, stderr)
            self.assertEqual(left, 0, f"complete, but {left} keys remain: {stdout}")
        else:
            self.assertEqual(proc.returncode, 1, stderr)
            self.assertIn("slots moved between primaries", stderr)
            self.assertTrue(report["incomplete_reason"])
        self.assertEqual(report["deleted"], total - left)
        self.assertEqual(self.remaining("keep:*"), 500)  # nothing outside the prefix

if __name__ == "__main__":
    unittest.main()
