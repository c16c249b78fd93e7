"""Faults: malformed and oversized replies, connections that stall, close or reset, servers
that are loading, busy or redirecting in circles (reliability-ux.md Table 1, cases 1-18).

Every case checks the exit code, the one-line error, that -o json gives one valid JSON error
object (and table output prints nothing partial on stdout), and that nothing beyond what was
reported changed: commands that may have run are counted where they arrive.
"""

import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import redis

from faults import (CountingHandler, Err, FakeCluster, FakeServer, Proxy, Simple, enc, fake_redis,
                    info_text, reset)
from harness import RCTL, RctlTestCase, RedisServer, rctl, rctl_json

TIME = "/usr/bin/time"

# Table 1, cases 1-7: each reply breaks the protocol; the message names what.
MALFORMED = {
    "array length LLONG_MAX (case 1)": (b"*9223372036854775807\r\n", "array length out of range"),
    "array length SIZE_MAX/8+3 (case 2)": (b"*2305843009213693954\r\n", "array length out of range"),
    "array length beyond int64": (b"*92233720368547758070\r\n", "array length out of range"),
    "bulk length LLONG_MAX": (b"$9223372036854775807\r\n", "bulk string length out of range"),
    "bulk length -2 (case 3)": (b"$-2\r\n", "bulk string length out of range"),
    "array length -2 (case 3)": (b"*-2\r\n", "array length out of range"),
    "integer beyond LLONG_MAX (case 4)": (b":9223372036854775808\r\n", "bad integer value"),
    "100000 nested arrays (case 5)": (b"*1\r\n" * 100000 + b"+OK\r\n", "nesting too deep"),
    "map count beyond LLONG_MAX/2 (case 6)": (b"%4611686018427387904\r\n", "map length out of range"),
    "unknown type byte (case 7)": (b"@foo\r\n", "unknown reply type byte 0x40"),
}


