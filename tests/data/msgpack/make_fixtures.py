#!/usr/bin/python3
"""Generates the msgpack fixtures for tests/unit/decode/test_msgpack_reader.cpp.

    /usr/bin/python3 tests/data/msgpack/make_fixtures.py

Uses Debian's python3-msgpack (msgpack.packb(..., use_bin_type=True)). For every case NAME
it writes NAME.bin and NAME.json, the value rctl's reader must produce under the
conventions documented in src/decode/msgpack_reader.hpp, computed here independently.
The 32-bit length forms (str32, bin32, array32, map32) are built by the C++ tests.
"""

import base64
import json
import math
import os
import struct

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))


def expected(v, single_float=False):
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if single_float:
            v = struct.unpack(">f", struct.pack(">f", v))[0]
        if math.isnan(v):
            return {"$float": "nan"}
        if math.isinf(v):
            return {"$float": "inf" if v > 0 else "-inf"}
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(v)).decode()}
    if isinstance(v, msgpack.ExtType):
        return {"$ext": v.code, "data": base64.b64encode(v.data).decode()}
    if isinstance(v, msgpack.Timestamp):
        return {"$ext": -1, "data": base64.b64encode(v.to_bytes()).decode()}
    if isinstance(v, (list, tuple)):
        return [expected(x, single_float) for x in v]
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            key = k if isinstance(k, str) else json.dumps(expected(k, single_float), separators=(",", ":"),
                                                          ensure_ascii=False)
            out[key] = expected(x, single_float)
        return out
    raise TypeError(type(v))


CASES = {
    "flask_session": {"_permanent": True, "user_id": 42, "name": "alice", "roles": ["a", "b"],
                      "_fresh": False, "csrf_token": "5f2b1c0e9a8d7f6e5d4c3b2a1f0e9d8c7b6a5f4e"},
    "ints": [0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**63 - 1, 2**64 - 1,
             -1, -32, -33, -128, -129, -32768, -32769, -(2**31), -(2**31) - 1, -(2**63)],
    "floats": [0.0, -0.0, 1.5, 0.1, 1e300, -2.5e-300, float("inf"), float("-inf"), float("nan")],
    "strings": ["", "a", "héllo ✓ 😀", "\x1b[31m", "x" * 31, "x" * 32, "y" * 255, "y" * 256],
    "bins": [b"", b"\x00\xff", bytes(range(256))],
    "exts": [msgpack.ExtType(1, b"a"), msgpack.ExtType(2, b"ab"), msgpack.ExtType(3, b"abcd"),
             msgpack.ExtType(4, b"12345678"), msgpack.ExtType(5, b"x" * 16),
             msgpack.ExtType(127, b""), msgpack.ExtType(6, b"e" * 300), msgpack.Timestamp(1795317323, 5)],
    "nested": {"a": [1, [2, [3, [4, []]]]], "b": {"c": {"d": {}}}, "list16": list(range(20)),
               "map16": {f"k{i}": i for i in range(20)}},
    "non_string_keys": {1: "int", -5: "neg", None: "nil", True: "bool", 1.5: "float", b"k": "bin",
                        (1, "a"): "array"},
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
        data = msgpack.packb(value, use_bin_type=True)
        write(f"{name}.bin", data)
        write_json(f"{name}.json", expected(value))
    single = [0.1, 1.5, 3.4e38, float("inf")]
    write("float32.bin", msgpack.packb(single, use_bin_type=True, use_single_float=True))
    write_json("float32.json", expected(single, single_float=True))


if __name__ == "__main__":
    main()
