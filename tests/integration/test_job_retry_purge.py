"""rctl job retry|purge for RQ and Celery, Celery's global_keyprefix and workers, and the
`job queues` table of a database that holds several queue systems - against real workers:
Debian's python3-rq 1.13 (`rq worker --burst`) and python3-celery 5.2 (a solo-pool worker
with result_extended, tests/integration/peers/celery_tasks.py). Nothing is mocked."""

import json
import os
import tempfile
import time
import unittest

from rq.job import Job

from harness import ServerTestCase
from test_job import JobBase, run_worker, wait_until
from test_job_celery import CeleryBase


class RqRetryPurge(JobBase):
    def failed_jobs(self):
        marker = os.path.join(tempfile.mkdtemp(), "marker")
        ids = {
            "alpha": self.enqueue("rq_tasks.fail", "alpha went wrong"),
            "beta": self.enqueue("rq_tasks.fail", "beta went wrong"),
            "marker": self.enqueue("rq_tasks.fail_until_marker", marker),
        }
        run_worker(self.server)
        for i in ids.values():
            self.assertEqual(Job.fetch(i, connection=self.r).get_status(), "failed")
        return ids, marker

    def test_retry_with_filter_runs_it_again_and_twice_changes_nothing(self):
        ids, marker = self.failed_jobs()
        before = sorted(self.r.zrange("rq:failed:default", 0, -1))
        out, data = self.job_json("retry", "default", "--system", "rq", "--filter", "rq_tasks.fail_until_marker",
                                  "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(data["count"], 1)
        self.assertTrue(data["dry_run"])
        self.assertEqual(data["total"], 3)
        self.assertEqual(data["jobs"][0]["id"], ids["marker"])
        self.assertEqual(sorted(self.r.zrange("rq:failed:default", 0, -1)), before)
        self.assertEqual(self.r.llen("rq:queue:default"), 0)

        out, data = self.job_json("retry", "default", "--system", "rq", "--filter", "rq_tasks.fail_until_marker",
                                  "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["count"], 1)
        self.assertEqual(data["jobs"][0]["outcome"], "retried")
        self.assertEqual(self.r.lrange("rq:queue:default", 0, -1), [ids["marker"].encode()])
        again = self.job_json("retry", "default", "--system", "rq", "--filter", "rq_tasks.fail_until_marker", "--yes")
        self.assertExit(again[0], 0)
        self.assertEqual(again[1]["count"], 0)
        self.assertEqual(self.r.llen("rq:queue:default"), 1)
        open(marker, "w").close()
        run_worker(self.server)
        out, data = self.job_json("status", ids["marker"])
        self.assertExit(out, 0)
        self.assertEqual(data["result"]["return_value"], "ran after requeue")

    def test_retry_filter_by_error_text(self):
        ids, _ = self.failed_jobs()
        out, data = self.job_json("retry", "default", "--filter", "beta went", "--yes")  # auto: RQ alone
        self.assertExit(out, 0)
        self.assertEqual([j["id"] for j in data["jobs"]], [ids["beta"]])
        self.assertEqual(data["system"], "rq")
        self.assertIsNone(self.r.zscore("rq:failed:default", ids["beta"]))
        self.assertIsNotNone(self.r.zscore("rq:failed:default", ids["alpha"]))

    def test_retry_needs_yes_without_a_terminal(self):
        self.failed_jobs()
        out = self.job("retry", "default")
        self.assertNotEqual(out.returncode, 0)
        self.assertEqual(self.r.zcard("rq:failed:default"), 3)
        self.assertExit(self.job("retry", "default", "--state", "dead"), 2)
        self.assertExit(self.job("retry", "default", "--prefix", "x"), 2)

    def test_purge_failed_and_waiting(self):
        ids, _ = self.failed_jobs()
        out, data = self.job_json("purge", "default", "--system", "rq", "--state", "failed", "--filter", "alpha",
                                  "--yes")
        self.assertExit(out, 0)
        self.assertEqual([j["id"] for j in data["jobs"]], [ids["alpha"]])
        self.assertEqual(data["jobs"][0]["outcome"], "purged")
        self.assertFalse(self.r.exists(f"rq:job:{ids['alpha']}", f"rq:results:{ids['alpha']}"))
        self.assertEqual(self.r.zcard("rq:failed:default"), 2)
        out, data = self.job_json("purge", "default", "--state", "failed", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["count"], 2)
        self.assertEqual(self.r.zcard("rq:failed:default"), 0)
        out, data = self.job_json("purge", "default", "--state", "failed", "--yes")
        self.assertEqual(data["count"], 0)

        keep = self.enqueue("rq_tasks.add", ":1", ":2")
        drop = [self.enqueue("rq_tasks.echo", "x") for _ in range(3)]
        out, data = self.job_json("purge", "default", "--state", "waiting", "--filter", "rq_tasks.echo", "--dry-run")
        self.assertEqual(data["count"], 3)
        self.assertEqual(self.r.llen("rq:queue:default"), 4)
        out, data = self.job_json("purge", "default", "--state", "waiting", "--filter", "rq_tasks.echo", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(sorted(j["id"] for j in data["jobs"]), sorted(drop))
        self.assertEqual(self.r.lrange("rq:queue:default", 0, -1), [keep.encode()])
        for i in drop:
            self.assertFalse(self.r.exists(f"rq:job:{i}"))
        self.assertExit(self.job("purge", "default", "--state", "started", "--yes"), 2)
