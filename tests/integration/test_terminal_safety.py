"""Terminal safety (reliability-ux.md Table 1, cases 30-31): keys, values and server-supplied
text holding escape sequences, carriage returns, NUL and invalid UTF-8 never reach a
terminal raw, in the table output of any command, in error messages that quote a key, or in
progress lines; JSON stays valid, with {"base64": ...} for bytes that are not UTF-8.

Output is captured as bytes and checked byte by byte, so a raw ESC or an invalid UTF-8
sequence anywhere on stdout or stderr fails the test.
"""

import base64
import json
import os
import pickle
import subprocess
import time
import unittest
import zlib

import rq

from faults import CountingHandler, FakeServer, enc, fake_redis, info_text
from harness import RCTL, RctlTestCase, ServerTestCase

# Written to the terminal raw, these would set the window title, clear the screen, move the
# cursor back over what was printed, or end a C string early.
HOSTILE = b"\x1b]0;pwned\x07\x1b[2J\rEVIL\x00\x9b31m\xf0\x28\x8c\x28"
# The same without NUL, for names given on the command line (argv cannot hold NUL).
NAME = HOSTILE.replace(b"\x00", b"")
PREFIX = b"t\x1b[31m:"
KEY = PREFIX + NAME
MISSING = PREFIX + b"missing" + NAME

# Application data holding the same bytes: a Flask-Session pickle, a limits counter and a
# hand-rolled sorted-set log whose keys carry them, and a failed RQ job whose description,
# worker, result and traceback do.
SESSION_ID = "8c1f2e3d-4b5a-4697-8a1b-2c3d4e5f6a7b"
LIMITER_KEY = b"LIMITER/" + NAME + b"/fixed/10/1/minute"
LOG_KEY = b"log:" + NAME
JOB_ID = "hostile-job-1"
SIDEKIQ_JID = "5eed" * 6

