#!/usr/bin/env bash
# rctl ratelimit benchmark. Server pinned to CPU 0, client on CPU 1.
#  1. list: N Flask-Limiter keys (3/4 fixed-window counters, 1/4 moving-window lists of 1-3
#     hit times) among N other keys.
#       a) redis-cli --scan --pattern 'LIMIT*' | xargs -n 500 redis-cli mget  (counters only:
#          no TTLs, no lists, no arithmetic; the floor of a manual recipe)
#       b) rctl ratelimit list (every key read and computed, 100 most used kept)
#     hyperfine medians and the ratio; rctl's answer is checked (limiters_total == N).
#  2. probe: hits per second for each strategy at 1 and 50 connections (from the probe's own
#     elapsed_ms: first hit sent to last reply).
# N (default 200000) and RUNS (default 5) can be set in the environment.
source "$(dirname "$0")/lib.sh"
N=${N:-200000}
RUNS=${RUNS:-5}

start_server single
python3 - "$N" > "$WORK/load.resp" <<'PY'
import sys, time
n = int(sys.argv[1])
now = time.time()
out = sys.stdout.buffer
def cmd(*args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
for i in range(n):
    ip = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"
    if i % 4:
        cmd("SET", f"LIMITER/{ip}/api/100/1/minute", i % 100 + 1, "EX", 600)
    else:
        cmd("LPUSH", f"LIMITER/{ip}/login/5/10/minute", *[repr(now - k) for k in range(i % 3 + 1)])
        cmd("EXPIRE", f"LIMITER/{ip}/login/5/10/minute", 600)
    cmd("SET", f"other:{i}", "x")
PY
redis-cli -p "$PORT" --pipe < "$WORK/load.resp" >/dev/null
echo "loaded: $(redis-cli -p "$PORT" dbsize) keys"

total=$(taskset -c "$CLIENT_CPU" "$RCTL" -p "$PORT" ratelimit list -o json -q |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["limiters_total"])')
[ "$total" = "$N" ] || { echo "VERIFY FAILED: rctl found $total limiters, expected $N" >&2; exit 1; }

hyperfine -N --runs "$RUNS" --export-json "$WORK/list.json" \
  "taskset -c $CLIENT_CPU bash -c \"redis-cli -p $PORT --scan --pattern 'LIMIT*' | xargs -n 500 redis-cli -p $PORT mget >/dev/null\"" \
  "taskset -c $CLIENT_CPU $RCTL -p $PORT ratelimit list -o json -q" >/dev/null
read -r a b ratio < <(median_ratio "$WORK/list.json")
echo "list, $N limiters among $((2 * N)) keys:"
echo "  a) redis-cli --scan | xargs mget   median $a"
echo "  b) rctl ratelimit list             median $b  (rctl ${ratio}x as fast)"

echo "probe (hits/s, first hit sent to last reply):"
for strategy in fixed moving sliding; do
  for c in 1 50; do
    hps=$(taskset -c "$CLIENT_CPU" "$RCTL" -p "$PORT" ratelimit probe --limit 100000/hour --strategy "$strategy" \
            --hits 200000 --concurrency "$c" -o json |
          python3 -c 'import json,sys; p=json.load(sys.stdin)["probes"][0]; assert p["verdict"]=="pass", p; print(round(p["hits"] / p["elapsed_ms"] * 1000))')
    echo "  $strategy, $c connection(s): $hps hits/s"
  done
done
