#!/usr/bin/env python3
"""Writes a RESP stream of SET commands for `redis-cli --pipe`: N keys under app:cache: and
N under other:, interleaved. With --slots-of PORTS... it writes one file per cluster primary
instead, each holding only the keys whose slot that primary serves (no MOVED)."""
import argparse
import sys


def _table():
    table = []
    for i in range(256):
        crc = i << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return table


TABLE = _table()


def crc16(data):
    """CRC16-XMODEM, as Redis Cluster hashes keys (no hash tags in these keys)."""
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFF) ^ TABLE[((crc >> 8) ^ b) & 0xFF]
    return crc


def cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int, help="keys per family")
    p.add_argument("out", help="output file (or prefix with --ranges)")
    p.add_argument("--ranges", help="comma list of first-last slot ranges, one output file per range")
    a = p.parse_args()
    if not a.ranges:
        with open(a.out, "wb") as f:
            for i in range(a.n):
                f.write(cmd(b"SET", b"app:cache:%d" % i, b"val:%d" % i))
                f.write(cmd(b"SET", b"other:%d" % i, b"val:%d" % i))
        return
    ranges = [tuple(map(int, r.split("-"))) for r in a.ranges.split(",")]
    files = [open(f"{a.out}.{k}", "wb") for k in range(len(ranges))]
    for i in range(a.n):
        for key in (b"app:cache:%d" % i, b"other:%d" % i):
            slot = crc16(key) % 16384
            for k, (lo, hi) in enumerate(ranges):
                if lo <= slot <= hi:
                    files[k].write(cmd(b"SET", key, b"val:%d" % i))
                    break
    for f in files:
        f.close()


if __name__ == "__main__":
    main()
