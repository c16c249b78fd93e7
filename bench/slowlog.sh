#!/usr/bin/env bash
# `rctl slowlog` against `redis-cli slowlog get 128`, as whole processes (start-up included),
# with a full slow log of 128 entries: standalone (one node, where redis-cli is one round
# trip) and as JSON. Prints medians and the ratio rctl/redis-cli (issue 19: rctl no slower).
# rctl also sends LATENCY LATEST and parses, merges and renders what redis-cli prints raw.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-60}

start_server plain --slowlog-log-slower-than 0 --slowlog-max-len 128
PLAIN=$PORT
# 128 entries with realistic arguments: keys, values, a long argument Redis shortens itself.
for i in $(seq 200); do echo "SET bench:key:$i value-$i-$(head -c 200 /dev/zero | tr '\0' x)"; done |
  redis-cli -p "$PLAIN" >/dev/null

bench() { compare_medians "$1" redis-cli 10 "$2" "$3"; }

echo "slowlog vs redis-cli slowlog get 128, whole-process medians over $RUNS runs" \
  "(server CPU $SERVER_CPU, client CPU $CLIENT_CPU)"
bench table "$RCTL -p $PLAIN slowlog" "redis-cli -p $PLAIN slowlog get 128"
bench json "$RCTL -p $PLAIN -o json slowlog" "redis-cli -p $PLAIN slowlog get 128"
