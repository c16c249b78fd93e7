"""Faults in the client layer (issue 16): handshake replies that refuse the password, replies
that drip or never end, unsolicited push floods, replies too large in total, error replies to
reads, and a stdout that cannot be written. Each test failed before its fix."""

import json
import subprocess
import threading
import time

import redis

from faults import FakeServer, Simple, enc, fake_redis
from harness import RCTL, RctlTestCase, RedisServer, rctl, rctl_json
from test_faults import FaultCase, run_measured

HANDSHAKE = (b"AUTH", b"CLIENT", b"SELECT", b"PING", b"INFO", b"HELLO")


class Recorder:
    """A fake_redis handler that owns the whole handshake: HELLO is an unknown command (an old
    server, or HELLO renamed), AUTH answers `auth_reply`, everything else +OK / `other`. It
    records every command so a test can say what was sent after a refused AUTH."""

    def __init__(self, auth_reply, other=None):
        self.auth_reply = auth_reply
        self.other = other or (lambda cmd: enc(Simple("OK")))
        self.seen = []
        self.lock = threading.Lock()

    def __call__(self, cmd, peer):
        with self.lock:
            self.seen.append(cmd)
        if cmd[0] == b"HELLO":
            peer.send(b"-ERR unknown command 'HELLO'\r\n")
        elif cmd[0] == b"AUTH":
            peer.send(self.auth_reply)
        elif cmd[0] == b"PING":
            peer.send(b"+PONG\r\n")
        else:
            peer.send(self.other(cmd))

    def names(self):
        with self.lock:
            return [c[0] for c in self.seen]


class WrongPasswordWithoutHello(FaultCase):
    """Item 4: a failed AUTH in the RESP2 handshake is exit 4, and nothing follows it."""

    def server(self, recorder):
        server = FakeServer(fake_redis(recorder, own=HANDSHAKE))
        self.cleanups.append(server.close)
        return server

    def test_invalidate_with_a_wrong_password_deletes_nothing(self):
        rec = Recorder(b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                       other=lambda cmd: enc([b"0", []]) if cmd[0] == b"SCAN" else enc(0))
        server = self.server(rec)
        out = rctl("cache", "invalidate", "app:", "--yes", "-p", server.port, "--user", "ops",
                   "-a", "WRONG")
        self.assertExit(out, 4)
        self.assertOneLineError(out, "WRONGPASS")
        names = rec.names()
        # One connection may be opened per role/attempt, but on each, AUTH is the last command.
        self.assertIn(b"AUTH", names)
        self.assertEqual(set(names) - {b"HELLO", b"AUTH"}, set(), names)

    def test_health_with_a_wrong_password_is_critical_auth(self):
        rec = Recorder(b"-ERR invalid password\r\n")
        server = self.server(rec)
        out = rctl("health", "-p", server.port, "-a", "WRONG", "-o", "nagios")
        self.assertNotEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(set(rec.names()) - {b"HELLO", b"AUTH"}, set(), rec.names())
        out, data = rctl_json("health", "-p", server.port, "-a", "WRONG")
        self.assertExit(out, 4)
        self.assertEqual(data["error"]["kind"], "auth")


def drip(data, pause):
    """A fake_redis handler step: sends `data` one byte at a time, `pause` seconds apart,
    until it is all sent or rctl has gone."""
    def send(peer):
        for i in range(len(data)):
            peer.send(data[i:i + 1])
            time.sleep(pause)
    return send


def never_ending(peer):
    """A reply announced as a million elements that arrive one per 0.2 s, for as long as
    rctl listens (the send fails once it has closed the connection)."""
    peer.send(b"*1000000\r\n")
    for _ in range(600):
        peer.send(b"+x\r\n")
        time.sleep(0.2)


def string_key(get_reply):
    """A handler for `cache get`: TYPE says string, PTTL -1, GET is `get_reply(peer)`."""
    def handler(cmd, peer):
        if cmd[0] == b"TYPE":
            peer.send(b"+string\r\n")
        elif cmd[0] == b"PTTL":
            peer.send(b":-1\r\n")
        elif cmd[0] == b"GET":
            get_reply(peer)
        else:
            peer.send(enc(Simple("OK")))
    return handler


class ReplyDeadline(FaultCase):
    """Item 1: --timeout bounds the whole reply, not the silence between two bytes."""

    def test_a_dripping_reply_times_out(self):
        server = self.fake(string_key(drip(b"$5\r\nhello\r\n", 0.3)))
        self.assertJsonError(["cache", "get", "k", "-p", server.port, "--timeout", "1s"], 3, "timeout",
                             f"no complete reply from 127.0.0.1:{server.port} within 1s")

    def test_a_never_ending_reply_times_out(self):
        server = self.fake(string_key(never_ending))
        out = rctl("cache", "get", "k", "-p", server.port, "--timeout", "1s", timeout=60)
        self.assertExit(out, 3)
        self.assertOneLineError(out, "no complete reply")

    def test_health_nagios_ends_on_a_never_ending_reply(self):
        def handler(cmd, peer):
            never_ending(peer) if cmd[0] == b"INFO" else peer.send(enc(Simple("OK")))
        server = self.fake(handler, own=(b"INFO",))
        out = rctl("health", "-p", server.port, "--timeout", "1s", "-o", "nagios", timeout=60)
        self.assertIn(out.returncode, (2, 3), out.stdout + out.stderr)
        self.assertRegex(out.stdout, r"^REDIS (CRITICAL|UNKNOWN): .*no complete reply")


