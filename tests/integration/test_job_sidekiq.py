"""rctl job --system sidekiq: interop with Debian's ruby-sidekiq 6.4 in both directions, with
one real `sidekiq` process for the whole module (tests/integration/peers/sidekiq/workers.rb).

The process works queue `default` of database 3 (Sidekiq's redis url .../3), so every test
also covers a database other than 0. rctl enqueues and the worker runs the job (it writes a
marker key); Sidekiq's own client pushes and rctl lists and locates the job; failing jobs land
in Sidekiq's retry and dead sets and `rctl job retry` moves them back. Nothing is mocked.
"""

import json
import os
import re
import signal
import subprocess
import time
import unittest

import redis

from faults import Proxy
from harness import RctlTestCase, RedisServer, rctl, rctl_json

PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", "sidekiq")
WORKERS = os.path.join(PEERS, "workers.rb")
DB = 3

server = None
worker = None
identity = None  # the live process's, as in the `processes` set


def sidekiq_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "SIDEKIQ", "RUBY"))}
    env["REDIS_URL"] = server.url(db=DB)
    return env


def setUpModule():
    global server, worker, identity
    server = RedisServer()
    # One process for the module: its start-up (Ruby, the gems) takes a second or two.
    worker = subprocess.Popen(["sidekiq", "-r", WORKERS, "-q", "default", "-c", "2", "-t", "5"], env=sidekiq_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                              cwd=PEERS)
    r = redis.Redis(host="127.0.0.1", port=server.port, db=DB)
    deadline = time.monotonic() + 30
    while r.scard("processes") == 0:
        if worker.poll() is not None or time.monotonic() > deadline:
            out = stop_worker()
            server.close()
            raise RuntimeError("sidekiq did not start: " + out)
        time.sleep(0.1)
    identity = r.srandmember("processes").decode()


def stop_worker():
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)  # Sidekiq's graceful stop; -t 5 bounds it
        try:
            return worker.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    return worker.communicate(timeout=10)[0] or ""


def tearDownModule():
    stop_worker()
    server.close()


def ruby(code):
    """Runs `code` with Sidekiq's own client (workers.rb loaded) on database 3; its stdout."""
    out = subprocess.run(["ruby", "-W0", "-r", WORKERS, "-e", code], env=sidekiq_env(), capture_output=True,
                         text=True, timeout=60, cwd=PEERS)
    if out.returncode != 0:
        raise AssertionError("ruby failed: " + out.stdout + out.stderr)
    return out.stdout.strip()


class SidekiqBase(RctlTestCase):
    def setUp(self):
        self.r = redis.Redis(host="127.0.0.1", port=server.port, db=DB, decode_responses=True)
        # Empty the database but for the live process's own keys (its heartbeat rewrites
        # them every 5 s; without them `--wait` would not know the process).
        for key in self.r.scan_iter(count=1000):
            if key not in ("processes", identity) and not key.startswith(identity + ":"):
                self.r.delete(key)
        self.r.srem("processes", *(set(self.r.smembers("processes")) - {identity}) or ["-"])

    def job(self, *args, **kw):
        return rctl("job", *args, "-p", server.port, "-n", str(DB), **kw)

    def job_json(self, *args, **kw):
        return rctl_json("job", *args, "-p", server.port, "-n", str(DB), **kw)

    def wait_for(self, what, check, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.05)
        self.fail("timed out waiting for " + what)

    def seed_set(self, key, payload, score):
        raw = json.dumps(payload, separators=(",", ":"))
        self.r.zadd(key, {raw: score})
        return raw


