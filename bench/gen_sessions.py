#!/usr/bin/env python3
"""Writes a RESP stream for `redis-cli --pipe`: N Flask-Session 0.3-style sessions (pickle
protocol 4 of a session dict, SETEX with a spread of TTLs) for N/5 users, plus N other keys
that are not sessions. Usage: gen_sessions.py N OUT"""
import datetime
import pickle
import sys
import uuid


def cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def main():
    n, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "wb") as f:
        for i in range(n):
            session = {"_permanent": True, "user_id": i % max(1, n // 5), "name": f"user {i}",
                       "roles": ["a", "b"][: i % 3], "csrf_token": uuid.uuid4().hex,
                       "last_login": datetime.datetime(2026, 1, 1) + datetime.timedelta(seconds=i),
                       "cart": list(range(i % 20))}
            ttl = 60 + (i * 7919) % 2678400
            f.write(cmd("SETEX", f"session:{uuid.UUID(int=i)}", ttl, pickle.dumps(session, protocol=4)))
            f.write(cmd("SET", f"other:{i}", "x" * (i % 50)))


main()
