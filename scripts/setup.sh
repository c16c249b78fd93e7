#!/usr/bin/env bash
# Installs every Debian package that building, testing and benchmarking rctl needs, then the
# npm peers the tests run against (tests/peers/*/package-lock.json, with `npm ci`).
# Idempotent: does nothing (not even apt-get update) when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # build
  build-essential cmake ninja-build pkg-config ccache clang-format-14
  libcli11-dev nlohmann-json3-dev libfmt-dev catch2 libasio-dev libssl-dev zlib1g-dev
  libmsgpack-cxx-dev scdoc ca-certificates
  # fuzzing and sanitizers (clang 16: its <expected> support is good enough)
  clang-16 libclang-rt-16-dev
  # tests: real servers and the real peers
  redis-server redis-tools openssl procps
  python3 python3-redis python3-rq python3-celery python3-flask python3-flask-session
  python3-flask-limiter python3-limits python3-msgpack ruby-sidekiq
  # botocore: the signing oracle the IAM token and STS signature tests compare against
  python3-botocore
  # shells and man for the completion and man-page tests
  bash zsh fish groff man-db
  # packaging (scripts/package.sh) and checking the package
  dpkg-dev lintian
  # BullMQ's real Worker and Queue (npm ci below); on nodesource's `nodejs`, npm is inside it
  nodejs
  # benchmarks
  hyperfine time util-linux
  # Prometheus's linter (promtool) for the stats -o prometheus tests
  prometheus
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Plain Debian ships npm as its own package; nodesource's `nodejs` (which conflicts with it)
# brings npm along. Install Debian's only when no npm is there.
if ! command -v npm >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# npm peers: `npm ci` from the committed lockfile (never a global install), skipped while the
# stamp left by the last install matches the lockfile and node's version.
for peer in tests/peers/*/package-lock.json; do
  dir=$(dirname "$peer")
  stamp="$dir/node_modules/.rctl-stamp"
  want="$(sha256sum "$peer" | cut -d' ' -f1) $(node --version)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then continue; fi
  started=$SECONDS
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2
  echo "$want" >"$stamp"
  echo "setup: npm ci in $dir took $((SECONDS - started)) s" >&2
done