# Every command line that prints keys, values or server text, with the exit codes it may
# give; each runs against fresh data, as a table and as JSON. A new command adds its lines.
COMMAND_LINES = [
    (["cache", "get", KEY, PREFIX + b"hash", PREFIX + b"list", PREFIX + b"zset"], (0,)),
    (["cache", "get", MISSING], (5,)),
    (["cache", "keys", PREFIX], (0,)),
    (["cache", "ttl", KEY], (0,)),
    (["cache", "ttl", MISSING], (5,)),
    (["cache", "expire", KEY, "1h"], (0,)),
    (["cache", "expire", MISSING, "1h"], (5,)),
    (["cache", "persist", KEY], (0,)),
    (["cache", "persist", MISSING], (5,)),
    (["cache", "set", PREFIX + b"new" + NAME, NAME], (0,)),
    (["cache", "del", KEY], (0, 5)),
    (["cache", "del", MISSING], (5,)),
    (["cache", "invalidate", PREFIX, "--dry-run"], (0,)),
    (["cache", "invalidate", PREFIX, "--yes"], (0,)),
    (["health"], (0,)),
    (["call", "GET", KEY], (0,)),
    (["call", "HGETALL", PREFIX + b"hash"], (0,)),
    (["call", "--all-primaries", "GET", KEY], (0,)),
    (["latency", "--doctor"], (0,)),
    (["stats"], (0,)),
    (["session", "list"], (0,)),
    (["session", "stats"], (0,)),
    (["keys", "analyze"], (0,)),
    (["keys", "analyze", PREFIX], (0,)),
    (["session", "show", SESSION_ID], (0,)),
    (["session", "show", b"x" + NAME], (5,)),
    (["session", "revoke", SESSION_ID, "--dry-run"], (0,)),
    (["session", "revoke", SESSION_ID, "--yes"], (0, 5)),  # the JSON run finds it revoked
    (["ratelimit", "list"], (0,)),
    (["ratelimit", "show", LIMITER_KEY], (0,)),
    (["ratelimit", "show", LOG_KEY, "--limit", "5/minute"], (0,)),
    (["ratelimit", "show", b"LIMITER/" + NAME], (5,)),
    (["ratelimit", "reset", LIMITER_KEY, "--dry-run"], (0,)),
    (["ratelimit", "reset", LIMITER_KEY, "--yes"], (0, 5)),
    (["job", "status", JOB_ID], (1,)),  # a failed job
    (["job", "status", b"j" + NAME], (2, 5)),
    (["job", "list"], (0,)),
    (["job", "list", "--queue", "hostile", "--state", "failed"], (0,)),
    (["job", "queues"], (0,)),
    (["job", "cancel", JOB_ID, "--dry-run"], (0,)),
    (["job", "requeue", JOB_ID], (0, 1)),  # the JSON run finds it requeued already
    (["job", "queues", "--system", "sidekiq"], (0,)),
    (["job", "list", "--system", "sidekiq", "--queue", NAME], (0,)),
    (["job", "list", "--system", "sidekiq", "--state", "retry"], (0,)),
    (["job", "status", SIDEKIQ_JID, "--system", "sidekiq"], (1,)),  # in the retry set
    (["job", "status", b"j" + NAME, "--system", "sidekiq"], (5,)),
    (["job", "retry", "hostile", "--system", "sidekiq", "--dry-run"], (0,)),
    (["job", "purge", NAME, "--system", "sidekiq", "--state", "waiting", "--dry-run"], (0,)),
    (["job", "queues", "--system", "bullmq"], (0,)),
    (["job", "queues", "--system", "celery"], (0,)),
    (["job", "list", "--system", "celery", "--queue", "celery"], (0,)),
    (["job", "status", "c1", "--system", "celery"], (1,)),  # a FAILURE result
    (["job", "retry", "celery", "--system", "celery", "--dry-run"], (0,)),
    (["job", "purge", "celery", "--system", "celery", "--state", "waiting", "--dry-run"], (0,)),
    (["job", "list", "--system", "bullmq", "--queue", "hostile"], (0,)),
    (["job", "list", "--system", "bullmq", "--queue", "hostile", "--state", "failed"], (0,)),
    (["job", "status", "1", "--system", "bullmq", "--queue", "hostile"], (0,)),
    (["job", "status", "2", "--system", "bullmq", "--queue", "hostile"], (1,)),  # a failed job
    (["job", "retry", "hostile", "--system", "bullmq", "--dry-run"], (0,)),
    (["job", "purge", "hostile", "--system", "bullmq", "--state", "waiting", "--dry-run"], (0,)),
    (["slowlog"], (0,)),  # populate() logs every command: the hostile keys are in the slow log
    (["slowlog", "--full", "--group"], (0,)),
    (["clients"], (0,)),
    (["clients", "kill", "--filter", b"name=" + NAME, "--dry-run"], (0,)),
]


def run(*args, env=None, input=None):
    """Runs rctl with bytes arguments allowed; returns (exit code, stdout, stderr) as bytes."""
    argv = [RCTL.encode()] + [a if isinstance(a, bytes) else str(a).encode() for a in args]
    base = {k: v for k, v in os.environ.items() if not k.startswith("REDIS")}
    base["NO_COLOR"] = "1"
    base.update(env or {})
    out = subprocess.run(argv, capture_output=True, env=base, input=input, timeout=120)
    return out.returncode, out.stdout, out.stderr


