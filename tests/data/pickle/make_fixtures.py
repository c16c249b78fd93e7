#!/usr/bin/python3
"""Generates the pickle fixtures for tests/unit/decode/pickle/test_reader.cpp.

Run from anywhere with Debian's /usr/bin/python3 (3.11); the outputs are committed:

    /usr/bin/python3 tests/data/pickle/make_fixtures.py

For every case NAME it writes NAME.pN.bin (pickle protocol N, 0..5) and NAME.json, the
value rctl's reader must produce, computed here by an independent implementation of the
JSON conventions documented in src/decode/pickle/reader.hpp. Plus a few special files
(RQ job data compressed with zlib, an RQ result in base64).
"""

import base64
import collections
import datetime
import decimal
import json
import os
import pickle
import sys
import types
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# A class that lives in an importable-looking module, like an app model would.
myapp = types.ModuleType("myapp")
models = types.ModuleType("myapp.models")
myapp.models = models
sys.modules["myapp"] = myapp
sys.modules["myapp.models"] = models


class User:
    def __init__(self, name, roles):
        self.name = name
        self.roles = roles

    def __eq__(self, other):
        return isinstance(other, User) and self.__dict__ == other.__dict__


User.__module__ = "myapp.models"
User.__qualname__ = "User"
models.User = User


def iso_duration(td):
    total_us = (td.days * 86400 + td.seconds) * 10**6 + td.microseconds
    sign = "-" if total_us < 0 else ""
    total_us = abs(total_us)
    days, rest = divmod(total_us, 86400 * 10**6)
    secs, us = divmod(rest, 10**6)
    out = sign + "P"
    if days:
        out += f"{days}D"
    if secs or us or not days:
        out += "T"
        if secs >= 3600:
            out += f"{secs // 3600}H"
        if secs % 3600 >= 60:
            out += f"{secs % 3600 // 60}M"
        if secs % 60 or us or secs == 0:
            out += f"{secs % 60}"
            if us:
                out += f".{us:06d}"
            out += "S"
    return out


def key_text(k):
    if isinstance(k, str):
        return k
    if isinstance(k, bool) or k is None:
        return repr(k)
    if isinstance(k, int):
        return str(k)
    return json.dumps(expected(k), separators=(",", ":"), ensure_ascii=False)


