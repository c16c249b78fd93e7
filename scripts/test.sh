#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: unit, fake-server, integration against real
# redis-server processes (standalone, TLS, ACL, unix socket, cluster) and interop with the
# real RQ / Flask-Session / Flask-Limiter from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
