#!/usr/bin/env bash
# Cluster invalidation benchmark: 3 primaries (no replicas) pinned to CPU 0, 600,000 keys of
# which 300,000 under app:cache:, loaded per primary with --pipe (keys split by slot, no MOVED).
#   k5) per primary: redis-cli --scan | awk (UNLINK per key) | redis-cli --pipe, all primaries
#       in parallel (the fastest working redis-cli recipe; xargs fails with CROSSSLOT)
#   rctl) rctl cache invalidate app:cache: --yes (every primary concurrently, same-slot batches)
# Target: rctl >= 3x faster than k5. Every run is verified.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
N=${N:-300000}

start_cluster
echo "generating $((2 * N)) keys split by slot..."
python3 - "$N" "$WORK/load" "${ports[@]}" <<PY
import sys, subprocess, json
sys.path.insert(0, "$BENCH_DIR")
from gen_keys import crc16, cmd
n, prefix, ports = int(sys.argv[1]), sys.argv[2], [int(p) for p in sys.argv[3:]]
slots = json.loads(subprocess.run(["redis-cli", "-p", str(ports[0]), "--json", "cluster", "slots"], capture_output=True, text=True).stdout)
owner = [0] * 16384
for s in slots:
    for slot in range(s[0], s[1] + 1):
        owner[slot] = ports.index(int(s[2][1]))
files = [open(f"{prefix}.{i}", "wb") for i in range(len(ports))]
for i in range(n):
    for key in (b"app:cache:%d" % i, b"other:%d" % i):
        files[owner[crc16(key) % 16384]].write(cmd(b"SET", key, b"val:%d" % i))
for f in files: f.close()
PY

reload() {
  for i in 0 1 2; do
    redis-cli -p "${ports[$i]}" flushall >/dev/null
    redis-cli -p "${ports[$i]}" --pipe < "$WORK/load.$i" >/dev/null
  done
}
total() { local t=0; for p in "${ports[@]}"; do t=$((t + $(redis-cli -p "$p" dbsize))); done; echo $t; }
verify() {
  local left app=0
  left=$(total)
  for p in "${ports[@]}"; do
    app=$((app + $(redis-cli -p "$p" eval "local c='0' local n=0 repeat local r=redis.call('SCAN',c,'MATCH',ARGV[1],'COUNT',10000) c=r[1] n=n+#r[2] until c=='0' return n" 0 'app:cache:*')))
  done
  [ "$left" = "$N" ] && [ "$app" = 0 ] || { echo "VERIFY FAILED: total=$left app:cache left=$app" >&2; exit 1; }
}
recipe_k5() {
  for p in $PORTS; do
    redis-cli -p "$p" --scan --pattern 'app:cache:*' \
      | awk '{printf "*2\r\n$6\r\nUNLINK\r\n$%d\r\n%s\r\n", length($0), $0}' | redis-cli -p "$p" --pipe >/dev/null &
  done
  wait
}
recipe_rctl() { "$RCTL" -p "$SEED" cache invalidate app:cache: --yes -q >/dev/null; }
export -f recipe_k5 recipe_rctl
export PORTS="${ports[*]}" SEED="${ports[0]}" RCTL

declare -A times
for r in $(seq "$RUNS"); do
  for name in k5 rctl; do
    reload
    [ "$(total)" = "$((2 * N))" ] || { echo "load failed" >&2; exit 1; }
    t0=$EPOCHREALTIME
    taskset -c "$CLIENT_CPU" bash -c "recipe_$name"
    t1=$EPOCHREALTIME
    verify
    t=$(python3 -c "print(round($t1 - $t0, 3))")
    times[$name]+="$t "
    echo "run $r $name: ${t}s"
  done
done
python3 - "$N" "${times[k5]}" "${times[rctl]}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
k5, r = (statistics.median(map(float, v.split())) for v in sys.argv[2:4])
print(f"k5 per-primary --scan | awk | --pipe (parallel)  median {k5:6.2f}s  {n / k5:>9,.0f} keys/s")
print(f"rctl cache invalidate                             median {r:6.2f}s  {n / r:>9,.0f} keys/s")
print(f"rctl vs k5: {k5 / r:.1f}x faster (target >= 3x)")
PY