def run_measured(*args, env=None):
    """Runs rctl under /usr/bin/time; returns (CompletedProcess, max RSS in KiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        base = {k: v for k, v in os.environ.items() if not k.startswith("REDIS")}
        base["NO_COLOR"] = "1"
        base.update(env or {})
        # Under ASan, freed memory waits in a quarantine (256 MB by default) before reuse: RSS
        # would then measure the sanitizer's bookkeeping, not what rctl keeps. A small
        # quarantine keeps the bound meaningful in the sanitized run too.
        if "ASAN_OPTIONS" in base:
            base["ASAN_OPTIONS"] += ":quarantine_size_mb=16"
        out = subprocess.run([TIME, "-o", rss.name, "-f", "%M", RCTL, *[str(a) for a in args]],
                             capture_output=True, text=True, env=base, timeout=120)
        return out, int(rss.read().split()[-1])


class FaultCase(RctlTestCase):
    """Helpers shared by the fault tests."""

    def setUp(self):
        self.cleanups = []

    def tearDown(self):
        for c in reversed(self.cleanups):
            c()

    def fake(self, handler, **kw):
        server = FakeServer(fake_redis(handler, **kw))
        self.cleanups.append(server.close)
        return server

    def assertJsonError(self, args, code, kind, fragment, env=None):
        """Runs rctl with -o json: exit `code`, stdout exactly one JSON error object."""
        out, data = rctl_json(*args, env=env)
        self.assertExit(out, code)
        self.assertEqual(list(data), ["error"], out.stdout)
        self.assertEqual(data["error"]["kind"], kind)
        self.assertEqual(data["error"]["exit_code"], code)
        self.assertIn(fragment, data["error"]["message"])
        self.assertOneLineError(out, fragment)
        return out, data

    def assertTableError(self, args, code, fragment, env=None):
        """Runs rctl with table output: exit `code`, one error line, nothing on stdout."""
        out = rctl(*args, env=env)
        self.assertExit(out, code)
        self.assertEqual(out.stdout, "", "partial output on stdout")
        self.assertOneLineError(out, fragment)
        return out


class MalformedReplies(FaultCase):
    """Cases 1-7: the reply reader stops at the first broken byte, allocates nothing the peer
    asked for, and the command fails with exit 6 naming the protocol error."""

    def test_cache_get_rejects_each_malformed_reply(self):
        # The peak RSS of the same command on a well-formed reply: the bound below is relative
        # to it, so that it holds for a sanitizer build too (shadow memory is counted).
        healthy = self.fake(CountingHandler(lambda cmd, n: enc("string") if cmd[0] == b"TYPE" else enc(Simple("OK"))))
        _, baseline_kib = run_measured("cache", "get", "k", "-p", healthy.port, "-o", "json")
        for name, (payload, message) in MALFORMED.items():
            with self.subTest(name):
                handler = CountingHandler(lambda cmd, n, p=payload: p if cmd[0] == b"TYPE" else enc(Simple("OK")))
                server = self.fake(handler)
                args = ["cache", "get", "k", "-p", server.port]
                out, rss_kib = run_measured(*args, "-o", "json")
                self.assertExit(out, 6)
                data = json.loads(out.stdout)
                self.assertEqual(list(data), ["error"])
                self.assertEqual(data["error"]["kind"], "protocol")
                self.assertIn("protocol error from 127.0.0.1:%d: %s" % (server.port, message),
                              data["error"]["message"])
                self.assertOneLineError(out, message)
                # No allocation sized by the peer's count: far below what even *1000000 would
                # take (a million reply values are over 64 MiB).
                self.assertLess(rss_kib, baseline_kib + 64 * 1024)
                # The broken connection is dropped, never reused, and nothing is sent again.
                self.assertEqual(handler.count(b"TYPE"), 1)
                self.assertTableError(args, 6, message)

    def test_health_reports_a_node_that_breaks_the_protocol_as_critical(self):
        for name in ("array length LLONG_MAX (case 1)", "unknown type byte (case 7)"):
            with self.subTest(name):
                payload, message = MALFORMED[name]
                # The first PING is the handshake's; health's samples come after it.
                server = self.fake(CountingHandler(lambda cmd, n, p=payload: enc(Simple("PONG")) if n == 0 else p),
                                   own=(b"PING",))
                out, data = rctl_json("health", "-p", server.port)
                self.assertExit(out, 1)
                self.assertEqual(data["status"], "critical")
                self.assertFalse(data["nodes"][0]["reachable"])
                self.assertIn(message, data["nodes"][0]["error"]["message"])
                out = rctl("health", "-o", "nagios", "-p", server.port)
                self.assertExit(out, 2)
                self.assertTrue(out.stdout.startswith("REDIS CRITICAL"), out.stdout)
                self.assertEqual(len(out.stdout.splitlines()), 1)

    def test_stats_fails_when_info_breaks_the_protocol(self):
        payload, message = MALFORMED["bulk length LLONG_MAX"]
        standalone = info_text({"cluster_enabled": "0"})

        def answer(cmd, n):
            return enc(standalone) if cmd[1:2] == [b"cluster"] else payload
        server = self.fake(CountingHandler(answer), own=(b"INFO",))
        self.assertJsonError(["stats", "-p", server.port], 6, "protocol", message)
        self.assertTableError(["stats", "-p", server.port], 6, message)
        out = rctl("stats", "-o", "prometheus", "-p", server.port)
        self.assertExit(out, 6)
        self.assertEqual(out.stdout, "")

    def test_reply_of_the_wrong_type_fails_that_command(self):
        """Case 10: a reply the command never returns (a string for PTTL, a map for SCAN)."""
        handler = CountingHandler(lambda cmd, n: b"$3\r\nabc\r\n" if cmd[0] == b"PTTL" else b"%0\r\n")
        server = self.fake(handler)
        self.assertJsonError(["cache", "ttl", "k", "-p", server.port], 6, "protocol",
                             "PTTL answered with a bulk string where an integer was expected")
        self.assertJsonError(["cache", "keys", "p:", "-p", server.port], 6, "protocol",
                             "SCAN answered with a map")
        standalone = info_text({"cluster_enabled": "0"})
        server = self.fake(CountingHandler(lambda cmd, n: enc(standalone) if cmd[1:2] == [b"cluster"] else b":1\r\n"),
                           own=(b"INFO",))
        self.assertJsonError(["stats", "-p", server.port], 6, "protocol",
                             "INFO answered with a reply of type integer where text was expected")


class BrokenConnections(FaultCase):
    """Cases 11-15: EOF mid-reply, stalls, unreachable addresses, resets; bounded retries for
    commands that are safe to send again, "outcome unknown" for those that are not."""

    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer()
        cls.r = redis.Redis(port=cls.server.port)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        super().setUp()
        self.r.flushall()
        self.r.config_resetstat()

    def proxy(self, fault):
        p = Proxy(self.server.port, fault)
        self.cleanups.append(p.close)
        return p

    def calls(self, command):
        stats = self.r.info("commandstats").get("cmdstat_" + command)
        return stats["calls"] if stats else 0

    def test_eof_mid_bulk_is_exit_3_after_bounded_retries(self):
        """Case 11: the server closes after `$10\\r\\nabc`; a read is retried on a new
        connection up to the retry budget (3 by default, --retries raises it), then fails."""
        handler = CountingHandler(lambda cmd, n: b"$10\r\nabc")

        def eof_after_partial(cmd, peer):
            handler(cmd, peer)
            raise EOFError
        server = self.fake(eof_after_partial)
        self.assertJsonError(["cache", "ttl", "k", "-p", server.port], 3, "connect",
                             "connection closed by server while reading")
        self.assertEqual(handler.count(b"PTTL"), 4)
        self.assertTableError(["cache", "ttl", "k", "-p", server.port, "--retries", "6"], 3,
                              "connection closed by server")
        self.assertEqual(handler.count(b"PTTL"), 4 + 7)
        self.assertTableError(["cache", "get", "k", "-p", server.port], 3, "connection closed by server")

    def test_close_mid_reply_of_a_read_is_retried_transparently(self):
        self.r.set("k", "x" * 5000)
        proxy = self.proxy(lambda cmd, n: "close_mid_reply" if cmd[0] == b"GET" and n == 0 else None)
        out, data = rctl_json("cache", "get", "k", "-p", proxy.port)
        self.assertExit(out, 0)
        self.assertEqual(data["keys"][0]["value"], "x" * 5000)
        self.assertEqual(proxy.count(b"GET"), 2)

    def test_reset_after_write_of_a_safe_read_is_retried(self):
        self.r.set("k", "v", px=60000)
        proxy = self.proxy(lambda cmd, n: "reset_after_write" if cmd[0] == b"PTTL" and n == 0 else None)
        out, data = rctl_json("cache", "ttl", "k", "-p", proxy.port)
        self.assertExit(out, 0)
        self.assertGreater(data["ttl_ms"], 0)
        self.assertEqual(self.calls("pttl"), 2)

    def test_reset_after_set_nx_is_outcome_unknown_and_never_resent(self):
        """Case 15: SET NX reached the server (which ran it), then the connection was reset.
        Sending it again would answer "not written" for the write it made, so rctl reports
        outcome unknown (exit 3) and sends it exactly once."""
        proxy = self.proxy(lambda cmd, n: "reset_after_write" if cmd[0] == b"SET" else None)
        out, data = self.assertJsonError(["cache", "set", "k", "v1", "--nx", "-p", proxy.port], 3,
                                         "outcome_unknown", "outcome unknown: SET was sent")
        self.assertIn("connection reset", data["error"]["message"].lower())
        self.assertIn("check", data["error"]["hint"])
        self.assertEqual(self.calls("set"), 1)
        self.assertEqual(proxy.count(b"SET"), 1)
        self.assertEqual(self.r.get("k"), b"v1")

    def test_reset_after_delete_is_outcome_unknown_and_never_resent(self):
        self.r.set("a", 1)
        self.r.set("b", 1)
        self.r.set("other", 1)
        proxy = self.proxy(lambda cmd, n: "reset_after_write" if cmd[0] == b"UNLINK" and n == 1 else None)
        self.assertTableError(["cache", "del", "a", "b", "-p", proxy.port], 3, "outcome unknown: UNLINK was sent")
        self.assertEqual(self.calls("unlink"), 2)
        self.assertEqual(self.r.exists("a", "b"), 0)
        self.assertEqual(self.r.get("other"), b"1")

    def test_idempotent_set_is_sent_again_after_a_reset(self):
        proxy = self.proxy(lambda cmd, n: "reset_after_write" if cmd[0] == b"SET" and n == 0 else None)
        out, data = rctl_json("cache", "set", "k", "v2", "-p", proxy.port)
        self.assertExit(out, 0)
        self.assertEqual(self.calls("set"), 2)
        self.assertEqual(self.r.get("k"), b"v2")

    def test_stalled_reply_times_out_once(self):
        """Case 13: the server accepted the command and never answers: exit 3 after --timeout,
        naming host:port; a stalled server is not asked again."""
        self.r.set("k", "v")
        proxy = self.proxy(lambda cmd, n: "stall" if cmd[0] == b"GET" else None)
        out, data = self.assertJsonError(["cache", "get", "k", "-p", proxy.port, "--timeout", "400ms"], 3, "timeout",
                                         f"no complete reply from 127.0.0.1:{proxy.port} within 0.4s")
        self.assertEqual(proxy.count(b"GET"), 1)
        proxy = self.proxy(lambda cmd, n: "stall" if cmd[0] == b"SET" else None)
        self.assertJsonError(["cache", "set", "k", "v", "--nx", "-p", proxy.port, "--timeout", "400ms"], 3,
                             "outcome_unknown", "no complete reply from")

    def test_slow_replies_split_at_every_byte_give_identical_results(self):
        """Case 8: every reply delivered one byte per write."""
        self.r.set("j", json.dumps({"a": [1, 2, {"b": "\u00e9"}]}))
        self.r.hset("h", mapping={"f1": "v1", "f2": "v2"})
        self.r.zadd("z", {"m1": 1.5, "m2": -2.25})
        proxy = self.proxy(lambda cmd, n: "slow")
        for args in (["cache", "get", "j", "h", "z"], ["cache", "keys", ""]):
            direct, expected = rctl_json(*args, "-p", self.server.port)
            slow, got = rctl_json(*args, "-p", proxy.port)
            self.assertExit(slow, 0)
            for record in (expected, got):
                for item in record.get("keys", []):
                    item.pop("ttl_ms", None)
                    item.pop("node", None)
            self.assertEqual(got, expected)
        out, data = rctl_json("health", "--samples", "2", "-p", proxy.port)
        self.assertExit(out, 0)
        self.assertEqual(data["status"], "ok")

    def test_double_is_read_without_the_locale(self):
        """Case 9: RESP3 doubles (ZRANGE WITHSCORES) under a comma-decimal locale."""
        self.r.zadd("z", {"m": 3.14})
        out, data = rctl_json("cache", "get", "z", "-p", self.server.port, env={"LC_ALL": "de_DE.UTF-8",
                                                                                 "LC_NUMERIC": "de_DE.UTF-8"})
        self.assertExit(out, 0)
        self.assertEqual(data["keys"][0]["elements"], [{"member": "m", "score": "3.14"}])

    def test_blackholed_address_times_out_naming_host_and_port(self):
        """Case 12: SYNs dropped (a listen queue that is full), so connect never completes."""
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler = socket.create_connection(listener.getsockname())
        port = listener.getsockname()[1]
        try:
            out, data = self.assertJsonError(["health", "-p", port, "--connect-timeout", "500ms"], 3, "timeout",
                                             f"127.0.0.1:{port}")
            self.assertIn("0.5s", data["error"]["message"])
            out = rctl("health", "-o", "nagios", "-p", port, "--connect-timeout", "500ms")
            self.assertExit(out, 2)
        finally:
            filler.close()
            listener.close()

    def test_reset_on_connect_is_retried_only_with_retries(self):
        """Case 14: every connection is reset at once; --retries N makes N more attempts."""
        accepted = []
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        port = sock.getsockname()[1]

        def serve():
            while True:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    return
                accepted.append(conn)
                reset(conn)
        threading.Thread(target=serve, daemon=True).start()
        try:
            # The reset arrives while rctl writes or reads the handshake; either way it names
            # the address.
            self.assertJsonError(["health", "-p", port], 3, "connect", f"127.0.0.1:{port}")
            self.assertEqual(len(accepted), 1)
            self.assertTableError(["cache", "get", "k", "-p", port, "--retries", "2"], 3, f"127.0.0.1:{port}")
            self.assertEqual(len(accepted), 1 + 3)
        finally:
            sock.close()


class ServerStates(FaultCase):
    """Case 16: LOADING/BUSY/MASTERDOWN are waited out with jittered backoff within the retry
    budget, then reported clearly; the command was never run, so retrying is always safe."""

    def test_loading_then_ready_succeeds(self):
        handler = CountingHandler(lambda cmd, n: enc(Err("LOADING Redis is loading the dataset in memory"))
                                  if n < 2 else b":-1\r\n")
        server = self.fake(handler)
        out, data = rctl_json("cache", "ttl", "k", "-p", server.port)
        self.assertExit(out, 0)
        self.assertIsNone(data["ttl_ms"])
        self.assertEqual(handler.count(b"PTTL"), 3)

    def test_loading_for_good_fails_after_the_budget(self):
        handler = CountingHandler(lambda cmd, n: enc(Err("LOADING Redis is loading the dataset in memory")))
        server = self.fake(handler)
        out, data = self.assertJsonError(["cache", "ttl", "k", "-p", server.port], 6, "server",
                                         "server is loading its dataset: gave up after 4 retries")
        self.assertIn("--retries", data["error"]["hint"])
        self.assertEqual(handler.count(b"PTTL"), 4)
        self.assertTableError(["cache", "get", "k", "-p", server.port, "--retries", "5"], 6,
                              "server is loading its dataset: gave up after 6 retries")

    def test_masterdown_and_busy_are_waited_out(self):
        for error, state in (("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
                              "replica has lost its primary"),
                             ("BUSY Redis is busy running a script.", "server is busy running a script")):
            with self.subTest(state):
                handler = CountingHandler(lambda cmd, n, e=error: enc(Err(e)) if n < 1 else b":-1\r\n")
                server = self.fake(handler)
                out, _ = rctl_json("cache", "ttl", "k", "-p", server.port)
                self.assertExit(out, 0)
                handler = CountingHandler(lambda cmd, n, e=error: enc(Err(e)))
                server = self.fake(handler)
                self.assertJsonError(["cache", "ttl", "k", "-p", server.port], 6, "server", state)

    def test_health_reports_a_loading_server_as_critical(self):
        loading = info_text({"redis_version": "7.0.15", "role": "master", "cluster_enabled": "0", "loading": "1",
                             "loading_loaded_perc": "42.50"})
        server = self.fake(CountingHandler(
            lambda cmd, n: enc(Err("LOADING Redis is loading the dataset in memory"))), info=loading, own=(b"PING",))
        out, data = rctl_json("health", "-p", server.port)
        self.assertExit(out, 1)
        checks = {c["name"]: c for c in data["checks"]}
        self.assertEqual(checks["loading"]["status"], "critical")
        self.assertIn("42.50% done", checks["loading"]["message"])
        out = rctl("health", "-o", "nagios", "-p", server.port)
        self.assertExit(out, 2)
        # LOADING clears by itself: --wait waits it out (unlike NOPERM, see test_exit_codes).
        start = time.monotonic()
        out = rctl("health", "-p", server.port, "--wait", "1200ms")
        self.assertExit(out, 1)
        self.assertGreaterEqual(time.monotonic() - start, 1.1)
        self.assertIn("waiting (2)", out.stderr)

    def test_real_server_busy_with_a_script(self):
        server = RedisServer(args=["--busy-reply-threshold", "50"])
        self.cleanups.append(server.close)
        r = redis.Redis(port=server.port)
        r.set("k", "v")
        script = threading.Thread(target=_run_forever_script, args=(server.port,), daemon=True)
        script.start()
        try:
            _wait_busy(server.port)
            out, data = self.assertJsonError(["cache", "get", "k", "-p", server.port], 6, "server",
                                             "server is busy running a script")
        finally:
            redis.Redis(port=server.port).script_kill()
            script.join(10)
        out, data = rctl_json("cache", "get", "k", "-p", server.port)
        self.assertExit(out, 0)


def _run_forever_script(port):
    try:
        redis.Redis(port=port, socket_timeout=60).eval("while true do end", 0)
    except redis.exceptions.ResponseError:
        pass  # killed by SCRIPT KILL


def _wait_busy(port):
    r = redis.Redis(port=port)
    for _ in range(200):
        try:
            r.get("probe")
        except redis.exceptions.BusyLoadingError:
            return
        except redis.exceptions.ResponseError as e:
            if "BUSY" in str(e):
                return
        threading.Event().wait(0.02)
    raise AssertionError("the script never made the server busy")


class ServerVariants(FaultCase):
    """Cases 34, 35, 37: odd SCAN pages, KEYS disabled, a server without UNLINK."""

    def test_scan_duplicates_and_empty_pages(self):
        """Case 34: SCAN may return a key twice and pages with no keys before cursor 0: the
        walk continues to cursor 0, and deletes count only keys that existed."""
        keys = {b"p:a", b"p:b", b"p:c"}
        pages = {b"0": (b"17", []), b"17": (b"29", [b"p:a", b"p:b"]), b"29": (b"31", []),
                 b"31": (b"0", [b"p:b", b"p:c", b"p:a"])}
        lock = threading.Lock()

        def answer(cmd, n):
            if cmd[0] == b"SCAN":
                cursor, page = pages[cmd[1]]
                return enc([cursor, page])
            with lock:
                if cmd[0] == b"UNLINK":
                    gone = [k for k in cmd[1:] if k in keys]
                    keys.difference_update(gone)
                    return enc(len(gone))
                if cmd[0] in (b"TYPE",):
                    return enc(Simple("string"))
                if cmd[0] in (b"PTTL",):
                    return enc(-1)
                if cmd[0] in (b"STRLEN", b"MEMORY"):
                    return enc(1)
            return enc(Err("ERR unexpected"))
        handler = CountingHandler(answer)
        server = self.fake(handler)
        out, data = rctl_json("cache", "keys", "p:", "-p", server.port)
        self.assertExit(out, 0)
        self.assertEqual([k["key"] for k in data["keys"]], ["p:a", "p:b", "p:c"])
        out, data = rctl_json("cache", "invalidate", "p:", "--yes", "-p", server.port)
        self.assertExit(out, 0)
        self.assertTrue(data["complete"])
        self.assertEqual(data["deleted"], 3)
        self.assertEqual(keys, set())
        self.assertEqual(handler.count(b"SCAN"), 4 + 4)

    def test_everything_works_without_keys(self):
        """Case 35: KEYS renamed away and denied by ACL; rctl only ever SCANs."""
        server = RedisServer(args=["--rename-command", "KEYS", ""],
                             acl=["ops on >pw ~* +@all -keys"])
        self.cleanups.append(server.close)
        r = redis.Redis(port=server.port)
        for i in range(50):
            r.set(f"p:{i}", i)
        r.set("other", 1)
        auth = ["-u", f"redis://ops:pw@127.0.0.1:{server.port}", "--no-auth-warning"]
        for args, code in ((["health"], 0), (["stats"], 0), (["cache", "get", "p:1"], 0), (["cache", "keys", "p:"], 0),
                           (["cache", "invalidate", "p:", "--dry-run"], 0), (["cache", "invalidate", "p:", "--yes"], 0)):
            out, data = rctl_json(*args, *auth)
            self.assertExit(out, code)
        self.assertEqual(r.dbsize(), 1)

    def test_server_without_unlink_falls_back_to_del(self):
        """Case 37: UNLINK unknown (renamed away, as on Redis < 4.0): DEL, with the fact reported."""
        server = RedisServer(args=["--rename-command", "UNLINK", ""])
        self.cleanups.append(server.close)
        r = redis.Redis(port=server.port)
        for i in range(300):
            r.set(f"p:{i}", i)
        r.set("a", 1)
        r.set("keep", 1)
        out, data = rctl_json("cache", "invalidate", "p:", "--yes", "--batch", "50", "-p", server.port)
        self.assertExit(out, 0)
        self.assertTrue(data["used_del"])
        self.assertEqual(data["deleted"], 300)
        out, data = rctl_json("cache", "del", "a", "-p", server.port)
        self.assertExit(out, 0)
        self.assertEqual(r.keys("*"), [b"keep"])


class ClusterRedirects(FaultCase):
    """Cases 17-18 with fake cluster nodes."""

    def cluster(self, handler):
        c = FakeCluster(handler)
        self.cleanups.append(c.close)
        return c

    def test_moved_loop_gives_up_naming_the_loop(self):
        holder = {}

        def handler(index, cmd, peer):
            other = holder["c"].ports[1 - index]
            peer.send(enc(Err(f"MOVED 7629 127.0.0.1:{other}")))
        c = holder["c"] = self.cluster(handler)
        out, data = self.assertJsonError(["cache", "ttl", "k", "-p", c.ports[0]], 6, "server",
                                         "gave up after 6 redirects for slot 7629")
        message = data["error"]["message"]
        self.assertIn(f"MOVED 127.0.0.1:{c.ports[1]} -> MOVED 127.0.0.1:{c.ports[0]}", message)
        self.assertIn("resharding or failover", data["error"]["hint"])
        # Bounded: one attempt per hop, spread over both nodes; the map was refreshed.
        self.assertEqual(len(c.commands(b"PTTL")), 6)
        self.assertGreaterEqual(c.shards_calls, 2)

    def test_ask_sends_asking_then_the_command_on_the_target(self):
        holder = {"asking": set()}

        def handler(index, cmd, peer):
            if index == 0:
                return peer.send(enc(Err(f"ASK 7629 127.0.0.1:{holder['c'].ports[1]}")))
            if cmd[0] == b"ASKING":
                holder["asking"].add(id(peer))
                return peer.send(enc(Simple("OK")))
            ok = id(peer) in holder["asking"]
            holder["asking"].discard(id(peer))
            peer.send(b":-1\r\n" if ok else enc(Err("MOVED 7629 127.0.0.1:%d" % holder["c"].ports[0])))
        c = holder["c"] = self.cluster(handler)
        out, data = rctl_json("cache", "ttl", "k", "-p", c.ports[0])
        self.assertExit(out, 0)
        on_target = [cmd[0] for i, cmd in c.seen if i == 1]
        self.assertEqual(on_target, [b"ASKING", b"PTTL"])

    def test_clusterdown_backs_off_refreshes_then_fails(self):
        c = self.cluster(lambda index, cmd, peer: peer.send(enc(Err("CLUSTERDOWN The cluster is down"))))
        out, data = self.assertJsonError(["cache", "ttl", "k", "-p", c.ports[0]], 6, "server",
                                         "gave up after 4 retries for slot 7629")
        self.assertIn("last: CLUSTERDOWN The cluster is down", data["error"]["message"])
        self.assertEqual(len(c.commands(b"PTTL")), 4)
        self.assertGreaterEqual(c.shards_calls, 1 + 3)  # discovery, then a refresh per backoff

    def test_tryagain_then_success(self):
        counts = {"n": 0}

        def handler(index, cmd, peer):
            counts["n"] += 1
            peer.send(enc(Err("TRYAGAIN Multiple keys request during rehashing of slot")) if counts["n"] <= 2
                      else b":-1\r\n")
        c = self.cluster(handler)
        out, data = rctl_json("cache", "ttl", "k", "-p", c.ports[0])
        self.assertExit(out, 0)
        self.assertEqual(len(c.commands(b"PTTL")), 3)


if __name__ == "__main__":
    unittest.main()