class EnqueueAndRun(SidekiqBase):
    def test_worker_runs_what_rctl_enqueued(self):
        out, data = self.job_json("enqueue", "--system", "sidekiq", "MarkerWorker", "héllo", ":7", "k=v")
        self.assertExit(out, 0)
        jid = data["jid"]
        self.assertRegex(jid, r"^[0-9a-f]{24}$")
        self.assertEqual(data["queue"], "default")
        # key=value arguments become one trailing hash argument (documented).
        self.assertEqual(data["args"], ["héllo", 7, {"k": "v"}])
        marker = self.wait_for("the worker's marker", lambda: self.r.get("marker:" + jid))
        self.assertEqual(json.loads(marker), ["héllo", 7, {"k": "v"}])

    def test_enqueue_wait_reports_done_without_a_result(self):
        out, data = self.job_json("enqueue", "--system", "sidekiq", "--wait", "30s", "MarkerWorker", ":1")
        self.assertExit(out, 0)
        self.assertEqual(data["status"], "done")
        self.assertIsNone(data["result"])
        self.assertIn("keeps no result", data["note"])
        # The job ran before rctl said so.
        self.assertIsNotNone(self.r.get("marker:" + data["jid"]))

    def test_payload_is_byte_compatible_with_sidekiq_client_push(self):
        # Queue "cold" has no worker: both payloads stay where they were written.
        ruby_jid = ruby('puts Sidekiq::Client.push("class" => "MarkerWorker", "queue" => "cold", '
                        '"args" => [1, "a", {"k" => 2}, nil, 2.5, true])')
        out, data = self.job_json("enqueue", "--system", "sidekiq", "--queue", "cold", "MarkerWorker", ":1", "a",
                                  ":null", ":2.5", ":true", "k:=2")
        self.assertExit(out, 0)
        raw = {json.loads(p)["jid"]: p for p in self.r.lrange("queue:cold", 0, -1)}
        theirs, ours = raw[ruby_jid], raw[data["jid"]]
        t, o = json.loads(theirs), json.loads(ours)
        self.assertEqual(list(o), list(t))  # same keys, same order
        self.assertEqual({k: type(v) for k, v in o.items()}, {k: type(v) for k, v in t.items()})
        # rctl's trailing hash comes last; Ruby's was given in the middle: compare the rest.
        self.assertEqual(o["args"], [1, "a", None, 2.5, True, {"k": 2}])
        # With the jid, times and args swapped in, the bytes are Sidekiq's own.
        swapped = dict(o, jid=t["jid"], created_at=t["created_at"], enqueued_at=t["enqueued_at"], args=t["args"])
        rebuilt = json.dumps(swapped, separators=(",", ":"), ensure_ascii=False)
        self.assertEqual(rebuilt, theirs)
        self.assertEqual(json.dumps(o, separators=(",", ":"), ensure_ascii=False), ours)
        self.assertIsInstance(o["created_at"], float)
        self.assertEqual(self.r.smembers("queues"), {"cold"})


