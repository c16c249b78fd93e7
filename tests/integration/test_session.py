"""rctl session list/show/stats/revoke against real servers and a real Flask-Session app.

The peer (peers/flask_session_app.py) is Debian's Flask 2.2 + Flask-Session 0.3.2: its
sessions are pickles under session:<uuid> with SETEX. The Flask-Session 0.7 msgpack/JSON
layouts, Django cache sessions (python3-django is not a dependency), starsessions and
JSON session records are written byte for byte as reference/formats.md §2 describes.
"""

import base64
import json
import os
import pickle
import secrets
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import msgpack
import redis

from harness import RCTL, RctlTestCase, RedisCluster, RedisServer, ServerTestCase, rctl, rctl_json
from peers.flask_session_app import RICH_VALUES, make_app, session_cookie

FLASK_LIFETIME_MS = 31 * 24 * 3600 * 1000  # Flask's default PERMANENT_SESSION_LIFETIME
DJANGO_AGE_S = 1209600                       # Django's SESSION_COOKIE_AGE


def token_sid():
    """A Flask-Session >= 0.6 style id that does not start with '-' (those need '--' on a
    command line; test_ids_starting_with_a_dash covers them)."""
    while True:
        sid = secrets.token_urlsafe(32)
        if not sid.startswith("-"):
            return sid


def django_key():
    return ":1:django.contrib.sessions.cache" + "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                                          for _ in range(32))


