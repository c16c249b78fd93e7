"""rctl job --system celery: interop with Debian's python3-celery 5.2 (kombu Redis broker,
Redis result backend) in both directions, with a real Celery worker.

rctl enqueues, a real `celery worker` (tests/integration/peers/celery_tasks.py) runs the task
and rctl reads the result it stored; Celery's own apply_async() enqueues and rctl lists the
message and reads its result. Nothing of Celery is mocked.
"""

import json
import os
import signal
import subprocess
import time
import unittest

from harness import ServerTestCase, rctl, rctl_json

PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers")
PYTHON = "/usr/bin/python3"


def celery_env(server):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY")}
    env["PYTHONPATH"] = PEERS
    env["CELERY_TEST_URL"] = server.url()
    return env


class CeleryBase(ServerTestCase):
    worker = None
    app_module = "celery_tasks"  # the peers/ module with the Celery app the worker and client use
    env_extra = {}  # more environment for the worker and client (e.g. CELERY_TEST_PREFIX)

    def job(self, *args, **kw):
        return rctl("job", *args, "-p", self.server.port, **kw)

    def job_json(self, *args, **kw):
        return rctl_json("job", *args, "-p", self.server.port, **kw)

    def start_worker(self, *queues):
        """A solo-pool worker on `queues` (default: celery); stopped in tearDown."""
        cmd = [PYTHON, "-m", "celery", "-A", self.app_module, "worker", "--pool", "solo", "-l", "warning",
               "--without-gossip", "--without-mingle", "--without-heartbeat",
               "-Q", ",".join(queues or ("celery",)), "-n", f"rctltest{os.getpid()}@localhost"]
        self.worker = subprocess.Popen(cmd, env={**celery_env(self.server), **self.env_extra}, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.addCleanup(self.stop_worker)

    def stop_worker(self):
        if self.worker is None or self.worker.poll() is not None:
            return
        # Celery's warm shutdown on SIGTERM; SIGKILL after the deadline.
        os.killpg(self.worker.pid, signal.SIGTERM)
        try:
            self.worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.communicate(timeout=10)

    def celery_client(self, code):
        """Runs `code` with Celery's own client (celery_tasks imported); returns its stdout."""
        out = subprocess.run([PYTHON, "-c", f"import {self.app_module}\n" + code],
                             env={**celery_env(self.server), **self.env_extra},
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError("celery client failed: " + out.stdout + out.stderr)
        return out.stdout.strip()


class EnqueueAndRun(CeleryBase):
    def test_worker_runs_what_rctl_enqueued(self):
        out, data = self.job_json("enqueue", "--system", "celery", "celery_tasks.add", ":2", ":40")
        self.assertExit(out, 0)
        task_id = data["id"]
        self.assertEqual(data["queue"], "celery")
        self.assertEqual(data["args"], [2, 40])
        # The message as it sits in the queue parses as Celery's protocol 2.
        raw = json.loads(self.r.lindex("celery", 0))
        self.assertEqual(raw["headers"]["task"], "celery_tasks.add")
        self.assertEqual(raw["headers"]["argsrepr"], "(2, 40)")
        self.assertEqual(raw["properties"]["delivery_info"], {"exchange": "", "routing_key": "celery"})
        self.start_worker()
        out, data = self.job_json("status", task_id, "--system", "celery", "--wait", "60s")
        self.assertExit(out, 0)
        self.assertEqual(data["status"], "SUCCESS")
        self.assertEqual(data["result"], 42)
        # Celery's own AsyncResult agrees.
        self.assertEqual(self.celery_client(f"print(celery_tasks.app.AsyncResult({task_id!r}).get(timeout=10))"),
                         "42")

    def test_enqueue_wait_and_keyword_arguments(self):
        self.start_worker()
        out, shown = self.job_json("enqueue", "--system", "celery", "--wait", "60s", "celery_tasks.echo", "héllo",
                                   "n:=7", "k=v")
        self.assertExit(out, 0)
        self.assertEqual(shown["status"], "SUCCESS")
        stored = json.loads(self.r.get("celery-task-meta-" + shown["id"]))
        self.assertEqual(stored["result"], {"args": ["héllo"], "kwargs": {"n": 7, "k": "v"}})
        self.assertEqual(shown["result"], stored["result"])
        table = self.job("status", shown["id"])  # auto: Celery's result, no RQ job of that id
        self.assertExit(table, 0)
        self.assertIn("SUCCESS", table.stdout)

    def test_non_default_queue(self):
        out, data = self.job_json("enqueue", "--system", "celery", "--queue", "reports", "celery_tasks.add",
                                  ":1", ":1")
        self.assertExit(out, 0)
        out, queues = self.job_json("queues", "--system", "celery")
        self.assertExit(out, 0)
        by_name = {q["name"]: q for q in queues["queues"]}
        self.assertEqual(by_name["reports"]["waiting"], 1)
        self.assertEqual(by_name["reports"]["oldest"]["id"], data["id"])
        self.start_worker("reports")
        out, result = self.job_json("status", data["id"], "--system", "celery", "--wait", "60s")
        self.assertExit(out, 0)
        self.assertEqual(result["result"], 2)
        out, queues = self.job_json("queues")  # auto: Celery's keys, no RQ ones
        self.assertEqual({q["name"]: q["waiting"] for q in queues["queues"]}["reports"], 0)

    def test_failing_task_shows_its_traceback(self):
        out, data = self.job_json("enqueue", "--system", "celery", "celery_tasks.fail", "boom")
        self.start_worker()
        out = self.job("status", data["id"], "--system", "celery", "--wait", "60s")
        self.assertExit(out, 1)
        self.assertIn("FAILURE", out.stdout)
        self.assertIn("ValueError", out.stdout)
        self.assertIn("Traceback (most recent call last)", out.stdout)
        out, result = self.job_json("status", data["id"], "--system", "celery")
        self.assertExit(out, 1)
        self.assertEqual(result["result"]["exc_type"], "ValueError")
        self.assertIn("raise ValueError(message)", result["traceback"])

    def test_wait_deadline_without_a_worker(self):
        out, data = self.job_json("enqueue", "--system", "celery", "--wait", "300ms", "celery_tasks.add", ":1", ":2")
        self.assertExit(out, 1)
        self.assertIn("no result after", data["error"]["message"])
        self.assertEqual(self.r.llen("celery"), 1)  # still waiting, written once

    def test_refuses_rq_options(self):
        out = self.job("enqueue", "--system", "celery", "--job-timeout", "5", "celery_tasks.add", ":1", ":2")
        self.assertExit(out, 2)
        self.assertEqual(self.r.dbsize(), 0)
        # --timeout after the command is RQ's job timeout: the hint says where the connection's goes.
        out = self.job("enqueue", "--system", "celery", "celery_tasks.add", ":1", "--timeout", "5s")
        self.assertExit(out, 2)
        self.assertIn("is an RQ option; --system celery does not take it", out.stderr)
        self.assertIn("rctl --timeout 5s job enqueue", out.stderr)
        self.assertEqual(self.r.dbsize(), 0)


class FromCeleryClient(CeleryBase):
    def test_listed_then_result_read(self):
        ids = self.celery_client(
            "a = celery_tasks.add.apply_async((1, 2))\n"
            "b = celery_tasks.echo.apply_async(('x',), {'y': [1, None]}, queue='celery')\n"
            "print(a.id, b.id)").split()
        out, listing = self.job_json("list", "--system", "celery", "--limit", "10")
        self.assertExit(out, 0)
        self.assertEqual(listing["total"], 2)
        jobs = listing["jobs"]
        self.assertEqual([j["id"] for j in jobs], ids)  # next to run first
        self.assertEqual(jobs[0]["task"], "celery_tasks.add")
        self.assertEqual(jobs[0]["args"], [1, 2])
        self.assertEqual(jobs[1]["args"], ["x"])
        self.assertEqual(jobs[1]["kwargs"], {"y": [1, None]})
        self.assertEqual(jobs[0]["retries"], 0)
        out, limited = self.job_json("list", "--limit", "1")  # auto
        self.assertEqual([j["id"] for j in limited["jobs"]], ids[:1])
        table = self.job("list", "--system", "celery")
        self.assertExit(table, 0)
        self.assertIn("celery_tasks.echo", table.stdout)
        self.start_worker()
        out, result = self.job_json("status", ids[1], "--wait", "60s")
        self.assertExit(out, 0)
        self.assertEqual(result["result"], {"args": ["x"], "kwargs": {"y": [1, None]}})
        self.assertIsNotNone(result["date_done"])

    def test_pickle_message_is_shown_not_run(self):
        self.celery_client("celery_tasks.app.conf.accept_content = ['json', 'pickle']\n"
                           "celery_tasks.add.apply_async((1, 2), serializer='pickle')")
        out, listing = self.job_json("list", "--system", "celery")
        self.assertExit(out, 0)
        job = listing["jobs"][0]
        self.assertFalse(job["decoded"])
        self.assertIsNone(job["args"])
        self.assertEqual(job["argsrepr"], "(1, 2)")
        self.assertIn("application/x-python-serialize", job["problem"])

    def test_missing_result(self):
        out = self.job("status", "no-such-task", "--system", "celery")
        self.assertExit(out, 5)

    def test_rq_stays_the_default(self):
        # Without Celery's keys auto means RQ: today's output unchanged.
        out, data = self.job_json("queues")
        self.assertExit(out, 0)
        self.assertNotIn("system", data)
        # With both, RQ's keys win; --system celery still reads Celery's.
        self.celery_client("celery_tasks.add.apply_async((1, 2))")
        self.r.sadd("rq:queues", "rq:queue:default")
        out, data = self.job_json("queues")
        self.assertNotIn("system", data)
        out, data = self.job_json("queues", "--system", "celery")
        self.assertEqual(data["total_waiting"], 1)


if __name__ == "__main__":
    unittest.main()
