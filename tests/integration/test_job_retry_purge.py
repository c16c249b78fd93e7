"""rctl job retry|purge for RQ and Celery, Celery's global_keyprefix and workers, and the
`job queues` table of a database that holds several queue systems - against real workers:
Debian's python3-rq 1.13 (`rq worker --burst`) and python3-celery 5.2 (a solo-pool worker
with result_extended, tests/integration/peers/celery_retry_tasks.py). Nothing is mocked."""

import json
import os
import signal
import subprocess
import tempfile

from rq.job import Job

from faults import Proxy
from harness import RCTL, rctl
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


class CeleryRetryBase(CeleryBase):
    app_module = "celery_retry_tasks"

    def failed_task(self, task, *args, prefix=()):
        out, data = self.job_json("enqueue", "--system", "celery", *prefix, task, *args, "--wait", "60s")
        self.assertExit(out, 1)
        self.assertEqual(data["status"], "FAILURE")
        return data["id"]

    def meta(self, task_id):
        return json.loads(self.r.get(f"celery-task-meta-{task_id}"))


class CeleryRetryPurge(CeleryRetryBase):
    def test_retry_runs_it_again_once(self):
        self.start_worker()
        flaky = self.failed_task("celery_retry_tasks.flaky", "counter-a", ":21")
        other = self.failed_task("celery_retry_tasks.fail", "other went wrong")
        status = self.job("status", flaky, "--system", "celery")
        self.assertIn("first attempt of counter-a fails", status.stdout)
        self.assertIn("Traceback", status.stdout)
        self.assertEqual(self.meta(flaky)["name"], "celery_retry_tasks.flaky")

        before = self.r.get(f"celery-task-meta-{flaky}")
        out, data = self.job_json("retry", "celery", "--system", "celery", "--filter", "celery_retry_tasks.flaky",
                                  "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual((data["count"], data["total"], data["dry_run"]), (1, 2, True))
        self.assertEqual(self.r.get(f"celery-task-meta-{flaky}"), before)

        out, data = self.job_json("retry", "celery", "--system", "celery", "--filter", "celery_retry_tasks.flaky",
                                  "--yes")
        self.assertExit(out, 0)
        self.assertEqual([(j["id"], j["outcome"]) for j in data["jobs"]], [(flaky, "retried")])
        out, data = self.job_json("status", flaky, "--system", "celery", "--wait", "60s")
        self.assertExit(out, 0)
        self.assertEqual((data["status"], data["result"]), ("SUCCESS", 42))
        self.assertEqual(self.r.get("counter-a"), b"2")
        # Celery's own client follows the same id.
        self.assertEqual(self.celery_client(
            f"print(celery_retry_tasks.app.AsyncResult('{flaky}').get(timeout=10))"), "42")

        out, data = self.job_json("retry", "celery", "--system", "celery", "--filter", "celery_retry_tasks.flaky",
                                  "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["count"], 0)
        # By error text: the other failure; then a second run changes nothing.
        out, data = self.job_json("retry", "celery", "--system", "celery", "--filter", "other went", "--yes")
        self.assertEqual([j["id"] for j in data["jobs"]], [other])
        wait_until(lambda: self.meta(other)["status"] == "FAILURE" and self.meta(other)["date_done"] is not None
                   and self.r.llen("celery") == 0, "the second failure")
        self.assertEqual(self.r.get("counter-a"), b"2")

    def test_retry_marks_the_meta_before_a_worker_runs_it(self):
        self.start_worker()
        task = self.failed_task("celery_retry_tasks.flaky", "counter-b", ":1")
        self.stop_worker()
        out, data = self.job_json("retry", "celery", "--yes")  # auto: Celery alone
        self.assertExit(out, 0)
        self.assertEqual(data["system"], "celery")
        meta = self.meta(task)
        self.assertEqual(meta["status"], "RETRY")
        self.assertIn("first attempt of counter-b fails", meta["traceback"])
        self.assertEqual(self.r.llen("celery"), 1)
        out, data = self.job_json("retry", "celery", "--yes")
        self.assertEqual(data["count"], 0)
        self.assertEqual(self.r.llen("celery"), 1)
        listed = self.job_json("list", "--system", "celery")[1]
        self.assertEqual([(j["id"], j["task"]) for j in listed["jobs"]], [(task, "celery_retry_tasks.flaky")])

    def test_meta_scan_bound_is_said(self):
        meta = json.dumps({"status": "SUCCESS", "result": 1, "traceback": None, "children": [], "date_done": None})
        with self.r.pipeline(transaction=False) as p:
            for i in range(100_001):
                p.set(f"celery-task-meta-b{i}", meta)
            p.execute()
        out, data = self.job_json("retry", "celery", "--system", "celery", "--dry-run")
        self.assertExit(out, 0)
        self.assertTrue(data["capped"])
        self.assertEqual((data["count"], data["total"]), (0, 0))
        self.assertIn("read the first 100000 celery-task-meta-* keys only", out.stderr)
        self.r.flushall()
        self.r.set("celery-task-meta-pickled", b"\x80\x04\x95")
        out, data = self.job_json("retry", "celery", "--system", "celery", "--dry-run")
        self.assertFalse(data["capped"])
        self.assertIn("1 celery-task-meta-* value is not JSON and was skipped", out.stderr)

    def test_without_result_extended_it_says_so(self):
        self.celery_client("import celery_tasks\n"
                           "celery_tasks.app.backend.mark_as_failure('plain-1', ValueError('no extended'), "
                           "traceback='Traceback ...\\nValueError: no extended')")
        out, data = self.job_json("retry", "celery", "--system", "celery", "--yes")
        self.assertExit(out, 0)
        self.assertEqual((data["count"], data["not_retryable"]), (0, 1))
        self.assertIn("result_extended", out.stderr)

    def test_purge_failed_and_waiting(self):
        self.start_worker()
        alpha = self.failed_task("celery_retry_tasks.fail", "alpha")
        beta = self.failed_task("celery_retry_tasks.fail", "beta")
        self.stop_worker()
        out, data = self.job_json("purge", "celery", "--system", "celery", "--state", "failed", "--filter", "alpha",
                                  "--yes")
        self.assertExit(out, 0)
        self.assertEqual([(j["id"], j["outcome"]) for j in data["jobs"]], [(alpha, "purged")])
        self.assertFalse(self.r.exists(f"celery-task-meta-{alpha}"))
        self.assertTrue(self.r.exists(f"celery-task-meta-{beta}"))

        for i in range(3):
            self.job("enqueue", "--system", "celery", "celery_retry_tasks.add", f":{i}", ":1")
        keep = self.job_json("enqueue", "--system", "celery", "celery_retry_tasks.sleep", ":0")[1]["id"]
        self.celery_client("celery_retry_tasks.add.apply_async((5, 5), priority=9)")
        self.assertEqual(self.r.llen("celery\x06\x169"), 1)
        out, data = self.job_json("purge", "celery", "--system", "celery", "--state", "waiting", "--filter",
                                  "celery_retry_tasks.add", "--dry-run")
        self.assertEqual((data["count"], data["total"]), (4, 5))
        self.assertEqual(self.r.llen("celery"), 4)
        out, data = self.job_json("purge", "celery", "--system", "celery", "--state", "waiting", "--filter",
                                  "celery_retry_tasks.add", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["count"], 4)
        self.assertEqual(self.r.llen("celery"), 1)
        self.assertEqual(self.r.llen("celery\x06\x169"), 0)
        self.assertEqual(json.loads(self.r.lindex("celery", 0))["headers"]["id"], keep)
        out, data = self.job_json("purge", "celery", "--state", "waiting", "--filter", "celery_retry_tasks.add",
                                  "--yes")
        self.assertEqual(data["count"], 0)
        self.assertExit(self.job("purge", "celery", "--system", "celery", "--state", "dead", "--yes"), 2)


class CeleryPrefixAndWorkers(CeleryRetryBase):
    env_extra = {"CELERY_TEST_PREFIX": "app1:"}

    def test_global_keyprefix_round_trip(self):
        self.start_worker()
        pfx = ("--prefix", "app1:")
        out, data = self.job_json("enqueue", "--system", "celery", *pfx, "celery_retry_tasks.add", ":2", ":3",
                                  "--wait", "60s")
        self.assertExit(out, 0)
        self.assertEqual(data["result"], 5)
        self.assertTrue(self.r.exists("app1:_kombu.binding.celery"))
        self.assertFalse(self.r.exists("celery", "_kombu.binding.celery"))
        # Celery's client enqueues under the prefix; rctl lists it (worker stopped first).
        wait_until(lambda: self.job_json("queues", "--system", "celery", *pfx)[1]["workers"], "the worker's binding")
        out, data = self.job_json("queues", *pfx)  # auto finds Celery under the prefix
        self.assertEqual(data["workers"], [f"rctltest{os.getpid()}@localhost"])
        task = self.failed_task("celery_retry_tasks.flaky", "counter-p", ":4", prefix=pfx)
        out, data = self.job_json("retry", "celery", *pfx, "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["count"], 1)
        out, data = self.job_json("status", task, "--wait", "60s")
        self.assertEqual((data["status"], data["result"]), ("SUCCESS", 8))
        self.stop_worker()
        # A warm shutdown removes the worker's remote-control binding.
        self.assertEqual(self.job_json("queues", "--system", "celery", *pfx)[1]["workers"], [])
        sent = self.celery_client("print(celery_retry_tasks.add.delay(1, 1).id)")
        self.assertEqual(self.r.llen("app1:celery"), 1)
        out, data = self.job_json("list", *pfx)
        self.assertEqual([j["id"] for j in data["jobs"]], [sent])
        out, data = self.job_json("purge", "celery", *pfx, "--state", "waiting", "--yes")
        self.assertEqual(data["count"], 1)
        self.assertEqual(self.r.llen("app1:celery"), 0)

    def test_workers_and_in_progress(self):
        self.env_extra = {}
        self.start_worker()
        name = f"rctltest{os.getpid()}@localhost"
        wait_until(lambda: name in self.job_json("queues", "--system", "celery")[1]["workers"], "the worker's binding")
        self.job("enqueue", "--system", "celery", "celery_retry_tasks.sleep", ":3")
        wait_until(lambda: self.r.hlen("unacked") == 1, "the task to start")
        out, data = self.job_json("queues", "--system", "celery")
        row = [q for q in data["queues"] if q["name"] == "celery"][0]
        self.assertEqual(row["unacked"], 1)
        self.assertNotIn(f"{name}.celery.pidbox", [q["name"] for q in data["queues"]])
        self.assertIn("IN PROGRESS", self.job("queues", "--system", "celery").stdout)
        # SIGKILL: no shutdown, no heartbeat in Redis - the binding stays (as the report says).
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.communicate(timeout=10)
        out, data = self.job_json("queues", "--system", "celery")
        self.assertIn(name, data["workers"])


class MixedSystems(JobBase):
    def test_summary_table_and_retry_asks_which(self):
        self.enqueue("rq_tasks.add", ":1", ":2")
        out = self.job("enqueue", "--system", "celery", "tasks.add", ":1", ":2")
        self.assertExit(out, 0)
        out, data = self.job_json("queues")
        self.assertExit(out, 0)
        self.assertEqual(data["systems"], ["rq", "celery"])
        rows = {(q["system"], q["name"]): q for q in data["queues"]}
        self.assertEqual(rows[("rq", "default")]["waiting"], 1)
        self.assertIsNotNone(rows[("rq", "default")]["oldest_waiting_age_s"])
        self.assertEqual(rows[("celery", "celery")]["waiting"], 1)
        self.assertIsNone(rows[("celery", "celery")]["failed"])
        table = self.job("queues")
        self.assertIn("SYSTEM", table.stdout)
        out, data = self.job_json("retry", "default")
        self.assertExit(out, 2)
        self.assertIn("--system", out.stderr)
        self.assertExit(self.job_json("purge", "default", "--state", "waiting")[0], 2)
        # One system present: its own report, as before.
        self.r.delete("celery", "_kombu.binding.celery")
        out, data = self.job_json("queues")
        self.assertNotIn("systems", data)


class OutcomeUnknown(CeleryRetryBase):
    """A connection reset after a job's write reached the server: that job's outcome is
    unknown (exit 3), it is never sent again, and the jobs done before it are shown."""

    def proxy(self, fault):
        p = Proxy(self.server.port, fault)
        self.addCleanup(p.close)
        return p

    def test_rq_purge_stops_and_never_resends(self):
        ids = [self.job_json("enqueue", "--queue", "q", "rq_tasks.add", ":1", ":2")[1]["id"] for _ in range(3)]
        proxy = self.proxy(lambda cmd, n: "reset_after_write" if cmd[0] == b"EVAL" and n == 1 else None)
        out = rctl("job", "purge", "q", "--system", "rq", "--state", "waiting", "--yes", "-p", proxy.port, "-o", "json")
        self.assertExit(out, 3)
        self.assertIn("outcome unknown", out.stderr)
        data = json.loads(out.stdout)  # one document: the jobs done before the loss, and the error
        self.assertEqual([(j["id"], j["outcome"]) for j in data["jobs"]], [(ids[0], "purged")])
        self.assertEqual((data["error"]["kind"], data["error"]["exit_code"]), ("outcome_unknown", 3))
        self.assertEqual(proxy.count(b"EVAL"), 2)
        self.assertEqual(self.r.lrange("rq:queue:q", 0, -1), [ids[2].encode()])
        out, data = self.job_json("purge", "q", "--system", "rq", "--state", "waiting", "--yes")
        self.assertEqual([j["id"] for j in data["jobs"]], [ids[2]])

    def test_celery_retry_is_sent_once(self):
        self.start_worker()
        task = self.failed_task("celery_retry_tasks.fail", "once")
        self.stop_worker()
        proxy = self.proxy(lambda cmd, n: "reset_after_write" if cmd[0] == b"EXEC" else None)
        out = rctl("job", "retry", "celery", "--system", "celery", "--yes", "-p", proxy.port)
        self.assertExit(out, 3)
        self.assertIn("outcome unknown", out.stderr)
        self.assertEqual(proxy.count(b"EXEC"), 1)
        self.assertEqual(self.r.llen("celery"), 1)
        self.assertEqual(self.meta(task)["status"], "RETRY")
        out, data = self.job_json("retry", "celery", "--system", "celery", "--yes")
        self.assertEqual(data["count"], 0)
        self.assertEqual(self.r.llen("celery"), 1)


class Interrupted(JobBase):
    def test_ctrl_c_between_jobs_reports_what_was_done(self):
        from rq import Queue
        q = Queue("big", connection=self.r)
        for i in range(3000):
            q.enqueue("rq_tasks.add", i, 1)
        proc = subprocess.Popen([RCTL, "job", "purge", "big", "--system", "rq", "--state", "waiting", "--yes",
                                 "-p", str(self.server.port), "-o", "json"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        wait_until(lambda: self.r.llen("rq:queue:big") < 2900, "the purge to start", timeout=30)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 130, stderr)
        data = json.loads(stdout)
        self.assertEqual(data["error"]["kind"], "interrupted")
        self.assertLess(data["count"], 3000)
        self.assertEqual(self.r.llen("rq:queue:big"), 3000 - data["count"])
        self.assertIn(f"interrupted after {data['count']} of 3000 jobs", stderr)