class SessionTests(ServerTestCase):
    """Runs against a standalone server; SessionCluster runs the same against a cluster."""

    def target(self):
        return ["-u", f"redis://127.0.0.1:{self.server.port}"]

    def session(self, *args, **kw):
        return rctl("session", *args, *self.target(), **kw)

    def session_json(self, *args, **kw):
        return rctl_json("session", *args, *self.target(), **kw)

    def login(self, app, user_id):
        """A new browser (test client) that logs in; returns (client, cookie value)."""
        client = app.test_client()
        response = client.post(f"/login/{user_id}")
        self.assertEqual(response.status_code, 200)
        return client, session_cookie(response)

    # -- show ------------------------------------------------------------------------------

    def test_show_reports_exactly_what_the_app_stored(self):
        app = make_app(self.r)
        client, sid = self.login(app, 42)
        seen_by_app = client.get("/whoami").get_json()
        self.assertEqual(seen_by_app["user_id"], 42)
        out, data = self.session_json("show", sid, "--reveal")
        self.assertExit(out, 0)
        self.assertEqual(data["data"], seen_by_app)
        self.assertEqual(data["id"], sid)
        self.assertEqual(data["key"], "session:" + sid)
        self.assertEqual(data["format"], "pickle")
        self.assertEqual(data["store"], "flask_session")
        self.assertEqual(data["user"], "42")
        self.assertEqual(data["user_field"], "user_id")
        self.assertEqual(data["size_bytes"], len(self.r.get("session:" + sid)))
        self.assertGreater(data["ttl_ms"], FLASK_LIFETIME_MS - 600000)
        self.assertLessEqual(data["ttl_ms"], FLASK_LIFETIME_MS)
        self.assertTrue(data["revealed"])
        self.assertEqual(data["masked"], [])
        self.assertIsNone(data["cookie"])

    def test_secrets_are_masked_unless_revealed(self):
        app = make_app(self.r)
        client, sid = self.login(app, 42)
        out, data = self.session_json("show", sid)
        self.assertExit(out, 0)
        self.assertEqual(data["masked"], ["csrf_token", "oauth.access_token"])
        self.assertEqual(data["data"]["csrf_token"], "****")
        self.assertEqual(data["data"]["oauth"], {"access_token": "****", "scope": "email"})
        self.assertEqual(data["data"]["name"], RICH_VALUES["name"])
        for secret in (RICH_VALUES["csrf_token"], RICH_VALUES["oauth"]["access_token"]):
            self.assertNoSecret(out, secret)
        table = self.session("show", sid)
        self.assertExit(table, 0)
        self.assertNoSecret(table, RICH_VALUES["csrf_token"])
        self.assertIn("--reveal", table.stdout)
        revealed = self.session("show", sid, "--reveal")
        self.assertIn(RICH_VALUES["csrf_token"], revealed.stdout)

    def test_show_by_unsigned_cookie(self):
        app = make_app(self.r)
        _, cookie = self.login(app, 5)
        out, data = self.session_json("show", "--cookie", cookie)
        self.assertExit(out, 0)
        self.assertEqual(data["id"], cookie)
        self.assertEqual(data["cookie"], {"signed": False, "signature_valid": False})

    def test_show_by_signed_cookie_verifies_with_the_app_secret(self):
        secret = "app-Secret-" + secrets.token_hex(8)
        app = make_app(self.r, use_signer=True, secret_key=secret)
        client, cookie = self.login(app, 77)
        sid, _, signature = cookie.rpartition(".")
        self.assertTrue(signature)
        env = {"APP_SECRET": secret}
        out, data = self.session_json("show", "--cookie", cookie, "--secret-env", "APP_SECRET", env=env)
        self.assertExit(out, 0)
        self.assertEqual(data["id"], sid)
        self.assertEqual(data["user"], "77")
        self.assertEqual(data["cookie"], {"signed": True, "signature_valid": True})
        self.assertNoSecret(out, secret)

        gets_before = self.get_calls()
        # Wrong secret, altered signature, altered sid: failed checks (exit 1), and no lookup.
        # (The signature's last character also carries 4 unused bits, which itsdangerous
        # ignores too, so a character in the middle is changed.)
        tampered = cookie[:-5] + ("A" if cookie[-5] != "A" else "B") + cookie[-4:]
        for bad_cookie, bad_env in ((cookie, {"APP_SECRET": secret + "x"}),
                                    (tampered, env),
                                    (("0" if sid[0] != "0" else "1") + cookie[1:], env),
                                    (sid, env)):
            out, data = self.session_json("show", "--cookie", bad_cookie, "--secret-env", "APP_SECRET", env=bad_env)
            self.assertExit(out, 1)
            self.assertEqual(data["error"]["kind"], "check_failed")
            self.assertOneLineError(out, "cookie")
        self.assertEqual(self.get_calls(), gets_before)

        # A signed cookie without a secret, or a secret variable that is not set: usage errors.
        out = self.session("show", "--cookie", cookie)
        self.assertExit(out, 2)
        self.assertOneLineError(out, "signed")
        out = self.session("show", "--cookie", cookie, "--secret-env", "NOT_SET_ANYWHERE")
        self.assertExit(out, 2)
        self.assertOneLineError(out, "NOT_SET_ANYWHERE")

        # A valid cookie whose session is gone: not found (exit 5).
        self.r.delete("session:" + sid)
        out, data = self.session_json("show", "--cookie", cookie, "--secret-env", "APP_SECRET", env=env)
        self.assertExit(out, 5)
        self.assertEqual(data["error"]["kind"], "not_found")

    def get_calls(self):
        stats = {}
        for n in self.nodes():
            for line in n.cli("INFO", "commandstats").splitlines():
                if line.startswith("cmdstat_get:"):
                    stats[n.port] = line
        return stats

    def nodes(self):
        return [self.server]

    def test_show_missing_and_bad_usage(self):
        out, data = self.session_json("show", "no-such-session")
        self.assertExit(out, 5)
        self.assertIn("session:no-such-session", data["error"]["hint"])
        for args in (("show",), ("show", "sid", "--cookie", "x"), ("show", "sid", "--secret-env", "X"),
                     ("show", "sid", "--prefix", ""), ("list", "--sort", "age"), ("list", "--limit", "0"),
                     ("revoke",), ("revoke", "sid", "--user", "1"), ("list", "--user", ""),
                     ("show", "--cookie", "session=abc")):
            out, data = self.session_json(*args)
            self.assertExit(out, 2, args)
            self.assertEqual(data["error"]["kind"], "usage", args)
        out = self.session("stats", "-o", "prometheus")
        self.assertExit(out, 2)

    def test_ids_starting_with_a_dash(self):
        sid = "-" + token_sid()
        self.r.set("session:" + sid, json.dumps({"user_id": 3}))
        out = rctl("-o", "json", *self.target(), "session", "show", "--", sid)
        self.assertExit(out, 0)
        self.assertEqual(json.loads(out.stdout)["id"], sid)
        out = rctl(*self.target(), "session", "revoke", "--yes", "--", sid)
        self.assertExit(out, 0)
        self.assertFalse(self.r.exists("session:" + sid))

    def test_untrusted_values_are_never_executed_or_printed_raw(self):
        marker = os.path.join(tempfile.mkdtemp(), "pwned")
        self.r.set("session:evil", b"cos\nsystem\n(S'touch " + marker.encode() + b"'\ntR.")
        self.r.set("session:esc\x1b[31m", pickle.dumps({"user_id": "x\x1b]0;title\x07", "note": "a\r\nb"}))
        out, data = self.session_json("show", "evil")
        self.assertExit(out, 0)
        self.assertFalse(os.path.exists(marker))
        self.assertEqual(data["data"]["$pickle"], "os.system")
        for args in (("list",), ("show", "esc\x1b[31m"), ("stats",)):
            out = self.session(*args)
            self.assertExit(out, 0, args)
            self.assertNotIn("\x1b", out.stdout)
            self.assertNotIn("\x07", out.stdout)
        self.assertFalse(os.path.exists(marker))

    # -- the other stores --------------------------------------------------------------------

    def test_flask_session_07_msgpack_and_json_layouts(self):
        stored = {"_permanent": True, "user_id": 9, "cart": [1, 2, 3], "theme": "dark", "ratio": 0.5,
                  "flags": {"beta": True, "none": None}, "blob": b"\x00\x01"}
        sid_m, sid_j = token_sid(), token_sid()
        # msgspec's msgpack of a dict is standard msgpack: str as str, bytes as bin.
        self.r.set("session:" + sid_m, msgpack.packb(stored, use_bin_type=True), ex=2678400)
        as_json = {k: v for k, v in stored.items() if k != "blob"}
        self.r.set("session:" + sid_j, json.dumps(as_json, separators=(",", ":")), ex=2678400)
        out, data = self.session_json("show", sid_m, "--reveal")
        self.assertExit(out, 0)
        self.assertEqual(data["format"], "msgpack")
        self.assertEqual(data["store"], "flask_session")
        expected = dict(stored, blob={"$bytes": base64.b64encode(b"\x00\x01").decode()})
        self.assertEqual(data["data"], expected)
        self.assertEqual(data["user"], "9")
        out, data = self.session_json("show", sid_j)
        self.assertEqual(data["format"], "json")
        self.assertEqual(data["data"], as_json)
        out, data = self.session_json("list", "--user", "9")
        self.assertEqual(sorted(s["id"] for s in data["sessions"]), sorted([sid_m, sid_j]))
        self.assertEqual({s["format"] for s in data["sessions"]}, {"msgpack", "json"})

    def test_json_session_records_under_a_custom_prefix(self):
        records = {}
        for i, user in enumerate(["u-1", "u-1", "u-2"]):
            sid = str(uuid.uuid4())
            records[sid] = {"user_id": user, "created_at": f"2026-03-0{i + 1}T10:00:00Z",
                            "last_activity": f"2026-03-0{i + 1}T11:00:00Z", "ip_address": "203.0.113.7",
                            "device": {"os": "iOS", "browser": "Safari"}, "api_token": "tok-SECRET"}
            self.r.set("myapp_session:" + sid, json.dumps(records[sid]), ex=3600 * (i + 1))
        self.r.set("session:" + str(uuid.uuid4()), pickle.dumps({"user_id": "u-1"}))  # other prefix: not listed
        out, data = self.session_json("list", "--prefix", "myapp_session:", "--sort", "ttl")
        self.assertExit(out, 0)
        self.assertEqual(data["matched"], 3)
        self.assertEqual(data["scan"]["pattern"], "myapp_session:*")
        self.assertEqual([s["ttl_ms"] // 3600000 for s in data["sessions"]], [0, 1, 2])
        for s in data["sessions"]:
            self.assertEqual(s["store"], "json_record")
            self.assertEqual(s["format"], "json")
            self.assertEqual(s["last_activity"], records[s["id"]]["last_activity"])
            self.assertEqual(s["user"], records[s["id"]]["user_id"])
        sid = data["sessions"][0]["id"]
        out, data = self.session_json("show", sid, "--prefix", "myapp_session:")
        self.assertExit(out, 0)
        self.assertEqual(data["data"]["device"], {"os": "iOS", "browser": "Safari"})
        self.assertEqual(data["data"]["api_token"], "****")
        self.assertNoSecret(out, "tok-SECRET")
        # A nested user field.
        self.r.set("myapp_session:nested", json.dumps({"user": {"id": 314}, "created_at": "x"}))
        out, data = self.session_json("list", "--prefix", "myapp_session:", "--user-field", "user.id", "--user", "314")
        self.assertEqual([s["id"] for s in data["sessions"]], ["nested"])
        self.assertEqual(data["sessions"][0]["user_field"], "user.id")

    def test_django_cache_sessions_and_starsessions(self):
        dj4, dj5 = django_key(), django_key()
        django_session = {"_auth_user_id": "7", "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                          "_auth_user_hash": "0f8e2d9c-HASH-SECRET", "cart": [3, 4]}
        # django-redis 5.2 pickles with DEFAULT_PROTOCOL (4); Django 4's RedisCache with HIGHEST (5).
        self.r.set(dj4, pickle.dumps(django_session, protocol=4), ex=DJANGO_AGE_S)
        self.r.set(dj5, pickle.dumps(dict(django_session, _auth_user_id="8"), protocol=5), ex=DJANGO_AGE_S)
        star = secrets.token_hex(16)
        self.r.set("starsessions." + star, json.dumps({"user_id": 7, "visits": 3}), ex=1209600)
        out, data = self.session_json("list", "--user", "7")
        self.assertExit(out, 0)
        by_id = {s["id"]: s for s in data["sessions"]}
        self.assertEqual(set(by_id), {dj4[len(":1:django.contrib.sessions.cache"):], star})
        self.assertEqual(by_id[star]["store"], "starsessions")
        dj_id = dj4[len(":1:django.contrib.sessions.cache"):]
        self.assertEqual(by_id[dj_id]["store"], "django")
        self.assertEqual(by_id[dj_id]["format"], "pickle")
        self.assertEqual(by_id[dj_id]["user_field"], "_auth_user_id")
        out, data = self.session_json("show", dj_id)
        self.assertExit(out, 0)
        self.assertEqual(data["data"]["_auth_user_hash"], "****")
        self.assertEqual(data["data"]["cart"], [3, 4])
        self.assertNoSecret(out, "HASH-SECRET")
        self.assertIn("pickle protocol 4", data["note"])
        out, data = self.session_json("show", dj5)  # a whole key works too
        self.assertEqual(data["user"], "8")
        self.assertIn("pickle protocol 5", data["note"])

    # -- list and stats --------------------------------------------------------------------

    def test_list_filters_sorts_and_limits(self):
        app = make_app(self.r)
        sids = {}
        for user in (1, 1, 2):
            _, sid = self.login(app, user)
            sids.setdefault(user, []).append(sid)
        self.r.set("session:big", pickle.dumps({"user_id": 3, "pad": "x" * 5000}), ex=60)
        self.r.set("session:forever", pickle.dumps({"user_id": 4}))
        self.r.hset("session:index", "a", "b")  # not a string: not a session
        out, data = self.session_json("list")
        self.assertExit(out, 0)
        self.assertEqual(data["matched"], 5)
        self.assertFalse(data["truncated"])
        self.assertTrue(data["complete"])
        self.assertEqual([s["id"] for s in data["sessions"]], sorted(s["id"] for s in data["sessions"]))
        self.assertEqual(sum(n["not_strings"] for n in data["scan"]["nodes"]), 1)
        out, data = self.session_json("list", "--user", "1")
        self.assertEqual(sorted(s["id"] for s in data["sessions"]), sorted(sids[1]))
        self.assertEqual({s["user"] for s in data["sessions"]}, {"1"})
        out, data = self.session_json("list", "--sort", "size", "--limit", "2")
        self.assertEqual(data["count"], 2)
        self.assertEqual(data["matched"], 5)
        self.assertTrue(data["truncated"])
        self.assertEqual(data["sessions"][0]["id"], "big")
        self.assertGreaterEqual(data["sessions"][0]["size_bytes"], data["sessions"][1]["size_bytes"])
        out, data = self.session_json("list", "--sort", "ttl")
        self.assertEqual(data["sessions"][0]["id"], "big")
        self.assertEqual(data["sessions"][-1]["id"], "forever")
        self.assertIsNone(data["sessions"][-1]["ttl_ms"])
        table = self.session("list", "--user", "2")
        self.assertExit(table, 0)
        self.assertIn(sids[2][0], table.stdout)
        self.assertNotIn(sids[1][0], table.stdout)

    def test_stats(self):
        app = make_app(self.r)
        for user in (1, 1, 1, 2, 2, 3):
            self.login(app, user)
        self.r.set(django_key(), pickle.dumps({"_auth_user_id": "2"}), ex=DJANGO_AGE_S)
        self.r.set("session:anon", msgpack.packb({"_permanent": True}), ex=30)
        self.r.set("session:noexp", json.dumps({"user_id": 1}))
        self.r.hset("session:index", "a", "b")
        out, data = self.session_json("stats")
        self.assertExit(out, 0)
        self.assertEqual(data["sessions"], 9)
        ttl = {b["range"]: b["sessions"] for b in data["ttl_histogram"]}
        self.assertEqual(ttl, {"< 1m": 1, "1m-1h": 0, "1h-1d": 0, "1d-7d": 0, "7d-30d": 1, ">= 30d": 6, "no expiry": 1})
        self.assertEqual(data["formats"], {"json": 1, "msgpack": 1, "pickle": 7})
        self.assertEqual(data["stores"], {"django": 1, "flask_session": 7, "unknown": 1})
        users = data["users"]
        self.assertEqual(users["with_user"], 8)
        self.assertEqual(users["anonymous"], 1)
        self.assertEqual(users["distinct"], 3)
        self.assertTrue(users["distinct_exact"])
        self.assertEqual([(u["user"], u["sessions"]) for u in users["top"]], [("1", 4), ("2", 3), ("3", 1)])
        sizes = sorted(len(self.r.get(k)) for k in self.r.scan_iter() if self.r.type(k) == b"string")
        self.assertEqual(data["size_bytes"]["min"], sizes[0])
        self.assertEqual(data["size_bytes"]["max"], sizes[-1])
        self.assertEqual(data["size_bytes"]["total"], sum(sizes))
        self.assertGreaterEqual(data["size_bytes"]["p50"], sizes[4])
        self.assertLessEqual(data["size_bytes"]["p50"], sizes[4] * 33 // 32 + 1)
        out, data = self.session_json("stats", "--top", "1")
        self.assertEqual(data["users"]["top"], [{"user": "1", "sessions": 4, "overcount": 0}])
        self.assertEqual(data["users"]["others_sessions"], 4)
        table = self.session("stats")
        self.assertExit(table, 0)
        self.assertIn(">= 30d", table.stdout)

    def test_session_redis_url_is_the_default_target(self):
        self.r.set("session:abc", pickle.dumps({"user_id": 1}))
        dead = f"redis://127.0.0.1:{self.unused_port()}"
        env = {"SESSION_REDIS_URL": self.target()[1], "REDIS_URL": dead}
        out, data = rctl_json("session", "show", "abc", env=env)
        self.assertExit(out, 0)
        self.assertEqual(data["user"], "1")

    def unused_port(self):
        from harness import free_port
        return free_port()

    # -- revoke ----------------------------------------------------------------------------

    def test_revoke_user_logs_them_out_everywhere(self):
        app = make_app(self.r)
        laptop, sid1 = self.login(app, 42)
        phone, sid2 = self.login(app, 42)
        other, sid3 = self.login(app, 7)
        self.r.set("myapp_session:x", json.dumps({"user_id": 42}))  # other prefix: untouched by default

        out, data = self.session_json("revoke", "--user", "42", "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(data["found"], 2)
        self.assertEqual(data["deleted"], 0)
        self.assertEqual({s["outcome"] for s in data["sessions"]}, {"would_delete"})
        self.assertEqual(self.r.exists("session:" + sid1, "session:" + sid2), 2)

        out = self.session("revoke", "--user", "42")  # stdin is not a terminal, no --yes
        self.assertExit(out, 2)
        self.assertOneLineError(out, "without confirmation")
        self.assertIn("--yes", out.stderr)
        self.assertEqual(self.r.exists("session:" + sid1, "session:" + sid2), 2)

        out, data = self.session_json("revoke", "--user", "42", "--yes")
        self.assertExit(out, 0)
        self.assertEqual((data["found"], data["deleted"], data["changed"], data["gone"]), (2, 2, 0, 0))
        self.assertEqual(sorted(s["id"] for s in data["sessions"]), sorted([sid1, sid2]))
        self.assertEqual({s["outcome"] for s in data["sessions"]}, {"deleted"})
        self.assertEqual(self.r.exists("session:" + sid1, "session:" + sid2), 0)
        # The app's next request for that user sees an empty session (what a new visitor gets);
        # the other user is untouched.
        empty = app.test_client().get("/whoami").get_json()
        self.assertNotIn("user_id", empty)
        self.assertEqual(laptop.get("/whoami").get_json(), empty)
        self.assertEqual(phone.get("/whoami").get_json(), empty)
        self.assertEqual(other.get("/whoami").get_json()["user_id"], 7)
        self.assertTrue(self.r.exists("myapp_session:x"))

        out, data = self.session_json("revoke", "--user", "42", "--yes")
        self.assertExit(out, 5)
        self.assertEqual(data["error"]["kind"], "not_found")

    def test_revoke_by_session_id(self):
        app = make_app(self.r)
        client, sid = self.login(app, 1)
        _, keep = self.login(app, 1)
        out, data = self.session_json("revoke", sid, "missing-sid", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["deleted"], 1)
        self.assertEqual(data["missing_sids"], ["missing-sid"])
        self.assertIn("not found: missing-sid", out.stderr)
        self.assertEqual(client.get("/whoami").get_json(), app.test_client().get("/whoami").get_json())
        self.assertNotIn("user_id", client.get("/whoami").get_json())
        self.assertTrue(self.r.exists("session:" + keep))
        out, data = self.session_json("revoke", "missing-sid", "--yes")
        self.assertExit(out, 5)
        self.assertEqual(data["found"], 0)
        out, data = self.session_json("revoke", keep, "--dry-run")
        self.assertExit(out, 0)
        self.assertEqual(data["sessions"][0]["outcome"], "would_delete")
        self.assertTrue(self.r.exists("session:" + keep))


class HookProxy:
    """A byte-for-byte TCP relay to a real server that runs `hook()` once, just before it
    forwards the first bytes from rctl that contain `trigger`. With trigger EVAL that is the
    moment between revoke's scan and its compare-and-delete, made deterministic."""

    def __init__(self, upstream_port, hook, trigger=b"EVAL", every=False):
        self.upstream_port = upstream_port
        self.hook = hook
        self.trigger = trigger
        self.every = every  # hook(chunk) for every such chunk, not hook() for the first
        self.hooked = False
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, src, dst, from_rctl):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_rctl and (self.every or not self.hooked) and self.trigger in data:
                    self.hooked = True
                    self.hook(data) if self.every else self.hook()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.sock.close()


class RevokeRacesAndFaults(ServerTestCase):
    """What revoke --user does when a session changes between the scan that verified it and
    its deletion (the compare-and-delete script, against a real server), when it is
    interrupted, and when the server refuses the delete."""

    def revoke_with_hook(self, hook, user="42"):
        proxy = HookProxy(self.server.port, hook)
        try:
            out, data = rctl_json("session", "revoke", "--user", user, "--yes", "-u", f"redis://127.0.0.1:{proxy.port}")
        finally:
            proxy.close()
        self.assertTrue(proxy.hooked)
        return out, data

    def test_session_reassigned_to_another_user_is_kept(self):
        self.r.set("session:a", pickle.dumps({"user_id": 42}), ex=600)
        self.r.set("session:b", pickle.dumps({"user_id": 42}), ex=600)
        out, data = self.revoke_with_hook(lambda: self.r.set("session:a", pickle.dumps({"user_id": 99}), ex=600))
        self.assertExit(out, 0)
        self.assertEqual((data["found"], data["deleted"], data["changed"], data["gone"]), (2, 1, 1, 0))
        outcomes = {s["id"]: s["outcome"] for s in data["sessions"]}
        self.assertEqual(outcomes, {"a": "changed", "b": "deleted"})
        self.assertEqual(pickle.loads(self.r.get("session:a")), {"user_id": 99})
        self.assertFalse(self.r.exists("session:b"))

    def test_session_rewritten_for_the_same_user_is_still_revoked(self):
        self.r.set("session:a", pickle.dumps({"user_id": 42, "visits": 1}), ex=600)
        out, data = self.revoke_with_hook(
            lambda: self.r.set("session:a", pickle.dumps({"user_id": 42, "visits": 2}), ex=600))
        self.assertExit(out, 0)
        self.assertEqual((data["found"], data["deleted"], data["changed"]), (1, 1, 0))
        self.assertFalse(self.r.exists("session:a"))

    def test_interrupted_scan_deletes_nothing(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(3000):
            pipe.set(f"session:s{i}", pickle.dumps({"user_id": 42}), ex=600)
        pipe.execute()
        proc = None

        def interrupt_then_hold():
            # Ctrl-C while the first SCAN is on its way; its reply is held well past rctl's
            # 100 ms interrupt check, so the scan stops after this batch.
            proc.send_signal(signal.SIGINT)
            time.sleep(1.5)

        proxy = HookProxy(self.server.port, interrupt_then_hold, trigger=b"SCAN")
        try:
            proc = subprocess.Popen([RCTL, "session", "revoke", "--user", "42", "--yes", "-o", "json",
                                     "-u", f"redis://127.0.0.1:{proxy.port}"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            stdout, stderr = proc.communicate(timeout=60)
        finally:
            proxy.close()
        self.assertEqual(proc.returncode, 130, stderr)
        report = json.loads(stdout)
        self.assertTrue(report["interrupted"])
        self.assertFalse(report["scan"]["complete"])
        self.assertEqual(report["deleted"], 0)
        self.assertIn("interrupted", stderr)
        self.assertEqual(self.r.dbsize(), 3000)

    def test_permission_refused_for_the_delete_changes_nothing(self):
        server = RedisServer(acl=["reader on >readerpw ~* &* +@read +@connection"])
        try:
            r = redis.Redis(host="127.0.0.1", port=server.port)
            r.set("session:a", pickle.dumps({"user_id": 42}))
            url = f"redis://reader:readerpw@127.0.0.1:{server.port}"
            out, data = rctl_json("session", "list", "-u", url)
            self.assertExit(out, 0)
            self.assertEqual(data["matched"], 1)
            out, data = rctl_json("session", "revoke", "--user", "42", "--yes", "-u", url)
            self.assertExit(out, 4)
            self.assertEqual(data["error"]["kind"], "permission")
            self.assertEqual((data["found"], data["deleted"]), (1, 0))
            self.assertTrue(r.exists("session:a"))
            self.assertNoSecret(out, "readerpw")
        finally:
            server.close()

    def test_server_lost_mid_scan_gives_a_partial_report_and_exit_3(self):
        server = RedisServer()
        try:
            r = redis.Redis(host="127.0.0.1", port=server.port)
            r.set("session:a", pickle.dumps({"user_id": 42}))
            proxy = HookProxy(server.port, server.kill, trigger=b"SCAN")
            try:
                out, data = rctl_json("session", "list", "-u", f"redis://127.0.0.1:{proxy.port}")
            finally:
                proxy.close()
            self.assertExit(out, 3)
            self.assertFalse(data["complete"])
            self.assertEqual(data["scan"]["nodes"][0]["error"]["kind"], "connect")
            self.assertOneLineError(out, "results are incomplete")
        finally:
            server.close()

    def test_session_gone_meanwhile_is_counted_not_failed(self):
        self.r.set("session:a", pickle.dumps({"user_id": 42}), ex=600)
        self.r.set("session:b", pickle.dumps({"user_id": 42}), ex=600)
        out, data = self.revoke_with_hook(lambda: self.r.delete("session:b"))
        self.assertExit(out, 0)
        self.assertEqual((data["deleted"], data["gone"]), (1, 1))
        self.assertEqual({s["id"]: s["outcome"] for s in data["sessions"]}, {"a": "deleted", "b": "gone"})


class SessionReadsByMget(RctlTestCase):
    """A page's values are read with MGET (less work for the server than a GET each): a key
    MGET answers nil for although it exists is read again with GET, so a hash under the
    prefix is still "not a string"; a user who may GET but not MGET gets the same report."""

    def test_same_counts_with_and_without_mget(self):
        server = RedisServer(acl=["nomget on >pw ~* &* +@all -mget"])
        self.addCleanup(server.close)
        r = redis.Redis(host="127.0.0.1", port=server.port)
        for i in range(250):
            r.set(f"session:s{i}", pickle.dumps({"user_id": i % 7}), ex=3600)
        r.hset("session:index", "a", "b")
        r.lpush("session:queue", "x")
        reports = {}
        for name, url in (("mget", f"redis://127.0.0.1:{server.port}"),
                          ("get", f"redis://nomget:pw@127.0.0.1:{server.port}")):
            out, data = rctl_json("session", "stats", "-u", url)
            self.assertExit(out, 0)
            node = data["scan"]["nodes"][0]
            reports[name] = (data["sessions"], node["keys"], node["not_strings"], node["vanished"],
                             data["users"])
        self.assertEqual(reports["mget"][:4], (250, 252, 2, 0))
        self.assertEqual(reports["mget"], reports["get"])


class RevokeServerKilled(RctlTestCase):
    """Issue 10: the server dies while revoke deletes. Exit 3, the deletes counted so far all
    happened, no other session or key is touched, and a re-run after restart finishes."""

    def test_kill_mid_delete_reports_progress_and_rerun_completes(self):
        server = RedisServer(args=["--appendonly", "yes", "--appendfsync", "always"])
        try:
            r = redis.Redis(host="127.0.0.1", port=server.port)
            pipe = r.pipeline(transaction=False)
            for i in range(3000):
                pipe.set(f"session:u42-{i}", pickle.dumps({"user_id": 42, "n": i}), ex=3600)
            for i in range(200):
                pipe.set(f"session:u7-{i}", pickle.dumps({"user_id": 7, "n": i}), ex=3600)
            pipe.set("session", pickle.dumps({"user_id": 42}))           # not under the prefix
            pipe.set("sessions:x", pickle.dumps({"user_id": 42}))        # nor this
            pipe.execute()
            sent = 0

            def kill_in_third_batch(chunk):
                # Called for every chunk rctl sends that holds EVAL (500 per batch): the
                # server dies before the chunk that holds the 1200th reaches it, mid-batch.
                nonlocal sent
                sent += chunk.count(b"EVAL")
                if sent >= 1200:
                    server.kill()

            proxy = HookProxy(server.port, kill_in_third_batch, every=True)
            try:
                out, report = rctl_json("session", "revoke", "--user", "42", "--yes", "-u",
                                        f"redis://127.0.0.1:{proxy.port}")
            finally:
                proxy.close()
            self.assertExit(out, 3)
            self.assertEqual(report["error"]["kind"], "outcome_unknown")
            self.assertEqual(report["found"], 3000)
            self.assertGreater(report["deleted"], 0)
            self.assertOneLineError(out, "outcome unknown")
            server.restart()
            r = redis.Redis(host="127.0.0.1", port=server.port)
            left = sum(1 for _ in r.scan_iter("session:u42-*", count=1000))
            # Every counted delete happened (the AOF is fsynced per write); the kill may have
            # cut off the replies of some that happened too.
            self.assertLessEqual(report["deleted"], 3000 - left)
            self.assertGreater(left, 0)
            self.assertEqual(r.mget([f"session:u7-{i}" for i in range(200)]).count(None), 0)
            self.assertTrue(r.exists("session") and r.exists("sessions:x"))
            out, again = rctl_json("session", "revoke", "--user", "42", "--yes", "-p", server.port)
            self.assertExit(out, 0)
            self.assertEqual((again["found"], again["deleted"]), (left, left))
            self.assertEqual(r.dbsize(), 200 + 2)
        finally:
            server.close()


class SessionCluster(SessionTests):
    """The same against a 3-primary cluster: sessions spread over slots, keys routed by slot,
    every primary scanned, the Flask app on redis-py's cluster client."""

    @classmethod
    def setUpClass(cls):
        from redis.cluster import RedisCluster as PyCluster
        cls.cluster = RedisCluster(primaries=3, replicas=0)
        cls.server = cls.cluster.seed()
        cls.r = PyCluster(host="127.0.0.1", port=cls.server.port)

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def setUp(self):
        for n in self.cluster.nodes:
            n.cli("FLUSHALL")

    def nodes(self):
        return self.cluster.nodes

    def test_sessions_on_every_primary(self):
        app = make_app(self.r)
        clients = {}
        for user in range(30):
            clients[user] = self.login(app, user % 3)
        per_node = [int(n.cli("DBSIZE")) for n in self.cluster.nodes]
        self.assertTrue(all(count > 0 for count in per_node), per_node)
        out, data = self.session_json("list", "--limit", "1000")
        self.assertExit(out, 0)
        self.assertEqual(data["matched"], 30)
        self.assertEqual(len(data["scan"]["nodes"]), 3)
        self.assertEqual(sorted(n["sessions"] for n in data["scan"]["nodes"]), sorted(per_node))
        self.assertEqual(len({s["node"] for s in data["sessions"]}), 3)
        out, data = self.session_json("stats")
        self.assertEqual(data["sessions"], 30)
        self.assertEqual([(u["user"], u["sessions"]) for u in data["users"]["top"]], [("0", 10), ("1", 10), ("2", 10)])
        out, data = self.session_json("revoke", "--user", "1", "--yes")
        self.assertExit(out, 0)
        self.assertEqual(data["deleted"], 10)
        empty = app.test_client().get("/whoami").get_json()
        for user, (client, _) in clients.items():
            seen = client.get("/whoami").get_json()
            if user % 3 == 1:
                self.assertEqual(seen, empty)
            else:
                self.assertEqual(seen["user_id"], user % 3)


if __name__ == "__main__":
    unittest.main()
