#!/usr/bin/env bash
# keys analyze on a cluster (issue 18): 3 primaries (no replicas) pinned to CPU 0, N mixed keys
# (bench/gen_mixed_keys.py) loaded per primary with --pipe (split by slot, no MOVED).
# Compares whole-process medians of
#   a) redis-cli --memkeys on every primary, all in parallel (one node at a time is all it does)
#   b) rctl keys analyze (every primary concurrently, more read per key)
# RUNS (default 3) and N (default 600000) can be set in the environment.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
N=${N:-600000}

start_cluster
echo "loading $N mixed keys split by slot..."
python3 "$BENCH_DIR/gen_mixed_keys.py" "$N" "$WORK/load" "${ports[@]}"
for i in 0 1 2; do redis-cli -p "${ports[$i]}" --pipe < "$WORK/load.$i" >/dev/null; done
rm -f "$WORK"/load.*
keys=$("$RCTL" -p "${ports[0]}" keys analyze -o json -q | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["keys"])')
[ "$keys" = "$N" ] || { echo "VERIFY FAILED: rctl read $keys keys of $N" >&2; exit 1; }

cat > "$WORK/memkeys_all.sh" <<SH
for p in ${ports[*]}; do taskset -c $CLIENT_CPU redis-cli -p \$p --memkeys >/dev/null & done
wait
SH
hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/h.json" \
  -n "redis-cli --memkeys x3 in parallel" "bash $WORK/memkeys_all.sh" \
  -n "rctl keys analyze" "taskset -c $CLIENT_CPU $RCTL -p ${ports[0]} keys analyze -o json -q" >/dev/null
read -r a b ratio < <(median_ratio "$WORK/h.json")
echo "redis-cli --memkeys on 3 primaries in parallel: median $a"
echo "rctl keys analyze:                             median $b   (rctl is ${ratio}x as fast)"
