"""Secrets: every command, with the password from every source, with and without -v, when it
works and when it fails, never shows the password on stdout or stderr, and a password given
on the command line is gone from /proc/<pid>/cmdline once rctl has started.

COMMANDS is the table of command lines that exist; a new command adds its lines there (and,
if it needs data, to `prepare`).
"""

import json
import os
import pickle
import subprocess
import tempfile
import threading
import unittest

import redis
import rq

from cloud_endpoints import FROZEN, CloudEndpoints, allow_tokens, botocore_token, fake_jwt
from faults import FakeServer, unused_port
from harness import RCTL, RctlTestCase, RedisServer, rctl

SECRET = "Zx9-s3cr3t-Pw-417"
OTHER = "a-different-password"

SESSION_ID = "3f0c9d2e-6a8b-4c1d-9e7f-0a1b2c3d4e5f"
LIMITER_KEY = "LIMITER/127.0.0.1/fixed/10/1/minute"
JOB_ID = "sec-job-1"
SIDEKIQ_JID = "5ec0" * 6

# (command line, exit code when it works). The data they use is re-created before each run.
COMMANDS = [
    (["health"], 0),
    (["stats"], 0),
    (["stats", "-o", "prometheus"], 0),
    (["cache", "get", "sec:k"], 0),
    (["cache", "set", "sec:new", "value"], 0),
    (["cache", "del", "sec:d"], 0),
    (["cache", "ttl", "sec:k"], 0),
    (["cache", "expire", "sec:k", "60s"], 0),
    (["cache", "persist", "sec:k"], 0),
    (["cache", "keys", "sec:"], 0),
    (["cache", "invalidate", "sec:", "--dry-run"], 0),
    (["cache", "invalidate", "sec:", "--yes"], 0),
    (["session", "list"], 0),
    (["session", "show", SESSION_ID], 0),
    (["session", "stats"], 0),
    (["keys", "analyze"], 0),
    (["session", "revoke", SESSION_ID, "--yes"], 0),
    (["ratelimit", "list"], 0),
    (["ratelimit", "show", LIMITER_KEY], 0),
    (["ratelimit", "reset", LIMITER_KEY, "--yes"], 0),
    (["ratelimit", "probe", "--limit", "5/minute", "--strategy", "fixed"], 0),
    (["job", "enqueue", "os.getcwd", "--queue", "sec"], 0),
    (["job", "status", JOB_ID], 0),
    (["job", "list", "--queue", "sec"], 0),
    (["job", "queues"], 0),
    (["job", "requeue", JOB_ID], 1),  # queued, not failed: refused
    (["job", "cancel", JOB_ID], 0),
    (["job", "empty", "sec", "--yes"], 0),
    (["job", "status", SIDEKIQ_JID, "--system", "sidekiq"], 0),
    (["job", "list", "--system", "sidekiq", "--queue", "sec"], 0),
    (["job", "queues", "--system", "sidekiq"], 0),
    (["job", "retry", "sec", "--system", "sidekiq", "--yes"], 0),
    (["job", "purge", "sec", "--system", "sidekiq", "--state", "waiting", "--yes"], 0),
    (["job", "list", "--system", "bullmq", "--queue", "sec"], 0),
    (["job", "queues", "--system", "bullmq", "sec"], 0),
    (["job", "retry", "sec", "--system", "bullmq", "--yes"], 0),
    (["job", "purge", "sec", "--system", "bullmq", "--state", "waiting", "--yes"], 0),
    (["job", "list", "--system", "celery", "--queue", "sec"], 0),
    (["job", "queues", "--system", "celery"], 0),
    (["job", "purge", "sec", "--system", "celery", "--state", "waiting", "--yes"], 0),
    (["test", "--only", "connection,strings"], 0),
    (["call", "GET", "sec:k"], 0),
    (["call", "--all-nodes", "PING"], 0),
    (["latency", "--count", "1", "--interval", "100ms"], 0),
    (["latency", "--doctor"], 0),
    (["slowlog"], 0),
    (["slowlog", "--group", "--full"], 0),
    (["slowlog", "--reset", "--yes"], 0),
    (["clients"], 0),
    (["clients", "kill", "--filter", "name=nobody-*", "--dry-run"], 0),
]


def command_line(command, flags):
    """`command` with rctl's flags: after it, except for `call`, where everything after COMMAND
    is the server's and rctl's flags go before."""
    return [*flags, *command] if command[0] == "call" else [*command, *flags]