class ReadSidekiqsJobs(SidekiqBase):
    def test_list_and_status_of_a_ruby_pushed_job(self):
        first = ruby('puts Sidekiq::Client.push("class" => "MarkerWorker", "queue" => "cold", "args" => ["x"])')
        second = ruby('puts Sidekiq::Client.push("class" => "MarkerWorker", "queue" => "cold", "args" => [2])')
        out, data = self.job_json("list", "--system", "sidekiq", "--queue", "cold")
        self.assertExit(out, 0)
        self.assertEqual(data["total"], 2)
        self.assertEqual([j["jid"] for j in data["jobs"]], [first, second])  # next to run first
        self.assertEqual(data["jobs"][0]["args"], ["x"])
        self.assertEqual(data["jobs"][0]["class"], "MarkerWorker")
        out, status = self.job_json("status", second)  # auto: only Sidekiq's keys here
        self.assertExit(out, 0)
        self.assertEqual(status["status"], "waiting")
        self.assertEqual(status["queue"], "cold")
        self.assertEqual(status["position"], 1)
        self.assertIsNone(status["result"])
        out, queues = self.job_json("queues")
        self.assertExit(out, 0)
        cold = {q["name"]: q for q in queues["queues"]}["cold"]
        self.assertEqual(cold["waiting"], 2)
        self.assertEqual(cold["next"]["jid"], first)
        self.assertGreaterEqual(cold["oldest_waiting_age_s"], 0)
        self.assertEqual(len(queues["processes"]), 1)
        self.assertFalse(queues["processes"][0]["stale"])
        self.assertIn("default", queues["processes"][0]["queues"])

    def test_stale_process_and_unknown_jid(self):
        self.r.sadd("processes", "gone:1:abc")
        self.r.hset("gone:1:abc", mapping={"info": json.dumps({"hostname": "gone", "queues": ["x"]}),
                                           "beat": str(time.time() - 120), "busy": "0", "quiet": "false"})
        out, queues = self.job_json("queues", "--system", "sidekiq")
        by_id = {p["identity"]: p for p in queues["processes"]}
        self.assertTrue(by_id["gone:1:abc"]["stale"])
        self.assertGreaterEqual(by_id["gone:1:abc"]["heartbeat_age_s"], 119)
        self.assertEqual(queues["stale_processes"], 1)
        out, data = self.job_json("status", "0123456789abcdef01234567", "--system", "sidekiq")
        self.assertExit(out, 5)
        self.assertIn("no record of finished jobs", data["error"]["hint"])
        # With --wait, not found only after the live process's next heartbeat (the stale one
        # does not hold it back).
        out, data = self.job_json("status", "0123456789abcdef01234567", "--system", "sidekiq", "--wait", "60s")
        self.assertExit(out, 5)

    def test_running_and_scheduled_jobs(self):
        now = time.time()
        # A process (not the live one) whose workers hash holds a job, as 6.4's heartbeat writes it.
        payload = json.dumps({"retry": True, "queue": "cold", "class": "Slow", "args": [9], "jid": "e" * 24,
                              "created_at": now, "enqueued_at": now})
        self.r.sadd("processes", "busy:1:abc")
        self.r.hset("busy:1:abc", mapping={"info": json.dumps({"hostname": "busy", "queues": ["cold"],
                                                               "concurrency": 5}),
                                           "beat": str(now), "busy": "1", "quiet": "false"})
        self.r.hset("busy:1:abc:workers", "tid1", json.dumps({"queue": "cold", "payload": payload,
                                                              "run_at": int(now)}))
        self.seed_set("schedule", {"retry": True, "queue": "cold", "class": "Later", "args": [], "jid": "f" * 24,
                                   "created_at": now}, now + 600)
        out, data = self.job_json("list", "--system", "sidekiq", "--state", "active")
        self.assertExit(out, 0)
        self.assertEqual([(j["jid"], j["process"]) for j in data["jobs"]], [("e" * 24, "busy:1:abc")])
        out, status = self.job_json("status", "e" * 24, "--system", "sidekiq")
        self.assertExit(out, 0)
        self.assertEqual((status["status"], status["process"]), ("running", "busy:1:abc"))
        out, status = self.job_json("status", "f" * 24, "--system", "sidekiq")
        self.assertEqual(status["status"], "scheduled")
        self.assertEqual(status["job"]["class"], "Later")
        out, data = self.job_json("list", "--system", "sidekiq", "--state", "scheduled", "--queue", "cold")
        self.assertEqual([j["jid"] for j in data["jobs"]], ["f" * 24])
        out, queues = self.job_json("queues", "--system", "sidekiq", "cold")
        cold = queues["queues"][0]
        self.assertEqual((cold["in_progress"], cold["scheduled"]), (1, 1))
        out, data = self.job_json("purge", "cold", "--system", "sidekiq", "--state", "scheduled", "--yes")
        self.assertEqual(data["done"], 1)
        self.assertEqual(self.r.zcard("schedule"), 0)

    def test_wait_runs_out_on_a_queue_no_process_works(self):
        out, data = self.job_json("enqueue", "--system", "sidekiq", "--queue", "cold", "--wait", "300ms",
                                  "MarkerWorker")
        self.assertExit(out, 1)
        self.assertTrue(data["timed_out"])
        self.assertEqual(data["status"], "waiting")
        self.assertEqual(data["position"], 0)

    def test_a_search_that_hit_its_bound_is_not_a_not_found(self):
        # One more entry than `job status` reads per queue (k_max_search_elements).
        self.r.sadd("queues", "big")
        pipe = self.r.pipeline(transaction=False)
        for start in range(0, 100001, 10000):
            pipe.lpush("queue:big", *[f'{{"jid":"{n:024x}"}}' for n in range(start, min(start + 10000, 100001))])
        pipe.execute()
        # The first pushed is the next to run (the right end): found at position 0.
        out, data = self.job_json("status", f"{0:024x}", "--system", "sidekiq")
        self.assertExit(out, 0)
        self.assertEqual(data["position"], 0)
        # The last pushed is past the bound: "not seen, search incomplete", never "not found".
        for jid in (f"{100000:024x}", "f" * 24):
            out, data = self.job_json("status", jid, "--system", "sidekiq")
            self.assertExit(out, 1)
            self.assertIn("stopped early", data["error"]["message"])
            self.assertIn("queue:big", data["error"]["message"])

    def test_database_zero_is_not_sidekiqs(self):
        out = rctl("job", "queues", "--system", "sidekiq", "-p", server.port, "-o", "json")
        self.assertExit(out, 0)
        self.assertEqual(json.loads(out.stdout)["queues"], [])


