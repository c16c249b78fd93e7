#!/usr/bin/env bash
# `rctl call GET k` against `redis-cli GET k` as whole processes (start-up included), the same
# key, the same run; standalone, and against the seed of a 3-primary cluster, where rctl reads
# the topology and asks COMMAND GETKEYS first. Target: rctl no slower (ratio <= 1.0) in both.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-60}
start_server call
redis-cli -p "$PORT" set k '{"user": 42, "name": "ann"}' >/dev/null
taskset -c "$CLIENT_CPU" hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$WORK/call.json" \
  "$RCTL -p $PORT call GET k" "redis-cli -p $PORT GET k" >/dev/null 2>&1
read -r a b ratio < <(median_ratio "$WORK/call.json")
echo "call GET vs redis-cli GET, whole-process medians over $RUNS runs: rctl $a, redis-cli $b, ratio $ratio"
taskset -c "$CLIENT_CPU" hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$WORK/call_json.json" \
  "$RCTL -p $PORT -o json call GET k" "redis-cli -p $PORT GET k" >/dev/null 2>&1
read -r a b ratio < <(median_ratio "$WORK/call_json.json")
echo "call -o json GET vs redis-cli GET: rctl $a, redis-cli $b, ratio $ratio"

# A cluster: rctl reads the topology (CLUSTER SHARDS) and the command's keys (COMMAND GETKEYS)
# before sending; redis-cli -c sends to the seed and follows MOVED. The key is chosen so that
# the seed does not own it, so both pay one extra round trip.
start_cluster
key=k
for candidate in k a b c d e f g h; do
  if redis-cli -p "${ports[0]}" get "$candidate" 2>&1 | grep -q MOVED; then key=$candidate; break; fi
done
redis-cli -c -p "${ports[0]}" set "$key" v >/dev/null
taskset -c "$CLIENT_CPU" hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$WORK/call_cluster.json" \
  "$RCTL -p ${ports[0]} call GET $key" "redis-cli -c -p ${ports[0]} GET $key" >/dev/null 2>&1
read -r a b ratio < <(median_ratio "$WORK/call_cluster.json")
echo "cluster: call GET vs redis-cli -c GET (MOVED followed): rctl $a, redis-cli $b, ratio $ratio"