def prepare(r):
    r.flushall()
    # Every command in the slow log, AUTH and HELLO included: Redis redacts their arguments,
    # and rctl slowlog must show nothing more than it.
    r.config_set("slowlog-log-slower-than", 0)
    r.set("sec:k", "v", ex=3600)
    r.set("sec:d", "v")
    # A Flask-Session 0.3 session, a limits fixed-window counter and an RQ job.
    r.setex(f"session:{SESSION_ID}", 3600, pickle.dumps({"_permanent": True, "user_id": "u1"}))
    r.set(LIMITER_KEY, 3, ex=60)
    rq.Queue("sec", connection=r).enqueue("os.getcwd", job_id=JOB_ID)
    # A Sidekiq job waiting in queue "sec" and one in the retry set.
    r.sadd("queues", "sec")
    r.lpush("queue:sec", json.dumps({"retry": True, "queue": "sec", "class": "SecWorker", "args": [1],
                                     "jid": SIDEKIQ_JID, "created_at": 1.5, "enqueued_at": 1.5}))
    r.zadd("retry", {json.dumps({"queue": "sec", "class": "SecWorker", "args": [2], "jid": "b" * 24,
                                 "error_class": "E", "error_message": "m", "retry_count": 0}): 2.5})


def sources(port, password_file):
    """name -> (extra args, extra env): every way to hand rctl a password."""
    url = f"redis://:{SECRET}@127.0.0.1:{port}"
    return {
        "flag -a": (["-p", port, "-a", SECRET], {}),
        "flag --password=": (["-p", port, f"--password={SECRET}"], {}),
        "URL": (["-u", url], {}),
        "URL with user": (["-u", f"redis://default:{SECRET}@127.0.0.1:{port}"], {}),
        "REDIS_PASSWORD": (["-p", port], {"REDIS_PASSWORD": SECRET}),
        "REDISCLI_AUTH": (["-p", port], {"REDISCLI_AUTH": SECRET}),
        "REDIS_URL": ([], {"REDIS_URL": url}),
        "--password-file": (["-p", port, "--password-file", password_file], {}),
        "--password-command": (["-p", port, "--password-command", f"cat {password_file}"], {}),
        "profile": (["--profile", "sec"], {"RCTL_CONFIG": profile_config(port, url)}),
    }


CONFIG_FILES = set()  # removed by tearDownClass


def profile_config(port, url):
    """A config file whose profile 'sec' holds the password in its URL (mode 600)."""
    path = os.path.join(tempfile.gettempdir(), f"rctl-secrets-{port}.conf")
    CONFIG_FILES.add(path)
    with open(path, "w") as f:
        f.write(f"[sec]\nurl = {url}\n")
    os.chmod(path, 0o600)
    return path


