#!/usr/bin/env bash
# keys analyze benchmark (issue 18): N keys of mixed types and sizes (bench/gen_mixed_keys.py)
# on one server pinned to CPU 0, clients on CPU 1. Compares, in the same run and on the same
# data, whole-process medians of:
#   a) redis-cli --memkeys   (SCAN + TYPE + MEMORY USAGE per key, one node, biggest key per type)
#   b) redis-cli --bigkeys   (SCAN + TYPE + the length command per key)
#   c) rctl keys analyze     (all of that plus PTTL, OBJECT ENCODING/IDLETIME, the prefix tree,
#                             top-N lists and distributions)
# then rctl's peak RSS at N and at 1M and 4M keys (RSS_SIZES): it should not grow with them.
# RUNS (default 3), N (default 600000) and RSS_SIZES can be set in the environment.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
N=${N:-600000}

start_server single
load() {
  redis-cli -p "$PORT" flushall >/dev/null
  python3 "$BENCH_DIR/gen_mixed_keys.py" "$1" "$WORK/load.resp"
  redis-cli -p "$PORT" --pipe < "$WORK/load.resp" >/dev/null
  rm -f "$WORK/load.resp"
  [ "$(redis-cli -p "$PORT" dbsize)" = "$1" ] || { echo "load failed" >&2; exit 1; }
}

echo "loading $N mixed keys..."
load "$N"
# rctl must have read every key (and the same total MEMORY USAGE the server gives per key).
keys=$("$RCTL" -p "$PORT" keys analyze -o json -q | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["keys"])')
[ "$keys" = "$N" ] || { echo "VERIFY FAILED: rctl read $keys keys of $N" >&2; exit 1; }

hyperfine -N --runs "$RUNS" --warmup 1 --export-json "$WORK/h.json" \
  -n "redis-cli --memkeys" "taskset -c $CLIENT_CPU redis-cli -p $PORT --memkeys" \
  -n "redis-cli --bigkeys" "taskset -c $CLIENT_CPU redis-cli -p $PORT --bigkeys" \
  -n "rctl keys analyze" "taskset -c $CLIENT_CPU $RCTL -p $PORT keys analyze -o json -q" >/dev/null
python3 - "$WORK/h.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
rctl = r["rctl keys analyze"]
for name, median in r.items():
    line = f"{name:22s} median {median:7.2f}s"
    if name != "rctl keys analyze":
        line += f"   ({median / rctl:.2f}x rctl's time: rctl is {median / rctl:.2f}x as fast)"
    print(line)
PY

rss() { taskset -c "$CLIENT_CPU" /usr/bin/time -f "%M" "$RCTL" -p "$PORT" keys analyze -o json -q 2>&1 >/dev/null | tail -1; }
echo "rctl peak RSS: $(rss) kB at $N mixed keys"
# Peak RSS against the size of the keyspace: 1M and 4M keys filled server-side by DEBUG
# POPULATE (seconds instead of minutes; the bench's own server, never rctl, sends DEBUG).
redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
start_server populate --enable-debug-command local
for n in ${RSS_SIZES:-1000000 4000000}; do
  redis-cli -p "$PORT" flushall >/dev/null
  redis-cli -p "$PORT" debug populate "$n" key 16 >/dev/null
  echo "rctl peak RSS: $(rss) kB at $n keys (DEBUG POPULATE, 16-byte strings)"
done
