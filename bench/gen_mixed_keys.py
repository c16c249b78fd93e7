#!/usr/bin/env python3
"""Writes a RESP stream for `redis-cli --pipe`: N keys of mixed types and sizes, the shape of
an application's keyspace (keys analyze benchmark):
  60% strings  user:<id>:session (with TTL), cache:<uuid>, page:<hex>  (10 B - 2 KB)
  15% hashes   user:<id>:profile  (3 - 40 fields)
  10% sets     user:<id>:roles, tag:<word>:members  (2 - 50 members)
  10% lists    queue:<name>:<n>  (5 - 200 items)
   5% zsets    board:<n>  (10 - 300 members)
Deterministic (seeded). Usage: gen_mixed_keys.py N OUT [PORT...]: with the ports of a
cluster's primaries, one file OUT.<i> per primary holding the keys of its slots (no MOVED)."""
import json
import random
import subprocess
import sys
import uuid

from gen_keys import crc16
from gen_sessions import cmd  # one RESP encoder for the bench generators

WORDS = ["red", "green", "blue", "admin", "beta", "eu", "us", "mobile", "web", "api"]


def commands(n):
    """Yields (key, command arguments) for each of the n keys."""
    rnd = random.Random(42)
    for i in range(n):
        kind = rnd.random()
        if kind < 0.60:
            size = int(10 * (200 ** rnd.random()))
            if i % 3 == 0:
                key = f"user:{i}:session"
                yield key, ["SET", key, "s" * size, "EX", rnd.randint(60, 86400 * 7)]
            elif i % 3 == 1:
                key = f"cache:{uuid.UUID(int=rnd.getrandbits(128))}"
                yield key, ["SET", key, "c" * size]
            else:
                key = f"page:{rnd.getrandbits(64):016x}"
                yield key, ["SET", key, "p" * size, "EX", 3600]
        elif kind < 0.75:
            fields = []
            for k in range(rnd.randint(3, 40)):
                fields += [f"f{k}", "v" * rnd.randint(1, 30)]
            key = f"user:{i}:profile"
            yield key, ["HSET", key, *fields]
        elif kind < 0.85:
            key = f"user:{i}:roles" if i % 2 else f"tag:{WORDS[i % len(WORDS)]}{i}:members"
            yield key, ["SADD", key, *[f"m{k}" for k in range(rnd.randint(2, 50))]]
        elif kind < 0.95:
            key = f"queue:{WORDS[i % len(WORDS)]}:{i}"
            yield key, ["RPUSH", key, *[f"job{k}" for k in range(rnd.randint(5, 200))]]
        else:
            members = []
            for k in range(rnd.randint(10, 300)):
                members += [k, f"p{k}"]
            key = f"board:{i}"
            yield key, ["ZADD", key, *members]


def slot_owners(ports):
    """For each slot, the index in `ports` of the primary serving it (CLUSTER SLOTS)."""
    slots = json.loads(subprocess.run(["redis-cli", "-p", str(ports[0]), "--json", "cluster", "slots"],
                                      capture_output=True, text=True, check=True).stdout)
    owner = [0] * 16384
    for s in slots:
        for slot in range(s[0], s[1] + 1):
            owner[slot] = ports.index(int(s[2][1]))
    return owner


def main():
    n, path, ports = int(sys.argv[1]), sys.argv[2], [int(p) for p in sys.argv[3:]]
    if not ports:
        with open(path, "wb") as out:
            for _, args in commands(n):
                out.write(cmd(*args))
        return
    owner = slot_owners(ports)
    files = [open(f"{path}.{i}", "wb") for i in range(len(ports))]
    for key, args in commands(n):
        files[owner[crc16(key.encode()) % 16384]].write(cmd(*args))
    for f in files:
        f.close()


if __name__ == "__main__":
    main()
