"""rctl job: interop with Debian's python3-rq 1.13 in both directions, against real servers.

rctl enqueues, a real `rq worker` runs (tests/integration/peers/rq_tasks.py on its
PYTHONPATH), and rctl reads back what the worker wrote; RQ's own Queue.enqueue writes and
rctl reads. No RQ behaviour is mocked: where rctl claims to do what RQ does (description,
requeue, cancel, empty, rq info), the test does the same with RQ and compares.
"""

import json
import os
import re
import signal
import subprocess
import tempfile
import time
import unittest
import zlib

import redis
from redis.cluster import RedisCluster as PyRedisCluster
from rq import Queue
from rq.job import Job
from rq.registry import CanceledJobRegistry, FailedJobRegistry
from rq.serializers import JSONSerializer
from rq.utils import get_call_string

from faults import FakeServer, resp2_handshake
from harness import RCTL, RctlTestCase, RedisCluster, RedisServer, ServerTestCase, rctl, rctl_json

PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers")
PYTHON = "/usr/bin/python3"


def worker_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("RQ_")}
    env["PYTHONPATH"] = PEERS
    return env


def run_worker(server, *queues, serializer=None, scheduler=False):
    """One burst worker: runs what is queued, then exits."""
    cmd = [PYTHON, "-m", "rq.cli", "worker", "--burst", "-u", server.url(), *(queues or ("default",))]
    if serializer:
        cmd += ["-S", serializer]
    if scheduler:
        cmd.append("--with-scheduler")
    out = subprocess.run(cmd, env=worker_env(), capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError("rq worker failed: " + out.stdout + out.stderr)
    return out


def wait_until(predicate, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("gave up waiting for " + what)


class JobBase(ServerTestCase):
    def job(self, *args, **kw):
        return rctl("job", *args, "-p", self.server.port, **kw)

    def job_json(self, *args, **kw):
        return rctl_json("job", *args, "-p", self.server.port, **kw)

    def enqueue(self, *args):
        out, data = self.job_json("enqueue", *args)
        self.assertExit(out, 0)
        return data["id"]


class Enqueue(JobBase):
    ARGS = ["héllo ✓ 日本", ":42", ":12345678901234567890", ":-9223372036854775808", ":2.5", ":1e16", ":true",
            ":null", ':[1, "two", [3.0]]', 'nested:={"a": {"b": [1, {"c": null}]}, "é": "ü"}', "flag:=false",
            "name=ünï", "num:=7"]
    PY_ARGS = ("héllo ✓ 日本", 42, 12345678901234567890, -9223372036854775808, 2.5, 1e16, True, None, [1, "two", [3.0]])
    PY_KWARGS = {"nested": {"a": {"b": [1, {"c": None}]}, "é": "ü"}, "flag": False, "name": "ünï", "num": 7}

    def test_rq_reads_exactly_what_was_sent(self):
        job_id = self.enqueue("rq_tasks.echo", *self.ARGS)
        job = Job.fetch(job_id, connection=self.r)
        self.assertEqual(job.func_name, "rq_tasks.echo")
        self.assertEqual(tuple(job.args), self.PY_ARGS)
        self.assertEqual(job.kwargs, self.PY_KWARGS)
        for got, want in zip(job.args, self.PY_ARGS):
            self.assertIs(type(got), type(want), f"{got!r} should be {type(want).__name__}")
        self.assertIs(type(job.kwargs["num"]), int)
        # The default description is RQ's own call string (Job.create, max_length=75).
        self.assertEqual(job.description, get_call_string("rq_tasks.echo", self.PY_ARGS, self.PY_KWARGS, max_length=75))
        self.assertEqual(job.get_status(), "queued")
        self.assertEqual(job.origin, "default")
        self.assertEqual(job.timeout, 180)
        self.assertIsNone(job.result_ttl)
        self.assertEqual(self.r.lrange("rq:queue:default", 0, -1), [job_id.encode()])
        self.assertEqual(self.r.smembers("rq:queues"), {b"rq:queue:default"})
        self.assertTrue(self.r.hget(f"rq:job:{job_id}", "data").startswith(b"x\x9c"))
        created = self.r.hget(f"rq:job:{job_id}", "created_at").decode()
        self.assertRegex(created, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertRegex(job_id, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

    def test_worker_runs_it_and_status_shows_the_result(self):
        job_id = self.enqueue("rq_tasks.echo", *self.ARGS)
        nested = self.enqueue("rq_tasks.nested_result")
        run_worker(self.server)
        out, data = self.job_json("status", job_id)
        self.assertExit(out, 0)
        self.assertEqual(data["status"], "finished")
        self.assertEqual(data["registries"], ["finished"])
        self.assertEqual(data["result"]["type"], "successful")
        self.assertEqual(data["result"]["return_value_format"], "pickle")
        value = data["result"]["return_value"]
        self.assertEqual(value["args"][:2], ["héllo ✓ 日本", 42])
        self.assertEqual(value["args"][2], "12345678901234567890")  # beyond int64: decimal text
        self.assertEqual(value["args"][3:], [-9223372036854775808, 2.5, 1e16, True, None, [1, "two", [3.0]]])
        self.assertEqual(value["kwargs"], self.PY_KWARGS)
        self.assertEqual(data["func_name"], "rq_tasks.echo")
        self.assertEqual(data["serializer"], "pickle")
        self.assertTrue(data["worker_name"])
        self.assertTrue(data["ended"])
        self.assertIsNotNone(data["ended_at"])

        out, data = self.job_json("status", nested)
        self.assertExit(out, 0)
        self.assertEqual(data["result"]["return_value"],
                         {"name": "résumé ✓", "n": 42, "big": str(2 ** 70), "ratio": 0.25, "ok": True, "none": None,
                          "items": [1, "two", [3.5, False]], "inner": {"deep": {"list": [], "dict": {}}}})
        table = self.job("status", nested)
        self.assertExit(table, 0)
        self.assertIn("finished", table.stdout)
        self.assertIn("résumé ✓", table.stdout)

    def test_options_as_rq_writes_them(self):
        job_id = self.enqueue("rq_tasks.add", ":1", ":2", "--queue", "high", "--timeout", "10m", "--result-ttl", "100",
                              "--failure-ttl", "-1", "--ttl", "600", "--description", "adding", "--job-id", "my-job_1",
                              "--meta", '{"who": "ci", "n": [1]}')
        self.assertEqual(job_id, "my-job_1")
        job = Job.fetch(job_id, connection=self.r)
        self.assertEqual((job.origin, job.timeout, job.result_ttl, job.failure_ttl, job.ttl, job.description),
                         ("high", 600, 100, -1, 600, "adding"))
        self.assertEqual(job.meta, {"who": "ci", "n": [1]})
        ttl = self.r.ttl("rq:job:my-job_1")
        self.assertTrue(0 < ttl <= 600, ttl)
        self.enqueue("rq_tasks.add", ":3", ":4", "--queue", "high", "--job-id", "front", "--at-front")
        self.assertEqual(self.r.lrange("rq:queue:high", 0, -1), [b"front", b"my-job_1"])
        run_worker(self.server, "high")
        self.assertEqual(Job.fetch("my-job_1", connection=self.r).return_value(), 3)
        self.assertEqual(Job.fetch("front", connection=self.r).return_value(), 7)

    def test_same_fields_as_rq_queue_enqueue(self):
        """The hash rctl writes has the fields RQ 1.13 writes (plus RQ 2.x's empty ones)."""
        ours = self.enqueue("rq_tasks.add", ":1", ":2", "--job-id", "ours")
        Queue(connection=self.r).enqueue("rq_tasks.add", 1, 2, job_id="theirs")
        mine = self.r.hgetall("rq:job:ours")
        theirs = self.r.hgetall("rq:job:theirs")
        self.assertEqual(set(theirs) - set(mine), set())
        self.assertEqual(set(mine) - set(theirs), {b"stopped_callback_name", b"group_id"})
        for field in (b"status", b"origin", b"description", b"timeout", b"success_callback_name", b"started_at",
                      b"ended_at", b"last_heartbeat", b"worker_name"):
            self.assertEqual(mine[field], theirs[field], field)
        self.assertEqual(self.r.lrange("rq:queue:default", 0, -1), [b"ours", b"theirs"])

    def test_enqueue_then_status_wait(self):
        """The README's CI recipe: enqueue, then `status --wait` until a worker ran it."""
        job_id = self.enqueue("rq_tasks.add", ":20", ":22")
        waiter = subprocess.Popen([RCTL, "job", "status", job_id, "--wait", "120s", "-p", str(self.server.port),
                                   "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            run_worker(self.server)
            stdout, stderr = waiter.communicate(timeout=120)
        finally:
            waiter.kill()
        self.assertEqual(waiter.returncode, 0, stderr)
        data = json.loads(stdout)
        self.assertEqual(data["status"], "finished")
        self.assertEqual(data["result"]["return_value"], 42)
        self.assertFalse(data["wait"]["timed_out"])

    def test_enqueue_wait_prints_the_result(self):
        waiter = subprocess.Popen([RCTL, "job", "enqueue", "rq_tasks.fail", "no luck", "--wait", "120s",
                                   "-p", str(self.server.port)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=worker_env())
        try:
            wait_until(lambda: self.r.llen("rq:queue:default") == 1, "the job to be queued")
            run_worker(self.server)
            stdout, stderr = waiter.communicate(timeout=120)
        finally:
            waiter.kill()
        self.assertEqual(waiter.returncode, 1, stderr)
        self.assertIn("failed", stdout)
        self.assertIn("ValueError: no luck", stdout)

    def test_wait_deadline_without_a_worker(self):
        job_id = self.enqueue("rq_tasks.add", ":1", ":1", "--queue", "nobody-listens")
        out, data = self.job_json("status", job_id, "--wait", "300ms")
        self.assertExit(out, 1)
        self.assertEqual(data["status"], "queued")
        self.assertTrue(data["wait"]["timed_out"])
        self.assertEqual(data["position"], 0)
        self.assertOneLineError(out, "still queued")
        out = self.job("status", job_id)  # without --wait, a queued job is not a failure
        self.assertExit(out, 0)

    def test_input_file_arguments(self):
        with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as f:
            f.write(b'{"from": "file", "lines": "a\\nb"}')
        with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as t:
            t.write("crlf\r\nünï\n".encode())
        try:
            job_id = self.enqueue("rq_tasks.echo", ":@" + f.name, "text=@" + t.name)
        finally:
            os.unlink(f.name)
            os.unlink(t.name)
        job = Job.fetch(job_id, connection=self.r)
        self.assertEqual(job.args, ({"from": "file", "lines": "a\nb"},))
        self.assertEqual(job.kwargs, {"text": "crlf\nünï\n"})


class WaitThroughOutage(RctlTestCase):
    def test_status_wait_survives_a_server_restart(self):
        server = RedisServer(args=("--appendonly", "yes"))
        try:
            out, data = rctl_json("job", "enqueue", "rq_tasks.add", ":2", ":2", "-p", server.port)
            self.assertExit(out, 0)
            waiter = subprocess.Popen([RCTL, "job", "status", data["id"], "--wait", "300s", "-p", str(server.port),
                                       "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                # The outage must come after rctl has read the job once (a server that is down
                # from the start is a connect error, not an outage): wait for its first read.
                r = redis.Redis(port=server.port)
                deadline = time.monotonic() + 60
                while not any(c.get("name") == "rctl" and c.get("cmd") not in ("hello", "client|setname", "select", "NULL")
                              for c in r.client_list()):
                    self.assertLess(time.monotonic(), deadline, "rctl never read the job")
                    time.sleep(0.02)
                server.stop()
                # Deterministic: the outage is seen before the server comes back.
                while True:
                    line = waiter.stderr.readline()
                    self.assertTrue(line, "rctl ended without noticing the outage")
                    if "retrying" in line:
                        break
                server.restart()
                run_worker(server)
                stdout, stderr = waiter.communicate(timeout=300)
            finally:
                waiter.kill()
            self.assertEqual(waiter.returncode, 0, stderr)
            result = json.loads(stdout)
            self.assertEqual(result["status"], "finished")
            self.assertEqual(result["result"]["return_value"], 4)
        finally:
            server.close()


class Refusals(JobBase):
    def assertNothingWritten(self):
        self.assertEqual(self.r.dbsize(), 0, self.r.keys("*"))

    def assertUsage(self, *args, fragment):
        out, data = self.job_json(*args)
        self.assertExit(out, 2)
        self.assertEqual(data["error"]["kind"], "usage")
        self.assertIn(fragment, data["error"]["message"])
        self.assertOneLineError(out, fragment)
        self.assertNothingWritten()

    def test_bad_enqueue_input(self):
        self.assertUsage("enqueue", "print", fragment="import path")
        self.assertUsage("enqueue", "m.f", "%[1, 2]", fragment="Python literals")
        self.assertUsage("enqueue", "m.f", "k%=(1,)", fragment="Python literals")
        self.assertUsage("enqueue", "m.f", ":{bad", fragment="not valid JSON")
        self.assertUsage("enqueue", "m.f", "k=1", "k=2", fragment="more than once")
        self.assertUsage("enqueue", "m.f", ":123456789012345678901234567890", fragment="outside the range")
        self.assertUsage("enqueue", "m.f", "--job-id", "a:b", fragment="--job-id")
        self.assertUsage("enqueue", "m.f", "--timeout", "0", fragment="--timeout")
        self.assertUsage("enqueue", "m.f", "--ttl", "soon", fragment="--ttl")
        self.assertUsage("enqueue", "m.f", "--meta", "[1]", fragment="--meta")
        self.assertUsage("enqueue", "m.f", "--schedule-in", "1m", "--schedule-at", "2030-01-01T00:00:00Z",
                         fragment="exclude each other")
        self.assertUsage("enqueue", "m.f", "--schedule-at", "next week", fragment="ISO 8601")
        self.assertUsage("enqueue", "m.f", "@/nonexistent/file", fragment="cannot read file")
        self.assertUsage("enqueue", "m.f", "--wait", "soonish", fragment="--wait")
        self.assertUsage("enqueue", "m.f", "--serializer", "yaml", fragment="serializer")
        self.assertUsage("list", "--state", "done", fragment="--state")

    def test_existing_job_id_is_not_overwritten(self):
        self.enqueue("rq_tasks.add", ":1", ":2", "--job-id", "taken")
        before = self.r.hgetall("rq:job:taken")
        out, data = self.job_json("enqueue", "rq_tasks.fail", "--job-id", "taken")
        self.assertExit(out, 2)
        self.assertIn("already exists", data["error"]["message"])
        self.assertEqual(self.r.hgetall("rq:job:taken"), before)
        self.assertEqual(self.r.llen("rq:queue:default"), 1)

    def test_rq_keys_of_another_type_are_not_touched(self):
        self.r.set("rq:queue:default", "not a list")
        out, data = self.job_json("enqueue", "rq_tasks.add", ":1", ":2")
        self.assertExit(out, 6)
        self.assertIn("is a string", data["error"]["message"])
        self.assertEqual(self.r.dbsize(), 1)

    def test_missing_job(self):
        for sub in (("status", "nope"), ("status", "nope", "--wait", "1s")):
            out, data = self.job_json(*sub)
            self.assertExit(out, 5)
            self.assertEqual(data["error"]["kind"], "not_found")
        out, data = self.job_json("cancel", "nope")
        self.assertExit(out, 5)
        self.assertEqual(data["jobs"][0]["outcome"], "not_found")
        out, data = self.job_json("requeue", "nope")
        self.assertExit(out, 5)
        self.assertNothingWritten()

    def test_outcome_unknown_is_never_resent(self):
        """The connection drops after the MULTI was sent: exit 3, and EXEC arrived once."""
        seen = []

        def script(peer):
            cmd = resp2_handshake(peer)
            while True:
                name = cmd[0].upper()
                seen.append(name)
                if name == b"INFO":
                    body = b"# Cluster\r\ncluster_enabled:0\r\n"
                    peer.send(b"$%d\r\n%s\r\n" % (len(body), body))
                elif name == b"PING":
                    peer.send(b"+PONG\r\n")
                elif name == b"WATCH":
                    peer.send(b"+OK\r\n")
                elif name == b"TYPE":
                    peer.send(b"+none\r\n")
                elif name == b"HGET":
                    peer.send(b"$-1\r\n")
                elif name == b"MULTI":
                    while peer.read_command()[0].upper() != b"EXEC":
                        pass
                    seen.append(b"EXEC")
                    peer.sock.close()
                    return
                cmd = peer.read_command()

        fake = FakeServer(script)
        try:
            out, data = rctl_json("job", "enqueue", "rq_tasks.add", ":1", ":2", "-p", str(fake.port), "--retries", "3")
        finally:
            fake.close()
        self.assertExit(out, 3)
        self.assertEqual(data["error"]["kind"], "outcome_unknown")
        self.assertIn("outcome unknown", data["error"]["message"])
        self.assertEqual(seen.count(b"EXEC"), 1)
        self.assertEqual(seen.count(b"MULTI"), 1)

    def test_server_stalling_after_the_handshake_is_a_timeout(self):
        def script(peer):
            resp2_handshake(peer)
            while True:
                peer.read_command()  # never answers

        fake = FakeServer(script)
        try:
            out, data = rctl_json("job", "status", "x", "-p", str(fake.port), "--timeout", "500ms")
        finally:
            fake.close()
        self.assertExit(out, 3)
        self.assertEqual(data["error"]["kind"], "timeout")


class Failures(JobBase):
    def test_failed_job_shows_traceback_and_exits_1(self):
        job_id = self.enqueue("rq_tasks.fail", "bad ünïcode")
        run_worker(self.server)
        out, data = self.job_json("status", job_id)
        self.assertExit(out, 1)
        self.assertEqual(data["status"], "failed")
        self.assertEqual(data["registries"], ["failed"])
        self.assertEqual(data["result"]["type"], "failed")
        exc = data["result"]["exc_string"]
        self.assertTrue(exc.startswith("Traceback (most recent call last):"))
        self.assertTrue(exc.rstrip().endswith("ValueError: bad ünïcode"), exc)
        table = self.job("status", job_id)
        self.assertExit(table, 1)
        self.assertIn("ValueError: bad ünïcode", table.stdout)
        self.assertIn("Traceback", table.stdout)

    def test_requeue_runs_it_again(self):
        marker = os.path.join(tempfile.mkdtemp(), "marker")
        job_id = self.enqueue("rq_tasks.fail_until_marker", marker)
        run_worker(self.server)
        self.assertEqual(Job.fetch(job_id, connection=self.r).get_status(), "failed")
        out, data = self.job_json("requeue", job_id)
        self.assertExit(out, 0)
        self.assertEqual(data["jobs"][0]["outcome"], "requeued")
        self.assertEqual(data["jobs"][0]["previous_status"], "failed")
        h = self.r.hgetall(f"rq:job:{job_id}")
        self.assertEqual(h[b"status"], b"queued")
        self.assertEqual(h[b"started_at"], b"")
        self.assertEqual(h[b"ended_at"], b"")
        self.assertEqual(zlib.decompress(h[b"exc_info"]), b"")
        self.assertIsNone(self.r.zscore("rq:failed:default", job_id))
        self.assertEqual(self.r.lrange("rq:queue:default", 0, -1), [job_id.encode()])
        out, data = self.job_json("status", job_id)
        self.assertEqual(data["status"], "queued")
        self.assertEqual(data["result"]["type"], "failed")  # the stream keeps the first run's outcome
        self.assertFalse(data["result"]["current"])
        self.assertIn("Result of an earlier run", self.job("status", job_id).stdout)
        # Requeueing again is refused: it is no longer failed.
        out, data = self.job_json("requeue", job_id)
        self.assertExit(out, 1)
        self.assertEqual(data["jobs"][0]["outcome"], "refused")
        open(marker, "w").close()
        run_worker(self.server)
        out, data = self.job_json("status", job_id)
        self.assertExit(out, 0)
        self.assertEqual(data["result"]["return_value"], "ran after requeue")
        self.assertTrue(data["result"]["current"])

    def test_requeue_writes_what_rq_requeue_writes(self):
        for jid in ("ours", "theirs"):
            Queue(connection=self.r).enqueue("rq_tasks.fail", job_id=jid)
        run_worker(self.server)
        out = self.job("requeue", "ours")
        self.assertExit(out, 0)
        FailedJobRegistry("default", connection=self.r).requeue("theirs")
        mine, theirs = self.r.hgetall("rq:job:ours"), self.r.hgetall("rq:job:theirs")
        self.assertEqual(set(mine), set(theirs))
        for field in (b"status", b"started_at", b"ended_at", b"exc_info", b"origin", b"timeout", b"worker_name"):
            self.assertEqual(mine[field], theirs[field], field)
        self.assertEqual(self.r.lrange("rq:queue:default", 0, -1), [b"ours", b"theirs"])
        self.assertEqual(self.r.zcard("rq:failed:default"), 0)

    def test_requeue_all_failed_needs_confirmation(self):
        ids = [self.enqueue("rq_tasks.fail", str(i)) for i in range(3)]
        run_worker(self.server)
        out = self.job("requeue", "--all-failed")
        self.assertExit(out, 2)
        self.assertIn("--yes", out.stderr)
        self.assertEqual(self.r.zcard("rq:failed:default"), 3)
        out, data = self.job_json("requeue", "--all-failed", "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(sorted(j["id"] for j in data["jobs"]), sorted(ids))
        self.assertTrue(all(j["outcome"] == "would_do" for j in data["jobs"]))
        self.assertEqual(self.r.zcard("rq:failed:default"), 3)
        out, data = self.job_json("requeue", "--all-failed", "--queue", "default", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["count"], 3)
        self.assertEqual(self.r.zcard("rq:failed:default"), 0)
        self.assertEqual(sorted(self.r.lrange("rq:queue:default", 0, -1)), sorted(i.encode() for i in ids))


class Cancel(JobBase):
    def test_cancel_as_rq_does(self):
        ours = self.enqueue("rq_tasks.add", ":1", ":2", "--job-id", "ours")
        Queue(connection=self.r).enqueue("rq_tasks.add", 1, 2, job_id="theirs")
        out, data = self.job_json("cancel", ours)
        self.assertExit(out, 0)
        self.assertEqual(data["jobs"][0]["outcome"], "canceled")
        Job.fetch("theirs", connection=self.r).cancel()
        for jid in ("ours", "theirs"):
            self.assertEqual(self.r.hget(f"rq:job:{jid}", "status"), b"canceled")
            self.assertIn(jid, CanceledJobRegistry("default", connection=self.r).get_job_ids())
        self.assertEqual(self.r.llen("rq:queue:default"), 0)
        out, data = self.job_json("status", ours)
        self.assertExit(out, 1)
        self.assertEqual(data["registries"], ["canceled"])
        out, data = self.job_json("cancel", ours)
        self.assertExit(out, 1)
        self.assertEqual(data["jobs"][0]["outcome"], "refused")
        run_worker(self.server)  # nothing left to run
        self.assertEqual(self.r.hget("rq:job:ours", "status"), b"canceled")

    def test_cancel_a_failed_job_takes_it_out_of_the_failed_registry(self):
        job_id = self.enqueue("rq_tasks.fail")
        run_worker(self.server)
        out = self.job("cancel", job_id, "--dry-run")
        self.assertExit(out, 0)
        self.assertIsNotNone(self.r.zscore("rq:failed:default", job_id))
        out = self.job("cancel", job_id)
        self.assertExit(out, 0)
        self.assertIsNone(self.r.zscore("rq:failed:default", job_id))
        self.assertIsNotNone(self.r.zscore("rq:canceled:default", job_id))


class Empty(JobBase):
    def test_empty_as_rq_empty(self):
        ids = [self.enqueue("rq_tasks.add", ":1", f":{i}") for i in range(3)]
        self.enqueue("rq_tasks.add", ":1", ":1", "--queue", "other")
        out = self.job("empty", "default")
        self.assertExit(out, 2)
        self.assertEqual(self.r.llen("rq:queue:default"), 3)
        out, data = self.job_json("empty", "default", "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(data["would_remove"], 3)
        out, data = self.job_json("empty", "default", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["removed"], 3)
        self.assertEqual(self.r.llen("rq:queue:default"), 0)
        for i in ids:
            self.assertFalse(self.r.exists(f"rq:job:{i}"))
        self.assertEqual(self.r.llen("rq:queue:other"), 1)
        out = self.job("empty", "default", "--yes")
        self.assertIn("0 jobs removed from default queue", out.stdout)


class FromPython(JobBase):
    def test_job_enqueued_by_rq_is_listed_and_described(self):
        q = Queue(connection=self.r)
        job = q.enqueue("rq_tasks.echo", "ünïcödé ✓ \x1b[31m", 3, kw={"nested": [1, {"x": "y"}]}, job_id="py-1")
        q.enqueue("rq_tasks.add", 1, 2, job_id="py-2", description="\x1b]0;pwned\x07 red")
        out, data = self.job_json("list", "--queue", "default")
        self.assertExit(out, 0)
        self.assertEqual(data["total"], 2)
        self.assertEqual(data["jobs"][1]["description"], "\x1b]0;pwned\x07 red")
        row = data["jobs"][0]
        self.assertEqual((row["id"], row["state"], row["status"], row["func_name"]),
                         ("py-1", "queued", "queued", "rq_tasks.echo"))
        self.assertEqual(row["description"], job.description)
        out, data = self.job_json("status", "py-1")
        self.assertExit(out, 0)
        self.assertEqual(data["args"], ["ünïcödé ✓ \x1b[31m", 3])
        self.assertEqual(data["kwargs"], {"kw": {"nested": [1, {"x": "y"}]}})
        self.assertEqual(data["description"], job.description)
        self.assertEqual(data["position"], 0)
        # People's output escapes terminal sequences from Redis.
        table = self.job("list")
        self.assertNotIn("\x1b", table.stdout)
        self.assertNotIn("\x07", table.stdout)
        self.assertIn("\\x1b]0;pwned\\x07 red", table.stdout)

    def test_list_pages_through_queue_and_registries(self):
        q = Queue(connection=self.r)
        for i in range(5):
            q.enqueue("rq_tasks.add", 1, i, job_id=f"ok{i}")
        run_worker(self.server)
        for i in range(3):
            q.enqueue("rq_tasks.add", 1, i, job_id=f"wait{i}")
        out, data = self.job_json("list")
        self.assertEqual(data["total"], 8)
        self.assertEqual([j["id"] for j in data["jobs"]], ["wait0", "wait1", "wait2", "ok0", "ok1", "ok2", "ok3", "ok4"])
        out, data = self.job_json("list", "--limit", "3", "--offset", "2")
        self.assertEqual([(j["id"], j["state"]) for j in data["jobs"]],
                         [("wait2", "queued"), ("ok0", "finished"), ("ok1", "finished")])
        out, data = self.job_json("list", "--state", "finished", "--offset", "4")
        self.assertEqual([j["id"] for j in data["jobs"]], ["ok4"])
        self.assertEqual(data["total"], 5)
        out, data = self.job_json("list", "--queue", "nothing-here")
        self.assertEqual(data["jobs"], [])
        # The queue as an argument, as `job list QUEUE` (the same as --queue), and not two of them.
        out, data = self.job_json("list", "default", "--state", "finished")
        self.assertEqual(data["total"], 5)
        out, data = self.job_json("list", "nothing-here")
        self.assertEqual(data["jobs"], [])
        out, data = self.job_json("list", "default", "--queue", "other")
        self.assertExit(out, 2)
        self.assertIn("two queues", data["error"]["message"])


class JsonSerializer(JobBase):
    def test_json_jobs_run_on_a_json_worker(self):
        job_id = self.enqueue("rq_tasks.echo", "é", ":[1, 2.5, null]", "k:={\"a\": true}", "--serializer", "json",
                              "--queue", "jq", "--meta", '{"who": "ci"}')
        raw = zlib.decompress(self.r.hget(f"rq:job:{job_id}", "data"))
        # Byte for byte what RQ's JSONSerializer writes for the same call.
        self.assertEqual(raw, JSONSerializer.dumps(("rq_tasks.echo", None, ["é", [1, 2.5, None]], {"k": {"a": True}})))
        job = Job.fetch(job_id, connection=self.r, serializer=JSONSerializer)
        self.assertEqual(job.meta, {"who": "ci"})
        run_worker(self.server, "jq", serializer="rq.serializers.JSONSerializer")
        out, data = self.job_json("status", job_id)
        self.assertExit(out, 0)
        self.assertEqual(data["serializer"], "json")
        self.assertEqual(data["meta"], {"who": "ci"})
        self.assertEqual(data["result"]["return_value_format"], "json")
        self.assertEqual(data["result"]["return_value"], {"args": ["é", [1, 2.5, None]], "kwargs": {"k": {"a": True}}})


class Scheduled(JobBase):
    def test_schedule_in_is_picked_up_by_the_scheduler(self):
        before = int(time.time())
        job_id = self.enqueue("rq_tasks.add", ":2", ":3", "--schedule-in", "1s")
        score = self.r.zscore("rq:scheduled:default", job_id)
        self.assertIsNotNone(score)
        self.assertEqual(score, int(score))
        self.assertTrue(before + 1 <= score <= int(time.time()) + 1)
        self.assertEqual(self.r.llen("rq:queue:default"), 0)
        out, data = self.job_json("status", job_id)
        self.assertExit(out, 0)
        self.assertEqual((data["status"], data["registries"], data["enqueued_at"]), ("scheduled", ["scheduled"], None))
        wait_until(lambda: time.time() >= score + 1, "the scheduled time to pass")
        run_worker(self.server, scheduler=True)
        out, data = self.job_json("status", job_id)
        self.assertExit(out, 0)
        self.assertEqual(data["status"], "finished")
        self.assertEqual(data["result"]["return_value"], 5)

    def test_schedule_at_with_offset(self):
        job_id = self.enqueue("rq_tasks.add", ":1", ":1", "--schedule-at", "2030-01-01T01:00:00+01:00", "--at-front")
        self.assertEqual(self.r.zscore("rq:scheduled:default", job_id), 1893456000)
        self.assertEqual(self.r.hget(f"rq:job:{job_id}", "enqueue_at_front"), b"1")
        job = Job.fetch(job_id, connection=self.r)
        self.assertEqual(job.get_status(), "scheduled")


class Queues(JobBase):
    def test_agrees_with_rq_info(self):
        for _ in range(2):
            self.enqueue("rq_tasks.add", ":1", ":1")
        self.enqueue("rq_tasks.add", ":1", ":1", "--queue", "high")
        failing = self.enqueue("rq_tasks.fail", "--queue", "flaky")
        run_worker(self.server, "flaky")
        # `rq info` shows only the workers of queues in rq:queues: this one listens on an empty one.
        listener = subprocess.Popen([PYTHON, "-m", "rq.cli", "worker", "-u", self.server.url(), "idlequeue", "flaky"],
                                    env=worker_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: self.r.scard("rq:workers") == 1 and
                       self.r.hget(next(iter(self.r.smembers("rq:workers"))), "state") == b"idle",
                       "the worker to register")
            info = subprocess.run([PYTHON, "-m", "rq.cli", "info", "--raw", "-u", self.server.url()],
                                  env=worker_env(), capture_output=True, text=True, timeout=60)
            self.assertEqual(info.returncode, 0, info.stderr)
            rq_queues = {}
            rq_workers = {}
            for line in info.stdout.splitlines():
                if line.startswith("queue "):
                    _, name, count = line.split(" ")
                    rq_queues[name] = int(count)
                m = re.match(r"worker (\S+) \((.*)\) (\S+) (.*)$", line)
                if m:
                    rq_workers[m.group(1)] = (m.group(3), sorted(m.group(4).split(", ")))
            out, data = self.job_json("queues")
            self.assertExit(out, 0)
            ours = {q["name"]: q["queued"] for q in data["queues"]}
            self.assertEqual(ours, rq_queues)
            self.assertEqual({w["name"]: (w["state"], sorted(w["queues"])) for w in data["workers"]}, rq_workers)
            self.assertEqual(data["total_queued"], 3)
            flaky = next(q for q in data["queues"] if q["name"] == "flaky")
            self.assertEqual(flaky["failed"], 1)
            worker = data["workers"][0]
            self.assertEqual(worker["pid"], listener.pid)
            self.assertGreaterEqual(worker["heartbeat_age_ms"], 0)
            table = self.job("queues")
            self.assertExit(table, 0)
            self.assertIn("idle", table.stdout)
            self.assertIn(failing[:8], self.job("list", "--state", "failed").stdout)
        finally:
            listener.send_signal(signal.SIGTERM)
            listener.wait(60)
        out, data = self.job_json("queues")
        self.assertEqual(data["workers"], [])  # a cleanly stopped worker unregisters


class OnCluster(RctlTestCase):
    """RQ cannot run on a cluster; rctl refuses writes there and still reads what is there."""

    @classmethod
    def setUpClass(cls):
        cls.cluster = RedisCluster(replicas=0)

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def setUp(self):
        self.rc = PyRedisCluster(host="127.0.0.1", port=self.cluster.seed().port)
        self.rc.flushall()

    def job_json(self, *args):
        return rctl_json("job", *args, "-p", self.cluster.seed().port)

    def test_writes_are_refused_with_the_reason(self):
        for args in (("enqueue", "rq_tasks.add", ":1", ":2"), ("requeue", "x"), ("cancel", "x"), ("empty", "q", "--yes")):
            out, data = self.job_json(*args)
            self.assertExit(out, 2)
            self.assertIn("RQ cannot run on Redis Cluster", data["error"]["message"])
        self.assertEqual(self.rc.dbsize(), 0)

    def test_reads_route_each_key(self):
        # RQ's enqueue on a RedisCluster connection runs its pipeline command by command.
        Queue("cq", connection=self.rc).enqueue("rq_tasks.add", 1, 2, job_id="on-cluster")
        out, data = self.job_json("status", "on-cluster")
        self.assertExit(out, 0)
        self.assertEqual((data["status"], data["origin"], data["position"]), ("queued", "cq", 0))
        self.assertEqual(data["args"], [1, 2])
        out, data = self.job_json("list")
        self.assertEqual([j["id"] for j in data["jobs"]], ["on-cluster"])
        out, data = self.job_json("queues")
        self.assertEqual([(q["name"], q["queued"]) for q in data["queues"]], [("cq", 1)])


if __name__ == "__main__":
    unittest.main()