class PasswordNeverShown(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(password=SECRET)
        cls.wrong = RedisServer(password=OTHER)
        cls.r = redis.Redis(port=cls.server.port, password=SECRET)
        fd, cls.password_file = tempfile.mkstemp()
        os.write(fd, (SECRET + "\n").encode())
        os.close(fd)
        os.chmod(cls.password_file, 0o600)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.wrong.close()
        os.unlink(cls.password_file)
        for path in CONFIG_FILES:
            os.unlink(path)

    def check_run(self, label, args, env, expected_exit):
        out = rctl(*args, env=env)
        self.assertNotIn(SECRET, out.stdout, f"{label}: password on stdout")
        self.assertNotIn(SECRET, out.stderr, f"{label}: password on stderr")
        self.assertEqual(out.returncode, expected_exit, f"{label}: {out.stderr}")
        return out

    def test_no_command_shows_the_password(self):
        dead_port = unused_port()
        outcomes = {"works": (self.server.port, None), "wrong password": (self.wrong.port, 4),
                    "unreachable": (dead_port, 3)}
        for outcome, (port, code) in outcomes.items():
            for source, (args, env) in sources(port, self.password_file).items():
                variants = ([], ["-v"], ["-v", "-o", "json"]) if code is None else (["-v"], ["-v", "-o", "json"])
                for variant in variants:
                    for command, ok_code in COMMANDS:
                        if variant[-1:] == ["json"] and "prometheus" in command:
                            continue
                        prepare(self.r)
                        label = f"{outcome} / {source} / {' '.join(variant)} / {' '.join(command)}"
                        out = self.check_run(label, command_line(command, [*args, *variant]), env,
                                             ok_code if code is None else code)
                        if variant and code is None and source == "URL":
                            # -v names the target with the password masked.
                            self.assertIn(":****@127.0.0.1", out.stderr, label)

    def test_password_is_gone_from_the_command_line_after_start(self):
        """Read /proc/<pid>/cmdline while rctl waits on a server that never answers."""
        started = threading.Event()

        def stall(peer):
            peer.read_command()
            started.set()
            while True:
                peer._fill()
        fake = FakeServer(stall)
        try:
            port = fake.port
            forms = {
                "-a": ["-p", port, "-a", SECRET],
                "--password=": ["-p", port, f"--password={SECRET}"],
                "-aSECRET": ["-p", port, f"-a{SECRET}"],
                "URL": ["-u", f"redis://:{SECRET}@127.0.0.1:{port}"],
                "--url= with user": [f"--url=redis://alice:{SECRET}@127.0.0.1:{port}/0"],
                "URL query": ["-u", f"redis://127.0.0.1:{port}?password={SECRET}"],
            }
            for form, args in forms.items():
                for command, _ in COMMANDS:
                    with self.subTest(form=form, command=command):
                        started.clear()
                        flags = [*[str(a) for a in args], "--no-auth-warning", "--timeout", "20s"]
                        proc = subprocess.Popen([RCTL, *command_line(command, flags)],
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                env={"PATH": os.environ["PATH"]})
                        try:
                            self.assertTrue(started.wait(20), "rctl never reached the server")
                            with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                                cmdline = f.read()
                            self.assertNotIn(SECRET.encode(), cmdline)
                            self.assertIn(b"*" * len(SECRET), cmdline)
                        finally:
                            proc.kill()
                            stdout, stderr = proc.communicate()
                        self.assertNotIn(SECRET.encode(), stdout + stderr)
        finally:
            fake.close()


class IdentityTokensNeverShown(RctlTestCase):
    """Every command with --iam and with --entra, with and without -v: neither the token nor
    the AWS secret key or session token reaches stdout or stderr, when AUTH works and when
    the server refuses the token."""

    AK, SK, SESSION = "AKIDSECRETSTEST", "Secret/Access+Key=For-Tests-77", "Session/Token+For=Tests-88"
    OID = "7d0f8a4e-0000-4bbb-9ccc-000000000001"

    @classmethod
    def setUpClass(cls):
        # Tokens first: a failing setUpClass gets no tearDownClass to stop the server.
        cls.iam_token = botocore_token("sec-cache", "iam-user", "us-east-1", cls.AK, cls.SK, cls.SESSION)
        cls.entra_token = fake_jwt(cls.OID)
        cls.server = RedisServer(password=SECRET)
        cls.r = redis.Redis(port=cls.server.port, password=SECRET)
        cls.endpoints = CloudEndpoints()
        cls.endpoints.entra_tokens = [cls.entra_token]
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.endpoints.close()
        cls.server.close()
        cls.tmp.cleanup()

    def test_no_command_shows_a_token(self):
        iam_env = {"HOME": self.tmp.name, "RCTL_TEST_NOW": FROZEN, "AWS_EC2_METADATA_DISABLED": "true",
                   "AWS_ACCESS_KEY_ID": self.AK, "AWS_SECRET_ACCESS_KEY": self.SK, "AWS_SESSION_TOKEN": self.SESSION,
                   "AWS_PROFILE": ""}
        entra_env = {"PATH": self.tmp.name, "IDENTITY_ENDPOINT": self.endpoints.url + "/msi/token",
                     "IDENTITY_HEADER": self.endpoints.identity_header}
        identities = {
            "iam": (["--iam", "--user", "iam-user", "--cache-name", "sec-cache", "--region", "us-east-1"], iam_env,
                    "iam-user", self.iam_token),
            "entra": (["--entra"], entra_env, self.OID, self.entra_token),
        }
        secrets = [self.SK, self.SESSION, self.iam_token, self.entra_token, self.endpoints.identity_header]
        for name, (args, env, user, token) in identities.items():
            for accepted in (True, False):
                allow_tokens(self.r, user, token if accepted else "not-the-token")
                for variant in ([], ["-v"]) if accepted else (["-v"],):
                    for command, ok_code in COMMANDS:
                        prepare(self.r)
                        # Before the command: `session` has a --user of its own.
                        out = rctl(*args, *command_line(command, ["-p", self.server.port, *variant]), env=env)
                        label = f"{name} / {'accepted' if accepted else 'refused'} / {variant} / {command}"
                        for secret in secrets:
                            self.assertNotIn(secret, out.stdout, label)
                            self.assertNotIn(secret, out.stderr, label)
                        self.assertEqual(out.returncode, ok_code if accepted else 4, f"{label}: {out.stderr}")


if __name__ == "__main__":
    unittest.main()
