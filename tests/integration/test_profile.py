"""Profiles from the config file (--profile, RCTL_PROFILE, RCTL_CONFIG) and RCTL_OUTPUT, against
real servers: which server a command reaches, which settings win, and the errors for a
broken file. The unit tests cover the parser; these cover the whole path."""

import json
import os
import shutil
import tempfile
import unittest

import redis

from faults import unused_port
from harness import RctlTestCase, RedisServer, rctl, rctl_json

PASSWORD = "pr0file-S3cret"


class Profiles(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(password=PASSWORD)
        cls.other = RedisServer()  # no password: tells which server a command reached
        cls.r = redis.Redis(port=cls.server.port, password=PASSWORD)
        cls.o = redis.Redis(port=cls.other.port)
        cls.dir = tempfile.mkdtemp()
        cls.config = os.path.join(cls.dir, "config")
        with open(os.path.join(cls.dir, "prod.pass"), "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(os.path.join(cls.dir, "prod.pass"), 0o600)
        cls.dead = unused_port()
        cls.write_config(f"""
# profiles for the tests
[prod]
port = {cls.server.port}
password-file = prod.pass     # relative to this file
timeout = 2s

[other]
url = redis://127.0.0.1:{cls.other.port}
session-url = redis://127.0.0.1:{cls.server.port}
password-file = prod.pass
output = json

[dead]
url = redis://127.0.0.1:{cls.dead}

[inline]
url = redis://:{PASSWORD}@127.0.0.1:{cls.server.port}

[bad]
retries = lots
""")

    @classmethod
    def write_config(cls, text, mode=0o600):
        with open(cls.config, "w") as f:
            f.write(text)
        os.chmod(cls.config, mode)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.other.close()
        shutil.rmtree(cls.dir)

    def setUp(self):
        self.r.set("where", "prod")
        self.o.set("where", "other")

    def run_rctl(self, *args, env=None):
        return rctl(*args, env={"RCTL_CONFIG": self.config, **(env or {})})

    def run_json(self, *args, env=None):
        return rctl_json(*args, env={"RCTL_CONFIG": self.config, **(env or {})})

    def where(self, *args, env=None):
        """Which server `cache get where` reached with these arguments."""
        out, data = self.run_json("cache", "get", "where", *args, env=env)
        self.assertExit(out, 0)
        return data["keys"][0]["value"]

    def test_a_profile_picks_the_server_and_the_password(self):
        self.assertEqual(self.where("--profile", "prod"), "prod")
        out = self.run_rctl("--profile", "prod", "health", "-v")
        self.assertExit(out, 0)
        self.assertIn(f"profile 'prod' from {self.config}", out.stderr)
        self.assertIn("password from profile 'prod' (password-file)", out.stderr)
        self.assertNoSecret(out, PASSWORD)
        self.assertNotIn("warning", out.stderr)

    def test_rctl_profile_selects_and_the_flag_beats_it(self):
        self.assertEqual(self.where(env={"RCTL_PROFILE": "prod"}), "prod")
        self.assertEqual(self.where("--profile", "other", env={"RCTL_PROFILE": "prod"}), "other")

    def test_command_line_beats_the_profile(self):
        # The profile's server is dead; an endpoint flag keeps the profile's endpoint out.
        self.assertEqual(self.where("--profile", "dead", "-p", self.other.port), "other")
        # The profile's password stays with its server: another endpoint gets no AUTH (a
        # server without a password would refuse one).
        self.assertEqual(self.where("--profile", "prod", "-p", self.other.port), "other")
        out = self.run_rctl("--profile", "prod", "-p", self.other.port, "health", "-v")
        self.assertExit(out, 0)
        self.assertNotIn("password from", out.stderr)
        out = self.run_rctl("--profile", "prod", "health", "--timeout", "0")
        self.assertExit(out, 2)  # the flag's bad value is used, not the profile's 2s
        self.assertOneLineError(out, "--timeout must be positive")

    def test_a_chosen_profile_beats_the_environments_url(self):
        env = {"REDIS_URL": f"redis://127.0.0.1:{self.dead}", "REDISCLI_AUTH": "wrong"}
        self.assertEqual(self.where("--profile", "prod", env=env), "prod")  # its password-file wins too
        # A profile URL with its own password ignores the environment's password.
        self.assertEqual(self.where("--profile", "inline", env=env), "prod")

    def test_role_urls(self):
        self.r.set("session:abc", json.dumps({"user_id": 7}))
        out, data = self.run_json("--profile", "other", "session", "list")
        self.assertExit(out, 0)
        self.assertEqual([s["id"] for s in data["sessions"]], ["abc"])  # session-url: the prod server
        self.assertEqual(self.where("--profile", "other"), "other")        # url for everything else

    def test_output_from_the_profile_and_rctl_output(self):
        out = self.run_rctl("--profile", "other", "cache", "get", "where")
        self.assertExit(out, 0)
        self.assertEqual(json.loads(out.stdout)["keys"][0]["value"], "other")  # output = json
        out = self.run_rctl("--profile", "other", "cache", "get", "where", "-o", "table")
        self.assertNotIn("{", out.stdout)
        out = self.run_rctl("--profile", "other", "cache", "get", "where", env={"RCTL_OUTPUT": "table"})
        self.assertNotIn("{", out.stdout)
        out = self.run_rctl("cache", "get", "where", "-p", self.other.port, env={"RCTL_OUTPUT": "json"})
        self.assertEqual(json.loads(out.stdout)["keys"][0]["value"], "other")
        out = self.run_rctl("health", "-p", self.other.port, env={"RCTL_OUTPUT": "nagios"})
        self.assertExit(out, 2)
        self.assertOneLineError(out, "output format 'nagios' from RCTL_OUTPUT: use table or json")

    def test_errors_name_the_file_and_line_and_change_nothing(self):
        cases = [
            (["--profile", "stage"], "no profile 'stage' in " + self.config, "profiles: prod, other, dead, inline, bad"),
            (["--profile", "bad"], f"{self.config}:21: retries: expected a number from 0 to 100, not 'lots'", ""),
        ]
        for args, message, hint in cases:
            out, data = self.run_json(*args, "cache", "set", "where", "changed")
            self.assertExit(out, 2)
            self.assertEqual(data["error"]["kind"], "usage")
            self.assertEqual(data["error"]["message"], message)
            if hint:
                self.assertEqual(data["error"]["hint"], hint)
        out, data = rctl_json("--profile", "prod", "health", env={"RCTL_CONFIG": os.path.join(self.dir, "nope")})
        self.assertExit(out, 2)
        self.assertIn("cannot read config file", data["error"]["message"])
        self.assertEqual((self.r.get("where"), self.o.get("where")), (b"prod", b"other"))
        # Commands that never connect do not need a usable profile.
        out = self.run_rctl("--profile", "stage", "completion", "bash")
        self.assertExit(out, 0)

    def test_a_password_in_a_file_others_can_read_is_warned_about(self):
        with open(self.config) as f:
            original = f.read()
        try:
            os.chmod(self.config, 0o644)
            out = self.run_rctl("--profile", "inline", "health")
            self.assertExit(out, 0)
            self.assertIn("holds a password and other users can read it", out.stderr)
            self.assertNoSecret(out, PASSWORD)
            out = self.run_rctl("--profile", "prod", "health")  # a password file is fine
            self.assertNotIn("other users can read", out.stderr)
        finally:
            self.write_config(original)


if __name__ == "__main__":
    unittest.main()
