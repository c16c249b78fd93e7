#!/usr/bin/env bash
# `rctl cache get K` against `redis-cli get K` as whole processes (start-up included), the
# same key, the same run. Target: rctl no slower (ratio <= 1.0).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-60}
start_server get
redis-cli -p "$PORT" set somekey '{"user": 42, "name": "ann"}' >/dev/null
taskset -c "$CLIENT_CPU" hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$WORK/get.json" \
  "$RCTL -p $PORT cache get somekey -o json" "redis-cli -p $PORT get somekey" >/dev/null 2>&1
read -r a b ratio < <(median_ratio "$WORK/get.json")
echo "cache get vs redis-cli get, whole-process medians over $RUNS runs: rctl $a, redis-cli $b, ratio $ratio"
