"""A real Flask app on Debian's Flask-Session 0.3.2 with a Redis backend: the peer whose
sessions `rctl session` reads and revokes in test_session.py.

Requests go through Flask's test client (no sockets): POST /login/<id> stores a session with
values of many types, GET /whoami returns the session exactly as the app reads it back, in
the JSON conventions of rctl's data-only pickle reader, so tests can compare the two.
"""

import base64
import datetime

from flask import Flask, jsonify, session
from flask_session import Session

# What /login stores besides user_id: every kind of value a session commonly holds.
RICH_VALUES = {
    "name": "Zo\u00eb",
    "roles": ["admin", "dev"],
    "prefs": {"theme": "dark", "page_size": 50, "beta": False},
    "ratio": 0.25,
    "active": True,
    "nothing": None,
    "last_login": datetime.datetime(2026, 1, 2, 3, 4, 5, 678901),
    "since": datetime.date(2025, 12, 31),
    "avatar": b"\x89PNG\r\n\x1a\n\x00",
    "tags": ("a", "b"),
    "big": 2 ** 70,
    "csrf_token": "csrf-SECRET-1234",
    "oauth": {"access_token": "ya29.ACCESS-SECRET", "scope": "email"},
}


def as_rctl_json(value):
    """A Python value in the conventions of rctl's pickle reader (src/decode/pickle/reader.hpp)."""
    if isinstance(value, dict):
        return {str(k): as_rctl_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_rctl_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"$set": [as_rctl_json(v) for v in value]}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int):
        return value if -2 ** 63 <= value < 2 ** 63 else str(value)
    raise TypeError(f"no rctl form for {type(value)!r}")


def make_app(redis_client, use_signer=False, secret_key=None, key_prefix="session:"):
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        SECRET_KEY=secret_key,
        SESSION_TYPE="redis",
        SESSION_REDIS=redis_client,
        SESSION_USE_SIGNER=use_signer,
        SESSION_KEY_PREFIX=key_prefix,
    )
    Session(app)

    @app.post("/login/<int:user_id>")
    def login(user_id):
        session["user_id"] = user_id
        session.update(RICH_VALUES)
        return "ok"

    @app.post("/count")
    def count():
        session["visits"] = session.get("visits", 0) + 1
        return str(session["visits"])

    @app.get("/whoami")
    def whoami():
        return jsonify(as_rctl_json(dict(session)))

    return app


def session_cookie(response, name="session"):
    """The value of the session cookie a response sets (None when it sets none)."""
    for header in response.headers.getlist("Set-Cookie"):
        cookie_name, _, rest = header.partition("=")
        if cookie_name.strip() == name:
            return rest.split(";", 1)[0]
    return None