class TerminalSafety(ServerTestCase):
    def setUp(self):
        self.populate()  # empties the server first

    def populate(self):
        self.r.flushall()
        self.r.config_set("slowlog-log-slower-than", 0)
        self.key = KEY
        self.r.set(self.key, HOSTILE, ex=3600)
        self.r.set(PREFIX + b"nul" + HOSTILE, HOSTILE)  # listed by keys/invalidate only
        self.r.hset(PREFIX + b"hash", mapping={HOSTILE: HOSTILE})
        self.r.rpush(PREFIX + b"list", HOSTILE)
        self.r.zadd(PREFIX + b"zset", {HOSTILE: 1})
        self.r.set(b"safe", b"ok")
        text = HOSTILE.decode("latin-1")  # a str whose code points are the hostile bytes
        self.r.setex(f"session:{SESSION_ID}", 3600,
                     pickle.dumps({"_permanent": True, "user_id": text, "cart": [HOSTILE, {text: text}]}))
        self.r.setex(b"session:" + NAME, 3600, json.dumps({"user_id": "u\u001b[2J", "note": text}).encode())
        self.r.set(LIMITER_KEY, 3, ex=60)
        self.r.zadd(LOG_KEY, {HOSTILE: time.time()})
        self.r.expire(LOG_KEY, 60)
        job = rq.Queue("hostile", connection=self.r).enqueue("os.getcwd", job_id=JOB_ID)
        job_key = f"rq:job:{JOB_ID}"
        self.r.hset(job_key, mapping={"status": "failed", "description": HOSTILE, "worker_name": HOSTILE,
                                      "exc_info": zlib.compress(b"Traceback\n" + HOSTILE),
                                      "ended_at": "2026-01-01T00:00:00.000000Z"})
        self.r.lrem("rq:queue:hostile", 0, JOB_ID)
        self.r.zadd("rq:failed:hostile", {JOB_ID: time.time() + 3600})
        self.r.sadd("rq:workers", b"rq:worker:" + NAME)
        self.r.hset(b"rq:worker:" + NAME, mapping={"state": HOSTILE, "queues": "hostile", "birth": HOSTILE})
        # Sidekiq: a queue and a process named with the bytes, a payload that is not JSON,
        # and a retried job whose class, arguments and error carry them as JSON text.
        self.r.sadd("queues", NAME)
        self.r.lpush(b"queue:" + NAME, HOSTILE)
        self.r.lpush(b"queue:" + NAME, json.dumps({"queue": text, "class": text, "args": [text], "jid": text}))
        self.r.sadd("processes", NAME)
        self.r.hset(NAME, mapping={"info": json.dumps({"hostname": text, "queues": [text], "tag": text}),
                                   "beat": str(time.time()), "busy": "1", "quiet": "false"})
        self.r.hset(NAME + b":workers", mapping={HOSTILE: json.dumps(
            {"queue": text, "run_at": 1, "payload": json.dumps({"class": text, "jid": text, "args": [text]})})})
        self.r.zadd("retry", {json.dumps({"queue": "hostile", "class": text, "args": [text], "jid": SIDEKIQ_JID,
                                          "error_class": text, "error_message": text, "retry_count": 0}): 1})
        # BullMQ (prefix bull): a waiting job and a failed one whose name, data, error and stack
        # trace carry the bytes.
        self.r.hset("bull:hostile:meta", mapping={"opts.maxLenEvents": "10000"})
        for jid, state in (("1", "wait"), ("2", "failed")):
            self.r.hset(f"bull:hostile:{jid}", mapping={
                "name": HOSTILE, "data": json.dumps({"note": text}), "opts": "{}", "timestamp": "1764979200000",
                "delay": "0", "priority": "0", "failedReason": HOSTILE, "stacktrace": json.dumps([text])})
        self.r.lpush("bull:hostile:wait", "1")
        self.r.zadd("bull:hostile:failed", {"2": 1764979200000})
        # Celery: a waiting message whose task name and arguments carry the bytes, and a failed
        # task's result (result_extended) whose exception and traceback do.
        body = base64.b64encode(json.dumps([[text], {"k": text}, {}]).encode()).decode()
        self.r.lpush("celery", json.dumps({
            "body": body, "content-encoding": "utf-8", "content-type": "application/json",
            "headers": {"lang": "py", "task": text, "id": "c0", "argsrepr": text, "kwargsrepr": text,
                        "retries": 0, "root_id": "c0", "parent_id": None, "origin": text},
            "properties": {"correlation_id": "c0", "delivery_info": {"exchange": "", "routing_key": "celery"},
                           "delivery_mode": 2, "delivery_tag": text, "body_encoding": "base64"}}))
        self.r.sadd("_kombu.binding.celery", "celery\x06\x16\x06\x16celery")
        self.r.set("celery-task-meta-c1", json.dumps({
            "status": "FAILURE", "result": {"exc_type": text, "exc_message": [text], "exc_module": "builtins"},
            "traceback": text, "children": [], "date_done": "2026-01-01T00:00:00", "task_id": "c1",
            "name": text, "args": [text], "kwargs": {}, "queue": "celery"}))

    def assertTerminalSafe(self, data, label):
        for i, b in enumerate(data):
            if (b < 0x20 and b not in (0x0a, 0x09)) or b == 0x7f:
                self.fail(f"{label}: raw control byte 0x{b:02x} at {i}: {data[max(0, i - 20):i + 20]!r}")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            self.fail(f"{label}: invalid UTF-8 reaches the terminal: {e}")

    def check(self, *args, codes=(0,), json_too=True, input=None):
        """Runs `args` as a table and (unless json_too is False) as JSON; returns the JSON."""
        port = ["-p", self.server.port]

        # `call` takes rctl's flags before it: everything after COMMAND is the server's.
        def line(*flags):
            return [*flags, *args] if args[0] == "call" else [*args, *flags]
        code, out, err = run(*line(*port), input=input)
        label = b" ".join(a if isinstance(a, bytes) else str(a).encode() for a in args).decode("utf-8", "replace")
        self.assertIn(code, codes, f"{label}: exit {code}: {err!r}")
        self.assertTerminalSafe(out, label + " (stdout)")
        self.assertTerminalSafe(err, label + " (stderr)")
        if not json_too:
            return None
        code, out, err = run(*line(*port, "-o", "json"), input=input)
        self.assertIn(code, codes, f"{label} -o json: exit {code}: {err!r}")
        self.assertTerminalSafe(err, label + " -o json (stderr)")
        return json.loads(out.decode("utf-8"))  # strict: JSON output is always valid UTF-8

    def test_every_command_line(self):
        for args, codes in COMMAND_LINES:
            self.populate()
            self.check(*args, codes=codes)

    def test_slowlog_shows_hostile_arguments_escaped(self):
        data = self.check("slowlog", "--full")
        args = [a for e in data["entries"] for a in e["args"]]
        self.assertIn(self.key, [base64.b64decode(a["base64"]) for a in args if isinstance(a, dict)])
        code, out, err = run("slowlog", "--full", "-p", self.server.port)
        self.assertIn(b"\\x1b]0;pwned", out)

    def test_cache_get_of_hostile_keys_and_values(self):
        data = self.check("cache", "get", self.key, PREFIX + b"hash", PREFIX + b"list", PREFIX + b"zset")
        first = data["keys"][0]
        self.assertTrue(first["exists"])
        self.assertEqual(base64.b64decode(first["key"]["base64"]), self.key)  # the same key, byte for byte
        self.assertEqual([k["exists"] for k in data["keys"]], [True] * 4)

    def test_json_escapes_c1_controls_and_bidi_overrides(self):
        """Valid UTF-8 stays a JSON string, but U+009B (a CSI to some terminals), U+0085 and
        the bidi overrides are written as \\u escapes, never as raw characters."""
        text = "a\u009b31mb\u0085c\u202etxt.exe\u2066d\u2069"
        key = PREFIX + text.encode("utf-8")  # the key too, for `cache keys`
        self.r.set(key, text.encode("utf-8"))
        for args in (["cache", "get", key, "--decode", "raw"], ["cache", "keys", PREFIX]):
            with self.subTest(args=args[:2]):
                code, out, err = run(*args, "-p", self.server.port, "-o", "json")
                self.assertEqual(code, 0, err)
                for raw in ("\u009b", "\u0085", "\u202e", "\u2066", "\u2069"):
                    self.assertNotIn(raw.encode("utf-8"), out)
                self.assertIn(b"\\u009b", out)
        data = json.loads(run("cache", "get", key, "--decode", "raw", "-p", self.server.port,
                              "-o", "json")[1])
        self.assertEqual(data["keys"][0]["value"], text)

    def test_cache_keys_lists_hostile_names_safely(self):
        data = self.check("cache", "keys", PREFIX)
        names = sorted(base64.b64decode(k["key"]["base64"]) if isinstance(k["key"], dict) else k["key"].encode()
                       for k in data["keys"])
        self.assertEqual(names, sorted([self.key, PREFIX + b"nul" + HOSTILE, PREFIX + b"hash", PREFIX + b"list",
                                        PREFIX + b"zset"]))

    def test_errors_that_quote_a_key_are_escaped(self):
        missing = MISSING
        for args in (("cache", "ttl", missing), ("cache", "expire", missing, "10s"), ("cache", "persist", missing),
                     ("cache", "get", missing), ("cache", "del", missing)):
            data = self.check(*args, codes=(5,))
            if "error" in data:
                json.dumps(data)  # the message holds the key, still valid JSON
        code, out, err = run("cache", "get", missing, "--raw", "-p", self.server.port)
        self.assertEqual(code, 5)
        self.assertTerminalSafe(err, "get --raw missing")

    def test_writes_and_ttl_commands_echo_keys_safely(self):
        self.check("cache", "set", PREFIX + b"new" + NAME, NAME)
        self.assertEqual(self.r.get(PREFIX + b"new" + NAME), NAME)
        self.check("cache", "ttl", self.key)
        self.check("cache", "expire", self.key, "1h")
        self.check("cache", "persist", self.key)
        self.check("cache", "set", PREFIX + b"stdin", "-", input=HOSTILE)
        self.assertEqual(self.r.get(PREFIX + b"stdin"), HOSTILE)
        self.check("cache", "del", PREFIX + b"new" + NAME, codes=(0, 5))

    def test_invalidate_dry_run_refusal_and_run(self):
        data = self.check("cache", "invalidate", PREFIX, "--dry-run")
        self.assertEqual(data["matched"], 5)
        self.check("cache", "invalidate", PREFIX, codes=(2,), json_too=False)  # refused: the prefix is quoted
        code, out, err = run("cache", "invalidate", PREFIX, "--yes", "-p", self.server.port)
        self.assertEqual(code, 0, err)
        self.assertTerminalSafe(out, "invalidate stdout")
        self.assertTerminalSafe(err, "invalidate stderr (progress)")
        self.assertEqual([k for k in self.r.keys() if k.startswith(PREFIX)], [])
        self.assertEqual(self.r.get(b"safe"), b"ok")


