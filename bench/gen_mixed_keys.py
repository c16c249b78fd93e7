#!/usr/bin/env python3
"""Writes a RESP stream for `redis-cli --pipe`: N keys of mixed types and sizes, the shape of
an application's keyspace (keys analyze benchmark):
  60% strings  user:<id>:session (with TTL), cache:<uuid>, page:<hex>  (10 B - 2 KB)
  15% hashes   user:<id>:profile  (3 - 40 fields)
  10% sets     user:<id>:roles, tag:<word>:members  (2 - 50 members)
  10% lists    queue:<name>:<n>  (5 - 200 items)
   5% zsets    board:<n>  (10 - 300 members)
Deterministic (seeded). Usage: gen_mixed_keys.py N OUT"""
import random
import sys
import uuid

from gen_sessions import cmd  # one RESP encoder for the bench generators


def main():
    n, path = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(42)
    words = ["red", "green", "blue", "admin", "beta", "eu", "us", "mobile", "web", "api"]
    with open(path, "wb") as f:
        for i in range(n):
            kind = rnd.random()
            if kind < 0.60:
                which = i % 3
                size = int(10 * (200 ** rnd.random()))
                if which == 0:
                    f.write(cmd("SET", f"user:{i}:session", "s" * size, "EX", rnd.randint(60, 86400 * 7)))
                elif which == 1:
                    f.write(cmd("SET", f"cache:{uuid.UUID(int=rnd.getrandbits(128))}", "c" * size))
                else:
                    f.write(cmd("SET", f"page:{rnd.getrandbits(64):016x}", "p" * size, "EX", 3600))
            elif kind < 0.75:
                fields = []
                for k in range(rnd.randint(3, 40)):
                    fields += [f"f{k}", "v" * rnd.randint(1, 30)]
                f.write(cmd("HSET", f"user:{i}:profile", *fields))
            elif kind < 0.85:
                key = f"user:{i}:roles" if i % 2 else f"tag:{words[i % len(words)]}{i}:members"
                f.write(cmd("SADD", key, *[f"m{k}" for k in range(rnd.randint(2, 50))]))
            elif kind < 0.95:
                f.write(cmd("RPUSH", f"queue:{words[i % len(words)]}:{i}", *[f"job{k}" for k in range(rnd.randint(5, 200))]))
            else:
                members = []
                for k in range(rnd.randint(10, 300)):
                    members += [k, f"p{k}"]
                f.write(cmd("ZADD", f"board:{i}", *members))


if __name__ == "__main__":
    main()
