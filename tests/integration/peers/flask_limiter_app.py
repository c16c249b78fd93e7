"""A real Flask application rate-limited by Flask-Limiter 3.3 (Debian's python3-flask-limiter,
on limits 2.8) with Redis storage: the peer that `rctl ratelimit` must agree with.

Two limiters on one app, because Flask-Limiter 3.3 picks the strategy per Limiter:
  /fixed   FIXED_LIMIT,  fixed-window   -> LIMITER/<ip>/fixed_view/5/1/minute   (string counter)
  /moving  MOVING_LIMIT, moving-window  -> LIMITER/<ip>/moving_view/3/10/minute (list of hit times)

Run under /usr/bin/python3. `storage_uri` is what an app puts in RATELIMIT_STORAGE_URI:
redis://host:port or redis+cluster://host:port.
"""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

FIXED_LIMIT = "5/minute"
MOVING_LIMIT = "3 per 10 minutes"


def create_app(storage_uri):
    app = Flask(__name__)
    fixed = Limiter(get_remote_address, app=app, storage_uri=storage_uri, strategy="fixed-window",
                    headers_enabled=True)
    moving = Limiter(get_remote_address, app=app, storage_uri=storage_uri, strategy="moving-window",
                     headers_enabled=True)

    @app.route("/fixed")
    @fixed.limit(FIXED_LIMIT)
    def fixed_view():
        return "ok"

    @app.route("/moving")
    @moving.limit(MOVING_LIMIT)
    def moving_view():
        return "ok"

    return app


def key_for(ip, view):
    """The key Flask-Limiter writes for `ip` on /fixed or /moving."""
    return {"fixed": f"LIMITER/{ip}/fixed_view/5/1/minute",
            "moving": f"LIMITER/{ip}/moving_view/3/10/minute"}[view]


class Client:
    """The app's test client for one remote address; returns (status, remaining, reset)."""

    def __init__(self, app, ip):
        self.client = app.test_client()
        self.ip = ip

    def get(self, view):
        r = self.client.get("/" + view, environ_base={"REMOTE_ADDR": self.ip})
        return r.status_code, int(r.headers["X-RateLimit-Remaining"]), int(r.headers["X-RateLimit-Reset"])
