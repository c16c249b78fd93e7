"""rctl job --system bullmq: interop with BullMQ 5.x from npm (tests/peers/bullmq, installed by
scripts/setup.sh with `npm ci`) in both directions, with one real BullMQ Worker for the module.

rctl enqueues standard, delayed and prioritized jobs and the Worker (tests/peers/bullmq/
worker.mjs) runs them; Queue.add adds jobs that rctl lists and reads; the job hashes rctl
writes equal Queue.add's field by field; a failed job is retried by rctl and run again; purge
deletes jobs and their hashes. Nothing of BullMQ is mocked. Without node or the installed
peer the module fails (it never skips): CI must run it.
"""

import json
import os
import shutil
import signal
import subprocess
import time
import unittest

import redis

from faults import Proxy
from harness import ClusterTestCase, RctlTestCase, RedisServer, rctl, rctl_json

PEER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "peers", "bullmq")
# Queues the module's Worker serves, as PREFIX/QUEUE; other queues keep their jobs waiting.
SERVED = ["bull/run", "bull/fail", "{tq}/custom"]

server = None
worker = None


def setUpModule():
    global server, worker
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(PEER, "node_modules", "bullmq")):
        raise RuntimeError("node or tests/peers/bullmq/node_modules is missing: run scripts/setup.sh (npm ci)")
    server = RedisServer()
    env = dict(os.environ, REDIS_PORT=str(server.port))
    worker = subprocess.Popen([node, "worker.mjs", *SERVED], cwd=PEER, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + 30
    line = worker.stdout.readline()  # "ready" once every Worker listens (or the error)
    if line.strip() != "ready" or time.monotonic() > deadline:
        stop_worker()
        raise RuntimeError("the BullMQ worker did not start: " + line)


def stop_worker():
    if worker is None or worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGTERM)  # Worker.close(), then exit
    try:
        worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.communicate(timeout=10)


def tearDownModule():
    stop_worker()
    if server is not None:
        server.close()