class HostileServerText(RctlTestCase):
    """health and stats print what INFO says: version strings, command names, keyspace."""

    def test_health_and_stats_escape_info_text(self):
        info = info_text({"redis_version": "7.0.15\x1b]0;pwned\x07", "redis_mode": "standalone\r\x1b[2J",
                          "role": "master", "cluster_enabled": "0", "used_memory": "100", "maxmemory": "0",
                          "maxmemory_policy": "no\x1b[5meviction", "connected_clients": "1"})
        info += b"# Commandstats\r\ncmdstat_get\x1b[2J:calls=1,usec=2,usec_per_call=2.00\r\n"
        info += b"cmdstat_\xf0\x28:calls=1,usec=1\r\n# Keyspace\r\ndb0:keys=1\x1b,expires=0\r\n"
        server = FakeServer(fake_redis(CountingHandler(lambda cmd, n: enc("x")), info=info))
        try:
            for args in (["health"], ["stats"], ["health", "-o", "nagios"], ["stats", "-o", "prometheus"]):
                code, out, err = run(*args, "-p", server.port)
                self.assertEqual(code, 0, err)
                TerminalSafety.assertTerminalSafe(self, out, " ".join(args))
                TerminalSafety.assertTerminalSafe(self, err, " ".join(args))
            for args in (["health"], ["stats"]):
                code, out, err = run(*args, "-p", server.port, "-o", "json")
                self.assertEqual(code, 0, err)
                json.loads(out.decode("utf-8"))
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