class PushFlood(FaultCase):
    """Item 2: pushes nobody asked for are dropped, never queued, never extend a deadline."""

    def test_resp2_push_flood_neither_grows_memory_nor_extends_the_deadline(self):
        push = b">2\r\n$7\r\nmessage\r\n$1\r\nx\r\n" * 2000

        def flood_then_reply(peer):
            end = time.monotonic() + 4
            while time.monotonic() < end:
                peer.send(push)
            peer.send(b"$5\r\nhello\r\n")
        healthy = self.fake(string_key(lambda peer: peer.send(b"$5\r\nhello\r\n")))
        _, baseline_kib = run_measured("cache", "get", "k", "-p", healthy.port, "-o", "json")
        server = self.fake(string_key(flood_then_reply))
        out, rss_kib = run_measured("cache", "get", "k", "-p", server.port, "--timeout", "1s", "-o", "json")
        self.assertExit(out, 3)
        self.assertEqual(json.loads(out.stdout)["error"]["kind"], "timeout")
        self.assertLess(rss_kib, baseline_kib + 64 * 1024)


    def test_resp3_pushes_nobody_subscribed_to_are_dropped(self):
        """The same flood after a real RESP3 handshake (HELLO 3 answered with a map)."""
        push = b">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nx\r\n" * 2000

        def handler(cmd, peer):
            if cmd[0] == b"HELLO":
                peer.send(b"%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n")
            elif cmd[0] == b"GET":
                end = time.monotonic() + 4
                while time.monotonic() < end:
                    peer.send(push)
                peer.send(b"$5\r\nhello\r\n")
            else:
                string_key(None)(cmd, peer)
        server = self.fake(handler, own=(b"HELLO",))
        out = rctl("cache", "get", "k", "-p", server.port, "--timeout", "1s", timeout=60)
        self.assertExit(out, 3)
        self.assertOneLineError(out, "no complete reply")


class ReplySize(FaultCase):
    """Item 3: one reply is bounded in elements (nested included) and in memory; both bounds
    can be raised through the environment."""

    def test_element_bound_at_limit_and_limit_plus_one(self):
        def answer(n):
            return lambda cmd, peer: peer.send(b"*%d\r\n" % n + b"+x\r\n" * n) if cmd[0] == b"TYPE" \
                else peer.send(enc(Simple("OK")))
        env = {"RCTL_MAX_REPLY_ELEMENTS": "1000"}
        over = self.fake(answer(1001))
        self.assertJsonError(["cache", "get", "k", "-p", over.port], 6, "protocol",
                             "reply too large: more than 1000 elements", env=env)
        at = self.fake(answer(1000))
        out = rctl("cache", "get", "k", "-p", at.port, env=env)
        self.assertExit(out, 6)
        self.assertOneLineError(out, "TYPE answered with an array")

    def test_nested_elements_count_towards_one_bound(self):
        server = self.fake(string_key(lambda peer: peer.send(b"*2\r\n*600\r\n" + b"+x\r\n" * 600 + b"*600\r\n")))
        self.assertJsonError(["cache", "get", "k", "-p", server.port], 6, "protocol",
                             "more than 1000 elements", env={"RCTL_MAX_REPLY_ELEMENTS": "1000"})

    def test_byte_bound(self):
        big = b"$2097152\r\n" + b"a" * 2097152 + b"\r\n"
        server = self.fake(string_key(lambda peer: peer.send(big)))
        self.assertJsonError(["cache", "get", "k", "-p", server.port], 6, "protocol",
                             "reply too large: more than 1048576 bytes", env={"RCTL_MAX_REPLY_MB": "1"})
        out = rctl("cache", "get", "k", "-p", server.port, "--raw", env={"RCTL_MAX_REPLY_MB": "3"})
        self.assertExit(out, 0)
        self.assertEqual(len(out.stdout), 2097152)

    def test_a_flood_of_empty_arrays_is_refused_without_growing(self):
        chunk = b"*0\r\n" * 250000

        def flood(peer):
            peer.send(b"*67108000\r\n")
            for _ in range(60):
                peer.send(chunk)
        healthy = self.fake(string_key(lambda peer: peer.send(b"$5\r\nhello\r\n")))
        _, baseline_kib = run_measured("cache", "get", "k", "-p", healthy.port, "-o", "json")
        server = self.fake(string_key(flood))
        out, rss_kib = run_measured("cache", "get", "k", "-p", server.port, "-o", "json")
        self.assertExit(out, 6)
        self.assertIn("reply too large", json.loads(out.stdout)["error"]["message"])
        self.assertLess(rss_kib, baseline_kib + 64 * 1024)

    def test_bad_bound_in_the_environment_is_a_usage_error(self):
        self.assertJsonError(["cache", "get", "k", "-p", "1"], 2, "usage", "RCTL_MAX_REPLY_ELEMENTS",
                             env={"RCTL_MAX_REPLY_ELEMENTS": "0"})


