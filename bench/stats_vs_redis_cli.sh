#!/usr/bin/env bash
# `rctl stats -o json` against `redis-cli info`, as whole processes (start-up included), one
# INFO round trip each, plain and over TLS. Prints medians and the ratio rctl/redis-cli
# (target: <= 1.0 on both).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-60}

make_certs
start_server plain
PLAIN=$PORT
TLS_PORT=$(free_port)
start_server tls --tls-port "$TLS_PORT" --tls-cert-file "$WORK/server.crt" \
  --tls-key-file "$WORK/server.key" --tls-ca-cert-file "$WORK/ca.crt" --tls-auth-clients no
redis-benchmark -p "$PLAIN" -q -n 20000 -r 1000 -t set,get >/dev/null 2>&1

bench() { compare_medians "$1" redis-cli 10 "$2" "$3"; }

echo "stats vs INFO, whole-process medians over $RUNS runs (server CPU $SERVER_CPU, client CPU $CLIENT_CPU)"
bench plain "$RCTL -p $PLAIN stats -o json" "redis-cli -p $PLAIN info"
bench tls "$RCTL -u rediss://localhost:$TLS_PORT --cacert $WORK/ca.crt stats -o json" \
  "redis-cli --tls --cacert $WORK/ca.crt -h localhost -p $TLS_PORT info"
