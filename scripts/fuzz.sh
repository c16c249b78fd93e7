#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, build-fuzz/) and runs each for a
# bounded time, two at a time. Fails on any crash, leak, sanitizer report or timeout; the
# input that caused it is left in build-fuzz/findings/<target>/ for adding to the corpus.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
#        RCTL_FUZZ_BUILD=DIR scripts/fuzz.sh ...  reuses a build already configured with
#        RCTL_FUZZ=ON (CI's one sanitizer build) instead of configuring build-fuzz/
#
# New inputs that libFuzzer finds go to a scratch directory, never into tests/fuzz/corpus/:
# the checked-in seeds change only by hand (copy a finding there once it is fixed).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
build="${RCTL_FUZZ_BUILD:-build-fuzz}"
cxx="${RCTL_FUZZ_CXX:-clang++-16}"

if [ -z "${RCTL_FUZZ_BUILD:-}" ]; then
  echo "== fuzz: building targets with $cxx"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
    -DRCTL_FUZZ=ON -DRCTL_BUILD_TESTS=ON >/dev/null
fi
targets=()
for source in tests/fuzz/fuzz_*.cpp; do
  name="$(basename "$source" .cpp)"
  targets+=("${name#fuzz_}")
done
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

rm -rf "$build/findings" "$build/work"
mkdir -p "$build/findings" "$build/work"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# One target: -max_total_time bounds it, -rss_limit_mb turns a runaway allocation into a
# finding, -timeout (seconds per input) catches hangs and quadratic blow-ups.
run_one() {
  local name="$1" seconds="$2" build="$3"
  local work="$build/work/$name" findings="$build/findings/$name"
  mkdir -p "$work" "$findings"
  if "$build/tests/fuzz_$name" "$work" "tests/fuzz/corpus/$name" -max_total_time="$seconds" \
       -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$findings/" >"$build/findings/$name.log" 2>&1; then
    echo "fuzz $name: ok ($(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$build/findings/$name.log" | grep -o '[0-9]*$') runs in ${seconds}s)"
  else
    echo "fuzz $name: FAILED; log: $build/findings/$name.log; input: $(ls "$findings" | head -1)"
    tail -40 "$build/findings/$name.log"
    return 1
  fi
}
export -f run_one

echo "== fuzz: ${#targets[@]} targets, ${seconds}s each, 2 at a time"
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$build"
echo "== fuzz: no findings"