class BullBase(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = server
        cls.r = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True)

    def job(self, *args, **kw):
        return rctl("job", *args, "-p", self.server.port, **kw)

    def job_json(self, *args, **kw):
        return rctl_json("job", *args, "-p", self.server.port, **kw)

    def enqueue(self, queue, name, *args, prefix=None):
        extra = ["--prefix", prefix] if prefix else []
        out, data = self.job_json("enqueue", "--system", "bullmq", "--queue", queue, *extra, name, *args)
        self.assertExit(out, 0)
        return data

    def node(self, code):
        """Runs `code` (async, `Queue` and `conn` defined) with BullMQ's own client; returns stdout."""
        script = ("const { Queue } = require('bullmq');\n"
                  f"const conn = {{ host: '127.0.0.1', port: {self.server.port} }};\n"
                  f"(async () => {{ {code} }})().then(() => process.exit(0), e => {{ console.error(e); process.exit(1); }});")
        out = subprocess.run(["node", "-e", script], cwd=PEER, capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError("node failed: " + out.stdout + out.stderr)
        return out.stdout.strip()


class EnqueueAndRun(BullBase):
    def test_standard_delayed_and_prioritized_jobs_run(self):
        std = self.enqueue("run", "add", "a:=2", "b:=40")
        self.assertEqual(std["state"], "waiting")
        delayed = self.enqueue("run", "add", "a:=1", "b:=1", "--delay", "1500ms")
        self.assertEqual(delayed["state"], "delayed")
        prio = self.enqueue("run", "echo", "who=prio", "--priority", "5")
        self.assertEqual(prio["state"], "prioritized")
        for job, result in ((std, 42), (delayed, 2), (prio, {"name": "echo", "data": {"who": "prio"}})):
            out, shown = self.job_json("status", job["id"], "--system", "bullmq", "--queue", "run", "--wait", "30s")
            self.assertExit(out, 0)
            self.assertEqual(shown["state"], "completed")
            self.assertEqual(shown["returnvalue"], result)
        # The delayed one waited its delay.
        out, shown = self.job_json("status", delayed["id"], "--queue", "run")
        self.assertGreaterEqual(shown["processedOn"] - shown["timestamp"], 1500)
        out, queues = self.job_json("queues", "--system", "bullmq", "run")
        self.assertExit(out, 0)
        q = queues["queues"][0]
        self.assertGreaterEqual(q["counts"]["completed"], 3)
        self.assertEqual(q["workers"], 1)

    def test_enqueue_wait(self):
        out, shown = self.job_json("enqueue", "--system", "bullmq", "--queue", "run", "--wait", "30s", "echo",
                                   "greeting=héllo", "n:=7", "l:=[1,null]")
        self.assertExit(out, 0)
        self.assertEqual(shown["state"], "completed")
        self.assertEqual(shown["returnvalue"], {"name": "echo", "data": {"greeting": "héllo", "n": 7, "l": [1, None]}})


class ReadWhatNodeAdded(BullBase):
    def test_list_status_and_queues_read_queue_add(self):
        ids = json.loads(self.node(
            "const q = new Queue('idle', { connection: conn });"
            "const a = await q.add('mail', { to: 'x@example.org', n: 1 });"
            "const b = await q.add('mail', { to: 'y' }, { delay: 60000 });"
            "const c = await q.add('report', {}, { priority: 2 });"
            "console.log(JSON.stringify([a.id, b.id, c.id])); await q.close();"))
        out, listing = self.job_json("list", "--system", "bullmq", "--queue", "idle")
        self.assertExit(out, 0)
        self.assertEqual(listing["state"], "waiting")
        self.assertEqual([j["id"] for j in listing["jobs"]], [ids[0]])
        self.assertEqual(listing["jobs"][0]["data"], {"to": "x@example.org", "n": 1})
        out, listing = self.job_json("list", "--queue", "idle", "--state", "delayed")  # auto: BullMQ's keys
        self.assertExit(out, 0)
        self.assertEqual(listing["jobs"][0]["delay"], 60000)
        out, listing = self.job_json("list", "--system", "bullmq", "--queue", "idle", "--state", "prioritized")
        self.assertEqual(listing["jobs"][0]["priority"], 2)
        out, shown = self.job_json("status", ids[1], "--system", "bullmq", "--queue", "idle")
        self.assertExit(out, 0)
        self.assertEqual(shown["state"], "delayed")
        self.assertEqual(shown["opts"], {"delay": 60000, "attempts": 0})
        out, queues = self.job_json("queues", "--system", "bullmq", "idle")
        q = queues["queues"][0]
        self.assertEqual(q["counts"]["waiting"], 1)
        self.assertEqual(q["counts"]["delayed"], 1)
        self.assertEqual(q["counts"]["prioritized"], 1)
        self.assertEqual(q["next_job_id"], ids[0])
        self.assertGreaterEqual(q["oldest_waiting_age_ms"], 0)
        self.assertEqual(q["workers"], 0)
        table = self.job("queues", "--system", "bullmq")
        self.assertExit(table, 0)
        self.assertIn("idle", table.stdout)
        # Node's own counts agree.
        counts = json.loads(self.node("const q = new Queue('idle', { connection: conn });"
                                      "console.log(JSON.stringify(await q.getJobCounts())); await q.close();"))
        for k in ("waiting", "delayed", "prioritized", "active", "failed", "completed", "paused"):
            self.assertEqual(q["counts"][k], counts[k], k)


class HashParity(BullBase):
    """The job hash, its list or zset entry and its events as rctl writes them equal Queue.add's."""

    def hash(self, queue, jid):
        return self.r.hgetall(f"bull:{queue}:{jid}")

    def assert_same_job(self, queue, node_id, rctl_id):
        a, b = self.hash(queue, node_id), self.hash(queue, rctl_id)
        self.assertEqual(set(a), set(b))
        for field in a:
            if field == "timestamp":
                continue
            want = a[field].replace(f'"jobId":"{node_id}"', f'"jobId":"{rctl_id}"')
            self.assertEqual(b[field], want, field)

    def test_fields_equal_queue_add(self):
        node_plain = self.node(
            "const q = new Queue('parity', { connection: conn });"
            "await q.add('send', { x: 1, s: 'é', n: null, l: [1, 2.5], o: { k: true } }, { jobId: 'n1' });"
            "await q.add('later', { a: 'b' }, { delay: 60000, priority: 3, attempts: 2, jobId: 'n2' });"
            "await q.add('urgent', {}, { priority: 7, attempts: 3, jobId: 'n3' });"
            "console.log((await q.add('plain', { k: 'v' })).id);"
            "await q.close();")
        self.enqueue("parity", "send", "x:=1", "s=é", "n:=null", "l:=[1,2.5]", 'o:={"k":true}', "--job-id", "r1")
        self.enqueue("parity", "later", "a=b", "--delay", "60s", "--priority", "3", "--attempts", "2",
                     "--job-id", "r2")
        self.enqueue("parity", "urgent", "--priority", "7", "--attempts", "3", "--job-id", "r3")
        plain = self.enqueue("parity", "plain", "k=v")
        for n, r in (("n1", "r1"), ("n2", "r2"), ("n3", "r3"), (node_plain, plain["id"])):
            self.assert_same_job("parity", n, r)
        # The id counter counts custom ids too, as BullMQ's does.
        self.assertEqual((node_plain, plain["id"]), ("4", "8"))
        # Where each went, with BullMQ's scores.
        self.assertEqual(self.r.lrange("bull:parity:wait", 0, -1), ["8", "r1", "4", "n1"])
        for jid in ("n2", "r2"):
            ts = int(self.hash("parity", jid)["timestamp"])
            self.assertEqual(int(self.r.zscore("bull:parity:delayed", jid)) >> 12, ts + 60000)
        self.assertEqual(int(self.r.zscore("bull:parity:prioritized", "n3")) >> 32, 7)
        self.assertEqual(int(self.r.zscore("bull:parity:prioritized", "r3")) >> 32, 7)
        # The events: added, then waiting or delayed, for each.
        events = [(f["event"], f["jobId"]) for _, f in self.r.xrange("bull:parity:events")]
        for jid, second in (("r1", "waiting"), ("r2", "delayed"), ("r3", "waiting")):
            i = events.index(("added", jid))
            self.assertEqual(events[i + 1], (second, jid))
        # Queue.getJob reads rctl's jobs as it reads its own.
        got = json.loads(self.node(
            "const q = new Queue('parity', { connection: conn }); const out = {};"
            "for (const id of ['n1', 'r1', 'n2', 'r2', 'n3', 'r3']) { const j = await q.getJob(id);"
            " out[id] = { name: j.name, data: j.data, opts: j.opts, delay: j.delay, priority: j.priority,"
            " attemptsMade: j.attemptsMade, state: await j.getState() }; }"
            "console.log(JSON.stringify(out)); await q.close();"))
        for n, r in (("n1", "r1"), ("n2", "r2"), ("n3", "r3")):
            got[n]["opts"].pop("jobId")
            got[r]["opts"].pop("jobId")
            self.assertEqual(got[r], got[n])

    def test_duplicate_job_id_is_kept_as_bullmq_does(self):
        first = self.enqueue("dup", "a", "v=1", "--job-id", "same")
        out, second = self.job_json("enqueue", "--system", "bullmq", "--queue", "dup", "a", "v=2", "--job-id", "same")
        self.assertExit(out, 0)
        self.assertTrue(second["duplicated"])
        self.assertIn("already exists", out.stderr)
        self.assertEqual(json.loads(self.r.hget("bull:dup:same", "data")), {"v": "1"})
        self.assertEqual(self.r.llen("bull:dup:wait"), 1)
        self.assertEqual(self.r.xrevrange("bull:dup:events", count=1)[0][1]["event"], "duplicated")
        self.assertFalse(first["duplicated"])


class FailRetryPurge(BullBase):
    def test_failed_job_retried_runs_again(self):
        job = self.enqueue("fail", "fail_once", "msg=hi")
        out, shown = self.job_json("status", job["id"], "--queue", "fail", "--wait", "30s")
        self.assertExit(out, 1)
        self.assertEqual(shown["state"], "failed")
        self.assertEqual(shown["failedReason"], "first attempt fails: hi")
        self.assertIn("first attempt fails: hi", shown["stacktrace"][0])
        table = self.job("status", job["id"], "--queue", "fail")
        self.assertExit(table, 1)
        self.assertIn("worker.mjs", table.stdout)  # the stack trace
        out, listing = self.job_json("list", "--system", "bullmq", "--queue", "fail", "--state", "failed")
        self.assertIn(job["id"], [j["id"] for j in listing["jobs"]])
        # Without a terminal and without --yes: refused, nothing moved.
        refused = self.job("retry", "fail", "--system", "bullmq")
        self.assertExit(refused, 2)
        out, dry = self.job_json("retry", "fail", "--system", "bullmq", "--filter", "first attempt", "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(dry["count"], 1)
        self.assertTrue(dry["dry_run"])
        self.assertEqual(self.r.zscore("bull:fail:failed", job["id"]) is not None, True)
        out, none = self.job_json("retry", "fail", "--system", "bullmq", "--filter", "no such text", "--yes")
        self.assertEqual(none["count"], 0)
        out, done = self.job_json("retry", "fail", "--system", "bullmq", "--filter", "fail_once", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(done["done"], [job["id"]])
        out, shown = self.job_json("status", job["id"], "--queue", "fail", "--wait", "30s")
        self.assertExit(out, 0)
        self.assertEqual(shown["returnvalue"], "ok after retry")
        self.assertEqual(shown["attemptsMade"], 2)
        events = [f for _, f in self.r.xrange("bull:fail:events") if f.get("prev") == "failed"]
        self.assertEqual(events[0]["jobId"], job["id"])
        # Run again: nothing left to move.
        out, again = self.job_json("retry", "fail", "--system", "bullmq", "--yes")  # auto would also find it
        self.assertEqual(again["count"], 0)

    def test_purge_deletes_jobs_and_hashes(self):
        ids = [self.enqueue("purge", "keep" if i == 0 else "drop", f"i:={i}")["id"] for i in range(3)]
        delayed = self.enqueue("purge", "drop", "--delay", "1h")
        self.r.rpush(f"bull:purge:{ids[1]}:logs", "a log line")
        out, dry = self.job_json("purge", "purge", "--system", "bullmq", "--state", "waiting", "--filter", "drop",
                                 "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(sorted(j["id"] for j in dry["selected"]), sorted(ids[1:]))
        self.assertEqual(self.r.llen("bull:purge:wait"), 3)
        out, done = self.job_json("purge", "purge", "--system", "bullmq", "--state", "waiting", "--filter", "drop",
                                  "--yes")
        self.assertExit(out, 0)
        self.assertEqual(done["count"], 2)
        self.assertEqual(self.r.lrange("bull:purge:wait", 0, -1), [ids[0]])
        for jid in ids[1:]:
            self.assertFalse(self.r.exists(f"bull:purge:{jid}", f"bull:purge:{jid}:logs"))
        self.assertTrue(self.r.exists(f"bull:purge:{delayed['id']}"))
        out, done = self.job_json("purge", "purge", "--system", "bullmq", "--state", "delayed", "--yes")
        self.assertEqual(done["done"], [delayed["id"]])
        self.assertEqual(self.r.zcard("bull:purge:delayed"), 0)
        out, again = self.job_json("purge", "purge", "--system", "bullmq", "--state", "delayed", "--yes")
        self.assertEqual(again["count"], 0)


class OutcomeUnknown(BullBase):
    def test_script_lost_with_the_connection_is_never_sent_again(self):
        self.enqueue("warm", "x")  # the add script is in the server's cache: EVALSHA runs it
        proxy = Proxy(self.server.port, lambda cmd, n: "reset_after_write" if cmd[0] == b"EVALSHA" else None)
        self.addCleanup(proxy.close)
        out, data = rctl_json("job", "enqueue", "--system", "bullmq", "--queue", "lost", "x", "-p", proxy.port)
        self.assertExit(out, 3)
        self.assertEqual(data["error"]["kind"], "outcome_unknown")
        self.assertEqual(proxy.count(b"EVALSHA"), 1)
        self.assertEqual(proxy.count(b"EVAL"), 0)
        self.assertEqual(self.r.llen("bull:lost:wait"), 1)  # it ran once, on the server
        self.assertEqual(self.r.get("bull:lost:id"), "1")


class Prefix(BullBase):
    def test_non_default_prefix(self):
        job = self.enqueue("custom", "add", "a:=20", "b:=22", prefix="{tq}")
        self.assertTrue(self.r.exists(f"{{tq}}:custom:{job['id']}"))
        out, shown = self.job_json("status", job["id"], "--queue", "custom", "--prefix", "{tq}", "--wait", "30s")
        self.assertExit(out, 0)
        self.assertEqual(shown["returnvalue"], 42)
        out, queues = self.job_json("queues", "--system", "bullmq", "--prefix", "{tq}")
        self.assertEqual([q["name"] for q in queues["queues"]], ["custom"])
        self.assertEqual(queues["queues"][0]["workers"], 1)
        out, queues = self.job_json("queues", "--system", "bullmq")
        self.assertNotIn("custom", [q["name"] for q in queues["queues"]])
        missing = self.job("status", job["id"], "--queue", "custom")  # default prefix: not there
        self.assertExit(missing, 5)


class OnACluster(ClusterTestCase):
    """A hash-tagged prefix keeps a queue in one slot: the scripts and the discovery SCAN go to
    its node, whichever node rctl is given."""
    replicas = 0

    def job_json(self, node, *args):
        return rctl_json("job", *args, "--system", "bullmq", "--prefix", "{bq}", *self.target(node))

    def test_enqueue_read_purge_through_any_node(self):
        a, b, c = self.cluster.nodes
        out, std = self.job_json(a, "enqueue", "--queue", "cq", "hello", "k=v")
        self.assertExit(out, 0)
        out, delayed = self.job_json(b, "enqueue", "--queue", "cq", "later", "--delay", "1h")
        self.assertExit(out, 0)
        out, queues = self.job_json(c, "queues")
        self.assertExit(out, 0)
        self.assertEqual([(q["name"], q["counts"]["waiting"], q["counts"]["delayed"]) for q in queues["queues"]],
                         [("cq", 1, 1)])
        self.assertIsNone(queues["queues"][0]["workers"])
        out, shown = self.job_json(c, "status", std["id"], "--queue", "cq")
        self.assertEqual((shown["state"], shown["data"]), ("waiting", {"k": "v"}))
        out, done = self.job_json(a, "purge", "cq", "--state", "delayed", "--yes")
        self.assertEqual(done["done"], [delayed["id"]])


class BadInput(BullBase):
    def test_usage_errors_exit_2_with_json(self):
        cases = [
            ("status", "1", "--system", "bullmq"),  # no --queue
            ("enqueue", "--system", "bullmq", "x"),  # no --queue
            ("enqueue", "--system", "bullmq", "--queue", "q", "x", "positional"),
            ("enqueue", "--system", "bullmq", "--queue", "q", "x", "--priority", "3000000"),
            ("enqueue", "--system", "bullmq", "--queue", "q", "x", "--job-id", "0"),
            ("enqueue", "--system", "bullmq", "--queue", "q", "x", "--job-id", "a:b"),
            ("enqueue", "--system", "bullmq", "--queue", "q", "x", "--timeout", "5"),
            ("enqueue", "--queue", "q", "x", "--priority", "1"),  # a BullMQ option for RQ
            ("list", "--system", "bullmq", "--queue", "q", "--state", "queued"),
            ("purge", "q", "--system", "bullmq", "--state", "active", "--yes"),
            ("retry", "q", "--system", "bullmq", "--state", "dead", "--yes"),
        ]
        for args in cases:
            out, data = self.job_json(*args)
            self.assertExit(out, 2, f"{args}: {out.stderr}")
            self.assertEqual(data["error"]["kind"], "usage", args)
        self.assertFalse(self.r.exists("bull:q:id"))

    def test_missing_job_exits_5(self):
        out, data = self.job_json("status", "nope", "--system", "bullmq", "--queue", "run")
        self.assertExit(out, 5)
        self.assertIn("does not exist", data["error"]["message"])


if __name__ == "__main__":
    unittest.main()
