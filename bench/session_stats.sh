#!/usr/bin/env bash
# Session scan benchmark (issue "rctl session"): N Flask-Session pickled sessions plus N other
# keys, server pinned to CPU 0, client on CPU 1. Compares, on the same data:
#   a) the script people write instead: redis-py SCAN MATCH session:* + pipelined GET/PTTL
#      (500 keys per pipeline) + pickle.loads (which executes whatever the pickle says) and
#      counting per user and TTL range
#   b) rctl session stats (data-only pickle reader, every decode, histograms, top users)
# and rctl's peak RSS at N and at N/10 (it should not grow with the number of sessions).
# RUNS (default 3) and N (default 200000) can be set in the environment.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
N=${N:-200000}

start_server single
load() {
  redis-cli -p "$PORT" flushall >/dev/null
  python3 "$BENCH_DIR/gen_sessions.py" "$1" "$WORK/load.resp"
  redis-cli -p "$PORT" --pipe < "$WORK/load.resp" >/dev/null
  [ "$(redis-cli -p "$PORT" dbsize)" = "$((2 * $1))" ] || { echo "load failed" >&2; exit 1; }
}

cat > "$WORK/py_stats.py" <<'PY'
import collections, pickle, sys
import redis
r = redis.Redis(port=int(sys.argv[1]))
count, users, ttls = 0, collections.Counter(), collections.Counter()
batch = []
def flush():
    global count
    p = r.pipeline(transaction=False)
    for k in batch:
        p.get(k); p.pttl(k)
    res = p.execute()
    for i in range(0, len(res), 2):
        if res[i] is None: continue
        s = pickle.loads(res[i]); count += 1
        users[s.get("user_id")] += 1
        ttls[min(res[i + 1] // 86400000, 30)] += 1
    batch.clear()
for k in r.scan_iter(match="session:*", count=500):
    batch.append(k)
    if len(batch) >= 500: flush()
flush()
print(count, users.most_common(1))
PY

echo "loading $N sessions + $N other keys..."
load "$N"
expected=$N
check_a() { [ "$(/usr/bin/python3 "$WORK/py_stats.py" "$PORT" | cut -d' ' -f1)" = "$expected" ]; }
check_b() { [ "$("$RCTL" -p "$PORT" session stats -o json -q | python3 -c 'import json,sys; print(json.load(sys.stdin)["sessions"])')" = "$expected" ]; }
check_a || { echo "VERIFY FAILED (python)" >&2; exit 1; }
check_b || { echo "VERIFY FAILED (rctl)" >&2; exit 1; }

export PORT RCTL WORK
hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/h.json" \
  -n "python redis-py + pickle.loads" "taskset -c $CLIENT_CPU /usr/bin/python3 $WORK/py_stats.py $PORT" \
  -n "rctl session stats" "taskset -c $CLIENT_CPU $RCTL -p $PORT session stats -o json -q" >/dev/null
read -r a b ratio < <(median_ratio "$WORK/h.json")
echo "python redis-py + pickle.loads: median $a"
echo "rctl session stats:             median $b   (python/rctl = ${ratio}: rctl is ${ratio}x as fast)"

# The server's own time for the same work: one more run of rctl after CONFIG RESETSTAT, its
# wall time against the SCAN + MGET/GET + PTTL time INFO commandstats counts (rctl reads a
# page's values with MGET) and against the server's whole main-thread CPU, which adds reading
# and writing the sockets.
server_cpu() { redis-cli -p "$PORT" info cpu | awk -F: '/used_cpu_(user|sys)_main_thread/ { s += $2 } END { print s }'; }
redis-cli -p "$PORT" config resetstat >/dev/null
cpu0=$(server_cpu)
t0=$(date +%s.%N)
taskset -c "$CLIENT_CPU" "$RCTL" -p "$PORT" session stats -o json -q >/dev/null
t1=$(date +%s.%N)
cpu1=$(server_cpu)
redis-cli -p "$PORT" info commandstats | python3 -c '
import re, sys
wall, cpu = float(sys.argv[1]), float(sys.argv[2])
usec = sum(int(m.group(2)) for m in re.finditer(r"cmdstat_(\w+):calls=\d+,usec=(\d+)", sys.stdin.read())
           if m.group(1) in ("scan", "mget", "get", "pttl"))
print(f"rctl session stats wall {wall:.2f}s; server: SCAN+MGET+PTTL {usec / 1e6:.2f}s (wall/that = {wall / (usec / 1e6):.2f}), "
      f"main-thread CPU {cpu:.2f}s (wall/that = {wall / cpu:.2f})")' "$(echo "$t1 - $t0" | bc)" "$(echo "$cpu1 - $cpu0" | bc)"

# Peak RSS of `stats` (which keeps one counter per distinct user, N/5 users here, capped at
# 100,000) and of `list --limit 10` (nothing per session) at N and N/10 sessions.
rss() { taskset -c "$CLIENT_CPU" /usr/bin/time -f "%M" "$RCTL" -p "$PORT" session "$@" -o json -q 2>&1 >/dev/null | tail -1; }
stats_n=$(rss stats); list_n=$(rss list --limit 10)
load "$((N / 10))"
stats_small=$(rss stats); list_small=$(rss list --limit 10)
echo "rctl peak RSS, stats:          ${stats_small} kB at $((N / 10)) sessions, ${stats_n} kB at $N sessions"
echo "rctl peak RSS, list --limit 10: ${list_small} kB at $((N / 10)) sessions, ${list_n} kB at $N sessions"