def expected(v):
    """The JSON rctl must produce for v (see src/decode/pickle/reader.hpp)."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v if INT64_MIN <= v <= INT64_MAX else str(v)
    if isinstance(v, float):
        if v != v:
            return {"$float": "nan"}
        if v in (float("inf"), float("-inf")):
            return {"$float": "inf" if v > 0 else "-inf"}
        return v
    if isinstance(v, str):
        return v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(v)).decode()}
    if isinstance(v, (list, tuple)):
        return [expected(x) for x in v]
    if isinstance(v, (set, frozenset)):
        return {"$set": [expected(x) for x in v]}
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            out[key_text(k)] = expected(x)
        return out
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, datetime.timedelta):
        return iso_duration(v)
    if isinstance(v, (decimal.Decimal, uuid.UUID)):
        return str(v)
    if isinstance(v, User):
        return {"$pickle": "myapp.models.User", "args": [], "state": expected(v.__dict__)}
    raise TypeError(type(v))


UTC = datetime.timezone.utc
CASES = {
    "scalars": [None, True, False, 0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -(2**31),
                2**31, INT64_MAX, INT64_MIN, 1.5, -0.25, 1e300, 0.1],
    "big_ints": [2**63, -(2**63) - 1, 2**64, 2**200, -(2**200), 10**40],
    "special_floats": [float("nan"), float("inf"), float("-inf"), -0.0],
    "unicode": ["", "ascii", "héllo wörld", "✓ ☃ 😀", "\x1b[31mred\x1b[0m\n\t", "a\\b'c\"d",
                "\u2028\u202e", "x" * 300, "\ud800 lone surrogate"],
    "bytes": [b"", b"\x00\xff\x80abc", bytes(range(256)), bytearray(b"xy\x00"), bytearray()],
    "nested": {"list": [1, [2, [3, [4]]]], "tuple": (1, (2, 3), ()), "dict": {"a": {"b": {"c": {}}}},
               "empty": [[], (), {}], "tuple1": (1,), "tuple3": (1, 2, 3), "tuple4": (1, 2, 3, 4)},
    "sets": [{1, 2, 3}, frozenset({"a"}), set(), frozenset()],
    "non_string_keys": {1: "int", -5: "neg", None: "none", True: "bool", (1, "a"): "tuple",
                        2**70: "big", b"k": "bytes", 1.5: "float"},
    "shared": (lambda s: [s, s, {"again": s}])(["shared", "list"]),
    "datetimes": [datetime.datetime(2026, 11, 22, 3, 12, 29, 967737),
                  datetime.datetime(2026, 11, 22, 3, 12, 29, 967737, tzinfo=UTC),
                  datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))),
                  datetime.datetime(1, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 59, 999999),
                  datetime.date(2026, 11, 22), datetime.time(3, 12, 29, 5), datetime.time(23, 0, tzinfo=UTC),
                  datetime.timedelta(0), datetime.timedelta(days=1, seconds=3723, microseconds=5),
                  datetime.timedelta(seconds=-1), datetime.timedelta(days=-3, microseconds=7),
                  datetime.timedelta(weeks=1000)],
    "decimal_uuid": [decimal.Decimal("3.14"), decimal.Decimal("-0.000001"), decimal.Decimal("1E+10"),
                     uuid.UUID("0836feb6-11f7-4666-acc7-2d3de7620846"),
                     uuid.UUID("ffffffff-ffff-ffff-ffff-ffffffffffff"), uuid.UUID(int=0)],
    "ordered": collections.OrderedDict([("z", 1), ("a", 2)]),
    "custom_class": User("alice", ["admin", "dev"]),
    "flask_session": {"_permanent": True, "user_id": 42,
                      "cart": [{"sku": "A-1", "qty": 2, "price": decimal.Decimal("9.99")},
                               {"sku": "B-7", "qty": 1, "price": decimal.Decimal("120.00")}],
                      "_fresh": False, "csrf_token": "5f2b1c0e9a8d7f6e5d4c3b2a1f0e9d8c7b6a5f4e",
                      "last_seen": datetime.datetime(2026, 11, 22, 3, 12, 29, 967737, tzinfo=UTC)},
    "rq_job_tuple": ("builtins.print", None, ("hello", 42), {"sep": "-"}),
    "long_list": list(range(1200)),
    "big_dict": {f"k{i}": i for i in range(1100)},
}


def p2(v):
    """Reference protocol-2 encoder following formats.md §1.3, the bytes rctl's writer must
    produce. Lists and dicts only (JSON has no tuples); job tuples are built by p2_job."""
    import struct
    if v is None:
        return b"N"
    if v is True:
        return b"\x88"
    if v is False:
        return b"\x89"
    if isinstance(v, int):
        if -(2**31) <= v < 2**31:
            return b"J" + struct.pack("<i", v)
        n = (v.bit_length() + 8) // 8  # minimal two's complement, like pickle.encode_long
        data = v.to_bytes(n, "little", signed=True)
        if v < 0 and n > 1 and data[-1] == 0xFF and data[-2] & 0x80:
            data = data[:-1]
        return b"\x8a" + bytes([len(data)]) + data
    if isinstance(v, float):
        return b"G" + struct.pack(">d", v)
    if isinstance(v, str):
        raw = v.encode("utf-8")
        return b"X" + struct.pack("<I", len(raw)) + raw
    if isinstance(v, list):
        return b"]" + (b"(" + b"".join(p2(x) for x in v) + b"e" if v else b"")
    if isinstance(v, dict):
        return b"}" + (b"(" + b"".join(p2(k) + p2(x) for k, x in v.items()) + b"u" if v else b"")
    raise TypeError(type(v))


def p2_job(func, args, kwargs):
    return b"\x80\x02(" + p2(func) + b"N(" + b"".join(p2(a) for a in args) + b"t" + p2(kwargs) + b"t."


WRITER_CASES = {
    "scalars": [None, True, False, 0, 1, -1, 2**31 - 1, -(2**31), 2**31, -(2**31) - 1, 2**63 - 1,
                -(2**63), 2**64 - 1, 255, 128, -128, -129, 1.5, -0.0, 1e300, 0.1],
    "strings": ["", "ascii", "héllo ✓ 😀", "\x00\x1b", "x" * 300],
    "nested": {"a": [1, [2, [3, []]], {}], "b": {"c": {"d": None}}, "": [True, False]},
    "flask_like": {"_permanent": True, "user_id": 42, "cart": [{"sku": "A-1", "qty": 2}], "_fresh": False},
}


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def write_json(name, value):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1, allow_nan=False)
        f.write("\n")


def main():
    for name, value in CASES.items():
        write_json(f"{name}.json", expected(value))
        for proto in range(0, 6):
            data = pickle.dumps(value, protocol=proto)
            assert pickle.loads(data) == value or name == "special_floats"
            write(f"{name}.p{proto}.bin", data)

    # Writer fixtures: JSON input and the exact protocol-2 bytes, checked with pickle.loads.
    for name, value in WRITER_CASES.items():
        data = b"\x80\x02" + p2(value) + b"."
        assert pickle.loads(data) == value, name
        write(f"writer_{name}.bin", data)
        write_json(f"writer_{name}.json", value)
    job_args, job_kwargs = ["a@b.c", 3], {"retry": True, "tags": ["x"]}
    job = p2_job("myapp.tasks.send_email", job_args, job_kwargs)
    assert job == (b"\x80\x02(X\x16\x00\x00\x00myapp.tasks.send_emailN(X\x05\x00\x00\x00a@b.cJ\x03\x00"
                   b"\x00\x00t}(X\x05\x00\x00\x00retry\x88X\x04\x00\x00\x00tags](X\x01\x00\x00\x00xeut.")
    assert pickle.loads(job) == ("myapp.tasks.send_email", None, ("a@b.c", 3), {"retry": True, "tags": ["x"]})
    write("writer_job.bin", job)
    write_json("writer_job.json", {"func": "myapp.tasks.send_email", "args": job_args, "kwargs": job_kwargs})

    # RQ 1.13 job `data` field: zlib(pickle protocol 5 of the job tuple), as RQ writes it.
    job = ("builtins.print", None, ("hello", 42), {"sep": "-"})
    write("rq_job_data.zlib.bin", zlib.compress(pickle.dumps(job, protocol=5)))
    write_json("rq_job_data.zlib.json", expected(job))

    # RQ result stream field `return_value`: base64(pickle protocol 5 of the return value).
    result = {"status": "ok", "rows": 3, "at": datetime.datetime(2026, 11, 22, 3, 12, 30, tzinfo=UTC)}
    write("rq_result.b64", base64.b64encode(pickle.dumps(result, protocol=5)))
    write_json("rq_result.json", expected(result))


if __name__ == "__main__":
    main()
