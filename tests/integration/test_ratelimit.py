"""rctl ratelimit list/show/reset against real servers, agreeing with a real Flask-Limiter 3.3
app (peers/flask_limiter_app.py) and reading hand-rolled and limits >= 3.7 layouts."""

import os
import sys
import time
import unittest


from harness import ServerTestCase, rctl, rctl_json

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "peers"))
import flask_limiter_app as peer  # noqa: E402

IP = "10.1.2.3"
OTHER = "10.9.9.9"


def by_key(data):
    return {row["key"]: row for row in data["limiters"]}


class FlaskLimiterInterop(ServerTestCase):
    """The numbers rctl reports are the numbers the app's X-RateLimit-* headers report."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app = peer.create_app(f"redis://127.0.0.1:{cls.server.port}")

    def setUp(self):
        super().setUp()
        self.client = peer.Client(self.app, IP)

    def rl(self, *args, **kw):
        return rctl_json("ratelimit", *args, "-p", self.server.port, **kw)

    def test_list_agrees_with_the_app_on_fixed_and_moving_windows(self):
        for _ in range(3):
            _, fixed_remaining, fixed_reset = self.client.get("fixed")
        _, moving_remaining, moving_reset = self.client.get("moving")
        peer.Client(self.app, OTHER).get("fixed")
        out, data = self.rl("list")
        self.assertExit(out, 0)
        rows = by_key(data)
        fixed = rows[peer.key_for(IP, "fixed")]
        self.assertEqual(fixed["remaining"], fixed_remaining)
        self.assertEqual(fixed_remaining, 2)
        self.assertEqual(fixed["used"], 3)
        self.assertEqual((fixed["identity"], fixed["scope"]), (IP, "fixed_view"))
        self.assertEqual(fixed["limit"]["amount"], 5)
        self.assertEqual(fixed["limit"]["window_seconds"], 60)
        self.assertEqual(fixed["limit_source"], "key")
        self.assertEqual((fixed["layout"], fixed["strategy"]), ("limits", "fixed-window"))
        # The header is int(now + TTL in whole seconds) + 1; rctl uses the TTL in ms.
        self.assertLessEqual(abs(fixed["reset_at"] - (fixed_reset - 1)), 2)
        moving = rows[peer.key_for(IP, "moving")]
        self.assertEqual(moving["remaining"], moving_remaining)
        self.assertEqual(moving_remaining, 2)
        self.assertEqual(moving["strategy"], "moving-window")
        self.assertEqual(moving["limit"]["window_seconds"], 600)
        # limits 2.x's moving-window reset comes from the stored times: exactly the header's.
        self.assertEqual(int(moving["reset_at"]) + 1, moving_reset)
        self.assertEqual(rows[peer.key_for(OTHER, "fixed")]["remaining"], 4)
        # Most used first: 3 of 5 before 1 of 3 before 1 of 5.
        self.assertEqual([row["key"] for row in data["limiters"]],
                         [peer.key_for(IP, "fixed"), peer.key_for(IP, "moving"), peer.key_for(OTHER, "fixed")])
        self.assertEqual(data["limiters_total"], 3)
        self.assertFalse(data["truncated"])

    def test_show_agrees_while_the_app_refuses(self):
        statuses = [self.client.get("moving") for _ in range(4)]
        self.assertEqual([s[0] for s in statuses], [200, 200, 200, 429])
        out, data = self.rl("show", peer.key_for(IP, "moving"))
        self.assertExit(out, 0)
        self.assertEqual(data["remaining"], statuses[-1][1])
        self.assertEqual(data["remaining"], 0)
        self.assertEqual(data["used"], 3)
        self.assertEqual(int(data["reset_at"]) + 1, statuses[-1][2])
        self.assertGreater(data["retry_after_ms"], 590_000)  # the oldest hit leaves in ~10 minutes
        self.assertEqual(data["entries_total"], 3)
        self.assertEqual(len(data["entries"]), 3)
        self.assertTrue(all(e["in_window"] for e in data["entries"]))
        stored = [float(x) for x in self.r.lrange(peer.key_for(IP, "moving"), 0, -1)]
        self.assertEqual([e["timestamp"] for e in data["entries"]], stored)
        for _ in range(6):
            status, remaining, _ = self.client.get("fixed")
        self.assertEqual(status, 429)
        out, data = self.rl("show", peer.key_for(IP, "fixed"))
        self.assertEqual(data["remaining"], remaining)
        self.assertEqual(data["state"]["count"], 6)  # refused hits count too (limits' INCRBY)
        self.assertGreater(data["retry_after_ms"], 0)
        table = rctl("ratelimit", "show", peer.key_for(IP, "fixed"), "-p", self.server.port)
        self.assertExit(table, 0)
        self.assertIn("fixed_view", table.stdout)
        self.assertIn("allowed in", table.stdout)

    def test_reset_client_lets_the_app_allow_again(self):
        for _ in range(6):
            self.client.get("fixed")
        for _ in range(4):
            self.client.get("moving")
        other = peer.Client(self.app, OTHER)
        other.get("fixed")
        self.assertEqual(self.client.get("fixed")[0], 429)
        out, data = self.rl("reset", "--client", IP, "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(data["keys_count"], 2)
        self.assertEqual(data["keys_deleted"], 0)
        self.assertEqual(self.r.exists(peer.key_for(IP, "fixed")), 1)
        # Not a terminal and no --yes: refused, nothing changed.
        refused = rctl("ratelimit", "reset", "--client", IP, "-p", self.server.port)
        self.assertExit(refused, 2)
        self.assertOneLineError(refused, "without confirmation")
        self.assertEqual(self.r.exists(peer.key_for(IP, "fixed"), peer.key_for(IP, "moving")), 2)
        out, data = self.rl("reset", "--client", IP, "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["keys_deleted"], 2)
        self.assertEqual(sorted(row["scope"] for row in data["limiters"]), ["fixed_view", "moving_view"])
        self.assertEqual(self.client.get("fixed")[:2], (200, 4))
        self.assertEqual(self.client.get("moving")[:2], (200, 2))
        self.assertEqual(int(self.r.get(peer.key_for(OTHER, "fixed"))), 1)  # another client: untouched

    def test_reset_named_keys(self):
        self.client.get("fixed")
        out, data = self.rl("reset", peer.key_for(IP, "fixed"), "no-such-key", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["keys_deleted"], 1)
        self.assertEqual(data["missing"], ["no-such-key"])
        out, data = self.rl("reset", peer.key_for(IP, "fixed"), "--yes")
        self.assertExit(out, 5)
        self.assertEqual(data["error"]["kind"], "not_found")

    def test_probe_on_the_apps_key_consumes_budget_the_app_reports(self):
        self.client.get("fixed")
        key = peer.key_for(IP, "fixed")
        out, data = self.rl("probe", "--key", key, "--hits", "2", "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(data["probes"][0]["allowed"], 2)
        self.assertEqual(int(self.r.get(key)), 1)  # a dry run consumes nothing
        out, data = self.rl("probe", "--key", key, "--hits", "2")
        self.assertExit(out, 0)
        probe = data["probes"][0]
        self.assertEqual((probe["strategy"], probe["scratch"]), ("fixed", False))
        self.assertEqual((probe["expected_allowed"], probe["allowed"], probe["verdict"]), (2, 2, "pass"))
        self.assertIsNone(probe["cleanup"])
        self.assertEqual(self.client.get("fixed")[:2], (200, 1))  # 5 - 1 - 2 - 1
        # The moving window: 3 allowed, the probe takes what is left and the app is refused.
        self.client.get("moving")
        out, data = self.rl("probe", "--key", peer.key_for(IP, "moving"), "--hits", "4", "--concurrency", "4")
        self.assertExit(out, 0)
        probe = data["probes"][0]
        self.assertEqual((probe["strategy"], probe["expected_allowed"], probe["allowed"], probe["denied"]),
                         ("moving", 2, 2, 2))
        self.assertEqual(self.client.get("moving")[:2], (429, 0))
        entries = self.r.lrange(peer.key_for(IP, "moving"), 0, -1)
        self.assertEqual(len(entries), 3)
        for e in entries:
            self.assertAlmostEqual(float(e), time.time(), delta=600)

    def test_probe_key_refuses_a_mismatched_limit(self):
        self.client.get("fixed")
        out, data = self.rl("probe", "--key", peer.key_for(IP, "fixed"), "--limit", "10/minute")
        self.assertExit(out, 2)
        self.assertIn("does not match", data["error"]["message"])
        self.assertEqual(int(self.r.get(peer.key_for(IP, "fixed"))), 1)

    def test_storage_url_from_the_environment(self):
        self.client.get("fixed")
        env = {"RATE_LIMIT_STORAGE_URL": f"redis://127.0.0.1:{self.server.port}", "REDIS_URL": "redis://127.0.0.1:1"}
        out, data = rctl_json("ratelimit", "list", env=env)
        self.assertExit(out, 0)
        self.assertEqual(len(data["limiters"]), 1)


class OtherLayouts(ServerTestCase):
    """Hand-rolled limiters written with redis-py, limits >= 3.7 shapes written by hand, redis-cell."""

    def rl(self, *args):
        return rctl_json("ratelimit", *args, "-p", self.server.port)

    def test_incr_counters_by_pattern(self):
        minute = int(time.time() // 60)
        for user, hits in (("alice", 7), ("bob", 2)):
            for _ in range(hits):
                if self.r.incr(f"rate:{user}:{minute}") == 1:
                    self.r.expire(f"rate:{user}:{minute}", 60)
        self.r.set("rate:config", "not a counter")
        self.r.hset("rate:hash", "a", 1)
        out, data = self.rl("list", "--pattern", "rate:*", "--limit", "5/minute")
        self.assertExit(out, 0)
        rows = data["limiters"]
        self.assertEqual([r["key"] for r in rows], [f"rate:alice:{minute}", f"rate:bob:{minute}"])
        self.assertEqual([(r["used"], r["remaining"]) for r in rows], [(7, 0), (2, 3)])
        self.assertEqual(rows[0]["layout"], "counter")
        self.assertEqual(rows[0]["limit_source"], "--limit")
        self.assertIsNone(rows[0]["identity"])
        self.assertEqual(data["skipped"], 2)
        self.assertLessEqual(rows[0]["retry_after_ms"], 60000)
        self.assertGreater(rows[0]["retry_after_ms"], 0)
        out, data = self.rl("list", "--pattern", "rate:*")  # no limit: counts only
        self.assertEqual([(r["used"], r["remaining"]) for r in data["limiters"]], [(7, None), (2, None)])
        out, data = self.rl("list", "--pattern", "rate:*", "--client", "bob", "--limit", "5/minute")
        self.assertEqual([r["key"] for r in data["limiters"]], [f"rate:bob:{minute}"])

    def test_sorted_set_logs_in_ms_and_seconds(self):
        now = time.time()
        self.r.zadd("log:{carol}", {f"req{i}": (now - age) * 1000 for i, age in enumerate((1, 2, 30, 70, 90))})
        self.r.zadd("log:{dave}", {f"req{i}": now - age for i, age in enumerate((1, 2, 3, 4, 5, 6))})
        out, data = self.rl("show", "log:{carol}", "--limit", "5/minute")
        self.assertExit(out, 0)
        self.assertEqual((data["layout"], data["strategy"]), ("zset-log", "sliding-log"))
        self.assertEqual((data["used"], data["remaining"], data["retry_after_ms"]), (3, 2, 0))
        self.assertEqual(data["entries_total"], 5)
        self.assertEqual([e["value"] for e in data["entries"]], ["req0", "req1", "req2", "req3", "req4"])
        self.assertEqual([e["in_window"] for e in data["entries"]], [True, True, True, False, False])
        self.assertAlmostEqual(data["entries"][0]["timestamp"], now - 1, delta=0.01)
        # More members in the window than the limit: counted exactly (ZCOUNT), retry when the
        # 3rd newest leaves the window (after ~57 s).
        out, data = self.rl("show", "log:{dave}", "--limit", "3/minute", "--entries", "2")
        self.assertEqual((data["used"], data["remaining"]), (6, 0))
        self.assertEqual(len(data["entries"]), 2)
        self.assertTrue(data["entries_truncated"])
        self.assertGreater(data["retry_after_ms"], 50000)
        self.assertLessEqual(data["retry_after_ms"], 57000)

    def test_limits_3_7_shapes(self):
        now = time.time()
        self.r.set("LIMITS:LIMITER/10.0.0.7/api/10/1/minute", 4, px=50000)
        self.r.rpush("LIMITS:LIMITER/10.0.0.7/feed/3/1/minute", repr(now - 2.5), repr(now - 20.25))
        self.r.expire("LIMITS:LIMITER/10.0.0.7/feed/3/1/minute", 60)
        self.r.set("LIMITS:{LIMITER/10.0.0.7/search/5/1/minute}", 2, px=100000)
        self.r.set("LIMITS:{LIMITER/10.0.0.7/search/5/1/minute}/-1", 4, px=40000)
        self.r.set("LIMITS:LIMITER/10.0.0.8/api/10/1/minute", 1, px=50000)
        out, data = self.rl("list")
        self.assertExit(out, 0)
        rows = by_key(data)
        self.assertEqual(len(rows), 4)  # the sliding pair is one limiter
        api = rows["LIMITS:LIMITER/10.0.0.7/api/10/1/minute"]
        self.assertEqual((api["layout"], api["strategy"], api["remaining"]), ("limits-prefixed", "fixed-window", 6))
        feed = rows["LIMITS:LIMITER/10.0.0.7/feed/3/1/minute"]
        self.assertEqual((feed["strategy"], feed["used"], feed["remaining"]), ("moving-window", 2, 1))
        # limits >= 3.10: reset = the oldest entry counted + window.
        self.assertAlmostEqual(feed["reset_at"], now - 20.25 + 60, delta=0.002)
        search = rows["LIMITS:{LIMITER/10.0.0.7/search/5/1/minute}"]
        self.assertEqual((search["layout"], search["strategy"]), ("limits-sliding", "sliding-window-counter"))
        self.assertEqual(search["previous_key"], "LIMITS:{LIMITER/10.0.0.7/search/5/1/minute}/-1")
        # floor(4 * ~40000 / 60000) + 2
        self.assertEqual((search["used"], search["remaining"]), (4, 1))
        out, data = self.rl("show", "LIMITS:{LIMITER/10.0.0.7/search/5/1/minute}/-1")
        self.assertEqual(data["key"], "LIMITS:{LIMITER/10.0.0.7/search/5/1/minute}")
        self.assertEqual((data["state"]["previous_count"], data["state"]["current_count"]), (4, 2))
        self.assertEqual(self.r.get("LIMITS:{LIMITER/10.0.0.7/search/5/1/minute}/-1"), b"4")  # reading wrote nothing
        out = rctl("ratelimit", "reset", "--client", "10.0.0.7", "--yes", "-p", self.server.port)
        self.assertExit(out, 0)
        self.assertEqual(self.r.keys("LIMITS:*"), [b"LIMITS:LIMITER/10.0.0.8/api/10/1/minute"])

    def test_long_moving_windows_are_read_in_chunks(self):
        # Each 150000/day window may hold 100000 entries to read: three of them take two rounds.
        now = time.time()
        for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            key = f"LIMITER/{ip}/bulk/150000/1/day"
            self.r.lpush(key, *[repr(now - 100 + i) for i in range(5)])
            self.r.expire(key, 86400)
        out, data = self.rl("list")
        self.assertExit(out, 0)
        self.assertEqual([(r["used"], r["remaining"]) for r in data["limiters"]], [(5, 149995)] * 3)

    def test_redis_cell_tat(self):
        tat_ns = time.time_ns() + 150 * 10**9
        self.r.set("cell:user7", tat_ns, px=150000)
        # 1 per minute, burst 4 (limit 5): 150 s of TAT leave floor((300 - 150) / 60) = 2.
        out, data = self.rl("show", "cell:user7", "--limit", "1/minute", "--burst", "4")
        self.assertExit(out, 0)
        self.assertEqual((data["layout"], data["strategy"]), ("redis-cell", "gcra"))
        self.assertEqual((data["remaining"], data["used"], data["max_burst"]), (2, 3, 4))
        self.assertEqual(data["state"]["tat_ns"], tat_ns)
        self.assertEqual(data["retry_after_ms"], 0)
        out, data = self.rl("show", "cell:user7")
        self.assertIsNone(data["remaining"])

    def test_escapes_never_reach_the_terminal(self):
        self.r.set("LIMITER/\x1b[31mevil/view/5/1/minute", 1, ex=60)
        out = rctl("ratelimit", "list", "-p", self.server.port)
        self.assertExit(out, 0)
        self.assertNotIn("\x1b", out.stdout)
        self.assertIn("\\x1b[31mevil", out.stdout)


class BadInput(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.r.hset("h", "a", 1)
        self.r.set("LIMITER/x/view/5/1/minute", 2, ex=60)

    def check_usage(self, *args, fragment):
        out, data = rctl_json("ratelimit", *args, "-p", self.server.port)
        self.assertExit(out, 2)
        self.assertEqual(data["error"]["kind"], "usage")
        self.assertIn(fragment, data["error"]["message"])
        self.assertEqual(self.r.dbsize(), 2)
        self.assertEqual(self.r.get("LIMITER/x/view/5/1/minute"), b"2")

    def test_usage_errors_change_nothing(self):
        self.check_usage("list", "--limit", "junk", fragment="invalid --limit 'junk'")
        self.check_usage("list", "--limit", "1/second;5/minute", fragment="holds 2 limits")
        self.check_usage("list", "--burst", "3", fragment="--burst needs --limit")
        self.check_usage("show", "h", fragment="is a hash")
        self.check_usage("reset", "h", "--yes", fragment="is a hash")
        self.check_usage("reset", "LIMITER/x/view/5/1/minute", "--client", "x", "--yes", fragment="one of them")
        self.check_usage("reset", "--yes", fragment="one of them")
        self.check_usage("reset", "LIMITER/x/view/5/1/minute", "--pattern", "x*", "--yes", fragment="--pattern")
        self.check_usage("probe", "--strategy", "fixed", fragment="--limit is required")
        self.check_usage("probe", "--limit", "5/minute", fragment="--strategy is required")
        self.check_usage("probe", "--limit", "5/minute", "--strategy", "leaky", fragment="invalid --strategy")
        self.check_usage("probe", "--limit", "5/minute", "--strategy", "fixed", "--dry-run", "--concurrency", "4",
                         fragment="--concurrency")
        self.check_usage("probe", "--key", "h", "--limit", "5/minute", fragment="is a hash")
        self.check_usage("probe", "--key", "LIMITER/x/view/5/1/minute", "--strategy", "moving",
                         fragment="is a string")
        self.check_usage("probe", "--key", "plain", "--limit", "5/minute", "--strategy", "sliding",
                         fragment="different cluster slots")
        self.check_usage("probe", "--key", "plain", "--limit", "5/minute;1/hour", fragment="one limit")
        out = rctl("ratelimit", "list", "-o", "prometheus", "-p", self.server.port)
        self.assertExit(out, 2)
        self.assertOneLineError(out, "does not support -o prometheus")

    def test_not_found(self):
        out, data = rctl_json("ratelimit", "show", "LIMITER/y/view/5/1/minute", "-p", self.server.port)
        self.assertExit(out, 5)
        self.assertEqual(data["error"]["kind"], "not_found")
        out, data = rctl_json("ratelimit", "reset", "--client", "nobody", "--yes", "-p", self.server.port)
        self.assertExit(out, 5)

    def test_a_refused_read_fails_the_list_with_exit_4(self):
        for i in range(3000):  # several SCAN batches, so that one is in flight when a read fails
            self.r.set(f"LIMITER/c{i}/view/5/1/minute", 1, ex=60)
        self.r.execute_command("ACL", "SETUSER", "notype", "on", ">pw", "~*", "+@all", "-type")
        out = rctl("ratelimit", "list", "-u", f"redis://notype:pw@127.0.0.1:{self.server.port}", "--no-auth-warning")
        self.assertExit(out, 4)
        self.assertOneLineError(out, "NOPERM")
        self.assertIn("misses that node's keys", out.stderr)

    def test_unreachable_server(self):
        out, data = rctl_json("ratelimit", "list", "-p", "1")
        self.assertExit(out, 3)
        self.assertEqual(data["error"]["kind"], "connect")


if __name__ == "__main__":
    unittest.main()