class RetryAndDead(SidekiqBase):
    def test_failing_job_goes_to_retry_and_job_retry_brings_it_back(self):
        out, data = self.job_json("enqueue", "--system", "sidekiq", "--wait", "30s", "FlakyWorker", "f1")
        self.assertExit(out, 1)  # failed: in the retry set
        self.assertEqual(data["status"], "retry")
        self.assertEqual(data["job"]["error_class"], "ArgumentError")
        self.assertEqual(data["job"]["error_message"], "flaky f1 attempt 1")
        table = self.job("list", "--system", "sidekiq", "--state", "retry")
        self.assertExit(table, 0)
        self.assertIn("ArgumentError: flaky f1 attempt 1", table.stdout)
        out, dry = self.job_json("retry", "default", "--system", "sidekiq", "--filter", "ArgumentError", "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(dry["selected"], 1)
        self.assertEqual(self.r.zcard("retry"), 1)  # the dry run changed nothing
        refused = self.job("retry", "default", "--system", "sidekiq")  # no terminal, no --yes
        self.assertExit(refused, 2)
        self.assertEqual(self.r.zcard("retry"), 1)
        out, moved = self.job_json("retry", "default", "--system", "sidekiq", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(moved["done"], 1)
        self.assertEqual(self.wait_for("the second run", lambda: self.r.get("done:f1")), "2")
        out, again = self.job_json("retry", "default", "--yes")  # auto: Sidekiq's keys; nothing left
        self.assertExit(out, 0)
        self.assertEqual(again["done"], 0)

    def test_retry_zero_goes_to_dead_and_retry_dead_brings_it_back(self):
        jid = ruby('puts DoomedWorker.perform_async("d1")')  # the class's retry: 0 is in the payload
        out, data = self.job_json("status", jid, "--system", "sidekiq", "--wait", "30s")
        self.assertExit(out, 1)
        self.assertEqual(data["status"], "dead")
        self.assertEqual(data["job"]["error_message"], "doomed d1 attempt 1")
        out, moved = self.job_json("retry", "default", "--system", "sidekiq", "--state", "dead", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(moved["done"], 1)
        self.assertEqual(self.r.zcard("dead"), 0)
        self.assertEqual(self.wait_for("the second run", lambda: self.r.get("done:d1")), "2")

    def test_retry_moves_only_its_queue_and_counts_as_sortedentry_retry(self):
        now = time.time()
        mine = self.seed_set("retry", {"retry": True, "queue": "cold", "class": "A", "args": [1], "jid": "a" * 24,
                                       "created_at": now, "enqueued_at": now, "error_message": "boom",
                                       "error_class": "RuntimeError", "failed_at": now, "retry_count": 2}, now + 3600)
        self.seed_set("retry", {"retry": True, "queue": "other", "class": "A", "args": [2], "jid": "b" * 24,
                                "retry_count": 0}, now + 3600)
        self.seed_set("retry", {"retry": True, "queue": "cold", "class": "B", "args": [3], "jid": "c" * 24,
                                "error_message": "other", "retry_count": 0}, now + 3600)
        out, moved = self.job_json("retry", "cold", "--system", "sidekiq", "--filter", "boom", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(moved["done"], 1)
        pushed = json.loads(self.r.lindex("queue:cold", 0))
        self.assertEqual(pushed["jid"], "a" * 24)
        self.assertEqual(pushed["retry_count"], 1)  # SortedEntry#retry: one less
        self.assertGreater(pushed["enqueued_at"], now)
        self.assertEqual(list(pushed)[:5], list(json.loads(mine))[:5])  # the keys keep their order
        self.assertIn("cold", self.r.smembers("queues"))
        self.assertEqual(self.r.zcard("retry"), 2)

    def test_outcome_unknown_is_never_resent(self):
        now = time.time()
        for n in range(2):
            self.seed_set("retry", {"queue": "cold", "class": "A", "args": [n], "jid": f"{n:024x}",
                                    "retry_count": 0}, now + 3600)
        proxy = Proxy(server.port, lambda cmd, nth: "reset_after_write" if cmd[0] == b"EVAL" and nth == 0 else None)
        try:
            out, data = rctl_json("--retries", "3", "job", "retry", "cold", "--system", "sidekiq", "--yes", "-p",
                                  proxy.port, "-n", str(DB))
            evals = proxy.count(b"EVAL")
        finally:
            proxy.close()
        self.assertEqual(data["error"]["kind"], "outcome_unknown")
        self.assertEqual(evals, 1)
        # The job whose script ran moved exactly once; the other is still in the set.
        self.assertEqual(self.r.llen("queue:cold"), 1)
        self.assertEqual(self.r.zcard("retry"), 1)


class Purge(SidekiqBase):
    def enqueue_cold(self, klass, arg):
        out, data = self.job_json("enqueue", "--system", "sidekiq", "--queue", "cold", klass, arg)
        self.assertExit(out, 0)
        return data["jid"]

    def test_purge_waiting_with_and_without_filter(self):
        for n in range(3):
            self.enqueue_cold("MarkerWorker", str(n))
        other = self.enqueue_cold("OtherWorker", "x")
        out, dry = self.job_json("purge", "cold", "--system", "sidekiq", "--state", "waiting", "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(dry["selected"], 4)
        self.assertEqual(self.r.llen("queue:cold"), 4)
        out, data = self.job_json("purge", "cold", "--system", "sidekiq", "--state", "waiting", "--filter",
                                  "OtherWorker", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["done"], 1)
        self.assertEqual([j["jid"] for j in data["jobs"]], [other])
        self.assertEqual(self.r.llen("queue:cold"), 3)
        out, data = self.job_json("purge", "cold", "--system", "sidekiq", "--state", "waiting", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["done"], 3)
        self.assertEqual(self.r.exists("queue:cold"), 0)
        self.assertNotIn("cold", self.r.smembers("queues"))  # Queue#clear

    def test_purge_a_set_keeps_other_queues_members(self):
        now = time.time()
        for n, queue in enumerate(["cold", "cold", "other"]):
            self.seed_set("dead", {"queue": queue, "class": "A", "args": [n], "jid": f"{n:024x}",
                                   "error_message": f"err{n}"}, now - n)
        out, data = self.job_json("purge", "cold", "--system", "sidekiq", "--state", "dead", "--filter", "err1",
                                  "--yes")
        self.assertEqual(data["done"], 1)
        out, data = self.job_json("purge", "cold", "--system", "sidekiq", "--state", "dead", "--yes")
        self.assertEqual(data["done"], 1)
        self.assertEqual(self.r.zcard("dead"), 1)
        out, data = self.job_json("purge", "cold", "--system", "sidekiq", "--state", "dead", "--yes")
        self.assertEqual(data["done"], 0)  # idempotent


class BadInput(SidekiqBase):
    def test_unknown_states_and_rq_options_are_usage_errors(self):
        for args in (["list", "--system", "sidekiq", "--state", "bogus"],
                     ["list", "--system", "sidekiq", "--offset", "3"],
                     ["purge", "cold", "--system", "sidekiq", "--state", "active", "--yes"],
                     ["retry", "cold", "--system", "sidekiq", "--state", "waiting", "--yes"],
                     ["enqueue", "--system", "sidekiq", "--job-timeout", "5", "MarkerWorker"],
                     ["enqueue", "--system", "sidekiq", "MarkerWorker", ":{bad"]):
            out, data = self.job_json(*args)
            self.assertExit(out, 2, args)
            self.assertEqual(data["error"]["kind"], "usage", args)

    def test_wrong_type_is_refused_before_writing(self):
        self.r.set("queue:cold", "not a list")
        out, data = self.job_json("enqueue", "--system", "sidekiq", "--queue", "cold", "MarkerWorker")
        self.assertExit(out, 6)
        self.assertIn("Sidekiq keeps a list", data["error"]["message"])
        self.assertEqual(self.r.exists("queues"), 0)


if __name__ == "__main__":
    unittest.main()
