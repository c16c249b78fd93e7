#!/usr/bin/env bash
# Configures and builds rctl, its tests and its man page in ./build: Release, warnings as
# errors, one compile job per core, ccache when installed.
# BUILD_TYPE=RelWithDebInfo (or Debug) scripts/build.sh for a build to debug.
# Usage: scripts/build.sh [TARGET...]   (default: everything)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DRCTL_WERROR=ON \
  -DRCTL_BUILD_TESTS=ON >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build -j "$(nproc)" "${targets[@]}"
