#!/usr/bin/env bash
# Invalidate-by-prefix benchmark (issue "rctl cache"): 2,000,000 keys, 1,000,000 under
# app:cache:. Each recipe runs on freshly loaded data, server pinned to CPU 0, client on CPU 1,
# and the result is verified (every app:cache: key gone, every other: key still there).
#   a) redis-cli --scan --pattern 'app:cache:*' | xargs -n 1000 redis-cli unlink
#   b) server-side Lua: SCAN COUNT 1000 + UNLINK, 10 steps per EVAL (blocks ~9 ms per EVAL)
#   c) rctl cache invalidate app:cache: --yes
# Prints median seconds, keys/s, client peak RSS, and the ratios rctl/a and rctl/b (speed).
# RUNS (default 3) and N (keys per family, default 1000000) can be set in the environment;
# RECIPES=c runs rctl alone (e.g. N=2000000 RECIPES=c for its peak RSS at 4M keys).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
RECIPES=${RECIPES:-a b c}
N=${N:-1000000}

echo "generating $((2 * N)) keys..."
python3 "$BENCH_DIR/gen_keys.py" "$N" "$WORK/load.resp"
start_server single
cat > "$WORK/scan_unlink.lua" <<'LUA'
local cur = ARGV[1]; local n = 0
for i = 1, tonumber(ARGV[3]) do
  local r = redis.call('SCAN', cur, 'MATCH', ARGV[2], 'COUNT', tonumber(ARGV[4]))
  cur = r[1]
  if #r[2] > 0 then n = n + redis.call('UNLINK', unpack(r[2])) end
  if cur == '0' then break end
end
return {cur, n}
LUA

reload() {
  redis-cli -p "$PORT" flushall >/dev/null
  redis-cli -p "$PORT" --pipe < "$WORK/load.resp" >/dev/null
  [ "$(redis-cli -p "$PORT" dbsize)" = "$((2 * N))" ] || { echo "load failed" >&2; exit 1; }
}

verify() {
  local left app
  left=$(redis-cli -p "$PORT" dbsize)
  app=$(redis-cli -p "$PORT" eval "local c='0' local n=0 repeat local r=redis.call('SCAN',c,'MATCH',ARGV[1],'COUNT',10000) c=r[1] n=n+#r[2] until c=='0' return n" 0 'app:cache:*')
  [ "$left" = "$N" ] && [ "$app" = 0 ] || { echo "VERIFY FAILED: dbsize=$left app:cache left=$app" >&2; exit 1; }
}

recipe_a() { redis-cli -p "$PORT" --scan --pattern 'app:cache:*' | xargs -n 1000 redis-cli -p "$PORT" unlink >/dev/null; }
recipe_b() {
  local script cur out
  script=$(cat "$WORK/scan_unlink.lua"); cur=0
  while :; do
    out=$(redis-cli -p "$PORT" --raw eval "$script" 0 "$cur" 'app:cache:*' 10 1000)
    cur=${out%%$'\n'*}
    [ "$cur" = 0 ] && break
  done
}
recipe_c() { "$RCTL" -p "$PORT" cache invalidate app:cache: --yes -q >/dev/null; }
export -f recipe_a recipe_b recipe_c
export PORT RCTL WORK

run() {  # run NAME: prints "seconds rss_kb" for one timed run
  reload
  local t0 t1
  t0=$EPOCHREALTIME
  taskset -c "$CLIENT_CPU" /usr/bin/time -f "%M" -o "$WORK/rss" bash -c "recipe_$1"
  t1=$EPOCHREALTIME
  verify
  echo "$(python3 -c "print(round($t1 - $t0, 3))") $(sort -n "$WORK/rss" | tail -1)"
}

declare -A times rss
for r in $(seq "$RUNS"); do
  for name in $RECIPES; do
    read -r t m < <(run "$name")
    times[$name]+="$t "
    rss[$name]=$m
    echo "run $r recipe $name: ${t}s (peak RSS of the largest process ${m} kB)"
  done
done

python3 - "$N" "${times[a]:-}" "${times[b]:-}" "${times[c]:-}" "${rss[a]:-}" "${rss[b]:-}" "${rss[c]:-}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
med = {k: statistics.median(map(float, v.split())) for k, v in zip("abc", sys.argv[2:5]) if v.strip()}
rss = {k: v for k, v in zip("abc", sys.argv[5:8]) if v}
names = {"a": "redis-cli --scan | xargs -n 1000 unlink", "b": "Lua SCAN+UNLINK, 10 steps/EVAL", "c": "rctl cache invalidate"}
for k in med:
    print(f"{names[k]:42s} median {med[k]:7.2f}s  {n / med[k]:>10,.0f} keys/s  RSS {int(rss[k]) / 1024:.1f} MB")
if "a" in med and "c" in med:
    print(f"rctl vs (a): {med['a'] / med['c']:.1f}x faster (target >= 8x)")
if "b" in med and "c" in med:
    print(f"rctl vs (b): {med['b'] / med['c']:.2f}x the speed (target >= 0.9x)")
PY
