#!/usr/bin/env bash
# Installs every Debian package that building, testing and benchmarking rctl needs.
# Idempotent: does nothing (not even apt-get update) when everything is already there.
set -euo pipefail

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