class ReadErrors(FaultCase):
    """Item 8: an error reply to a read is the answer, not "no value": NOPERM is exit 4,
    any other error exit 6, in table, JSON and --raw output alike."""

    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(acl=["noget on >pw ~* +@all -get", "nomem on >pw ~* +@all -memory"])
        r = redis.Redis(port=cls.server.port)
        r.set("k", "v")
        r.rpush("l", "a", "b")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_get_without_the_get_permission_is_exit_4(self):
        args = ["cache", "get", "k", "-p", self.server.port, "--user", "noget", "-a", "pw"]
        self.assertJsonError(args, 4, "permission", "NOPERM")
        self.assertTableError(args, 4, "NOPERM")
        self.assertTableError(args + ["--raw"], 4, "NOPERM")

    def test_get_of_a_list_without_get_is_still_refused(self):
        # GET on a list answers WRONGTYPE, which is expected; NOPERM is not.
        self.assertTableError(["cache", "get", "l", "-p", self.server.port, "--user", "noget", "-a", "pw"],
                              4, "NOPERM")

    def test_keys_listing_tolerates_a_refused_memory_usage(self):
        out = rctl("cache", "keys", "*", "-p", self.server.port, "--user", "nomem", "-a", "pw")
        self.assertExit(out, 0)

    def test_other_error_to_get_is_exit_6(self):
        server = self.fake(string_key(lambda peer: peer.send(b"-ERR something odd\r\n")))
        self.assertJsonError(["cache", "get", "k", "-p", server.port], 6, "server", "something odd")
        self.assertTableError(["cache", "get", "k", "-p", server.port, "--raw"], 6, "something odd")

    def test_error_to_pttl_is_reported(self):
        def handler(cmd, peer):
            if cmd[0] == b"PTTL":
                peer.send(b"-NOPERM this user has no permissions to run the 'pttl' command\r\n")
            else:
                string_key(lambda p: p.send(b"$1\r\nv\r\n"))(cmd, peer)
        server = self.fake(handler)
        self.assertTableError(["cache", "get", "k", "-p", server.port], 4, "NOPERM")


class StdoutFailures(FaultCase):
    """Item 9: a stdout that cannot be written is a failure (exit 1, one message); a closed
    pipe stays a quiet success."""

    def test_disk_full_is_exit_1(self):
        server = self.fake(string_key(lambda peer: peer.send(b"$5\r\nhello\r\n")))
        for extra in (["--raw"], [], ["-o", "json"]):
            with self.subTest(extra=extra), open("/dev/full", "w") as full:
                out = subprocess.run([RCTL, "cache", "get", "k", "-p", str(server.port), *extra],
                                     stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
                self.assertEqual(out.returncode, 1, out.stderr)
                errors = [l for l in out.stderr.splitlines() if l.startswith("rctl: error:")]
                self.assertEqual(errors, ["rctl: error: cannot write the output: No space left on device"])

    def test_help_to_a_full_disk_is_exit_1(self):
        with open("/dev/full", "w") as full:
            out = subprocess.run([RCTL, "--help"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("rctl: error: cannot write the output", out.stderr)

    def test_help_into_a_closed_pipe_is_quiet(self):
        proc = subprocess.Popen([RCTL, "cache", "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.close()
        _, err = proc.communicate(timeout=60)
        self.assertEqual((proc.returncode, err), (0, b""))

    def test_closed_pipe_is_quiet_exit_0(self):
        server = self.fake(string_key(lambda peer: peer.send(b"$5\r\nhello\r\n")))
        proc = subprocess.Popen([RCTL, "cache", "get", "k", "-p", str(server.port), "--raw"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.close()
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(err, b"")


class UnparsableUrl(RctlTestCase):
    """Item 5: a URL that cannot be parsed is quoted with everything between scheme:// and the
    last '@' masked."""

    def test_password_holding_at_and_slash_is_masked(self):
        for url in ("redis://user:p@ss/SECRET@127.0.0.1:6379", "redis://p@ss/SECRET@127.0.0.1:6379",
                    "redis://user:p@ss?SECRET@127.0.0.1:6379"):
            with self.subTest(url=url):
                out = rctl("health", "-u", url)
                self.assertNotIn("SECRET", out.stderr + out.stdout)
                self.assertNotIn("@ss", out.stderr + out.stdout)
                self.assertExit(out, 2)


class ValueFileBound(RctlTestCase):
    """`--value-file /dev/zero` stops at 512 MiB (proto-max-bulk-len) with a usage error,
    before connecting."""

    def test_endless_value_file_is_refused(self):
        out = rctl("cache", "set", "k", "--value-file", "/dev/zero", "-p", "1", timeout=120)
        self.assertExit(out, 2)
        self.assertOneLineError(out, "--value-file '/dev/zero' is larger than 512 MiB")
