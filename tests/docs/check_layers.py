#!/usr/bin/python3
"""Checks the layering of src/ and commands/ against the table CMake links by.

Usage: check_layers.py LAYERS_TXT PROJECT_DIR

LAYERS_TXT has one line per library, "<name>:<dir>,<dir>:<dep>,<dep>", written by
tests/CMakeLists.txt from src/CMakeLists.txt and commands/CMakeLists.txt, so the table exists
once. A file of layer L may include "x/..." only when x is one of L's folders or the folder of
a layer L declares as a dependency. Also checked (CONTRIBUTING.md): only commands/ includes
CLI11; only the transport files include Asio or OpenSSL; only output/ writes stdout.
Prints every violation as file:line and exits 1 if there is one.
"""
import os
import re
import sys

# Files allowed to include Asio or OpenSSL (hmac.cpp: libcrypto only, for HMAC and digests).
ASIO_OPENSSL_FILES = re.compile(
    r"^src/net/(\w+_stream\.cpp|event_loop\.cpp|connect\.cpp|asio_streams\.hpp)$|^src/util/hmac\.cpp$")
STDOUT_WRITES = re.compile(r"\bstd::cout\b|\bSTDOUT_FILENO\b|\bstdout\b|\bputs\s*\(|(?<![\w:])printf\s*\(|"
                           r"\bfmt::print\s*\(\s*(?!stderr)")
# Files that name STDOUT_FILENO without writing rctl's stdout: the credential helper's own
# standard output is redirected into a pipe that rctl reads.
STDOUT_NAMED_ONLY = {"src/config/password_command.cpp"}


def read_table(path):
    layers = {}  # name -> (dirs, deps)
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        name, dirs, deps = line.split(":")
        layers[name] = (dirs.split(","), [d for d in deps.split(",") if d])
    return layers


def code_only(text):
    """The text without comments and string literals, line breaks kept."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r'R"(\w*)\(.*?\)\1"', lambda m: "\"\"" + "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\\n])'", "''", text)
    return re.sub(r"//[^\n]*", "", text)


def main():
    table_path, root = sys.argv[1], sys.argv[2]
    layers = read_table(table_path)
    # Longest folder first, so job/rq/x.hpp belongs to the layer that lists job/rq.
    folder_of = sorted(((d, name) for name, (dirs, _) in layers.items() for d in dirs),
                       key=lambda p: -len(p[0]))

    def layer_of(rel):  # rel: a path under src/ (or "commands/...")
        for folder, name in folder_of:
            if rel.startswith(folder + "/"):
                return name
        return None

    problems = []
    checked = 0
    for top in ("src", "commands"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for fname in sorted(names):
                if not fname.endswith((".cpp", ".hpp")):
                    continue
                path = os.path.join(dirpath, fname)
                rel = os.path.relpath(path, root)
                if rel.startswith("src/third_party/"):
                    continue
                own = layer_of(rel[len("src/"):] if top == "src" else rel)
                if own is None:
                    problems.append(f"{rel}: in no layer of {table_path} (add its folder to a rctl_layer)")
                    continue
                allowed = {own, *layers[own][1]}
                text = open(path, encoding="utf-8").read()
                checked += 1
                for n, line in enumerate(text.split("\n"), 1):
                    m = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
                    if m and "/" in m.group(1):
                        target = layer_of(m.group(1))
                        if target is None:
                            problems.append(f"{rel}:{n}: includes {m.group(1)}, which is in no layer")
                        elif target not in allowed:
                            problems.append(f"{rel}:{n}: {own} may not include {m.group(1)} ({target}): "
                                            f"{own} uses {', '.join(sorted(layers[own][1])) or 'nothing'}")
                    m = re.match(r"\s*#\s*include\s*<([^>]+)>", line)
                    if m:
                        header = m.group(1)
                        if header.startswith("CLI/") and top != "commands":
                            problems.append(f"{rel}:{n}: only commands/ includes CLI11")
                        if re.match(r"(asio|openssl)[/.]", header) and not ASIO_OPENSSL_FILES.match(rel):
                            problems.append(f"{rel}:{n}: only the transport files include {header.split('/')[0]}")
                if not rel.startswith("src/output/") and rel not in STDOUT_NAMED_ONLY:
                    for n, line in enumerate(code_only(text).split("\n"), 1):
                        if STDOUT_WRITES.search(line):
                            problems.append(f"{rel}:{n}: only output/ writes stdout: {line.strip()}")
    for p in problems:
        print(p)
    print(f"{checked} files checked against {len(layers)} layers: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
