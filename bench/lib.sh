# Shared helpers for the benchmark scripts: throwaway servers pinned to CPU 0, clients on
# CPU 1, and hyperfine medians. Why that placement: on a 2-vCPU VM a round trip between two
# vCPUs is ~5x slower than on one (PING p50 0.079 ms vs 0.015 ms), and unpinned runs split into
# a fast and a slow group; server and client on different, fixed CPUs gives stable medians and
# behaves like a client on another host (README "Benchmarks" has the figures).

set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
RCTL=${RCTL:-$ROOT/build/commands/rctl}
WORK=$(mktemp -d /tmp/rctl-bench.XXXXXX)
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket,random
while True:
    p=random.randint(20000,44999)
    try:
        a=socket.socket(); a.bind(("127.0.0.1",p)); b=socket.socket(); b.bind(("127.0.0.1",p+10000)); a.close(); b.close(); print(p); break
    except OSError: pass'
}

# start_server NAME ARGS... : starts redis-server pinned to SERVER_CPU; sets $PORT.
start_server() {
  local name=$1; shift
  PORT=$(free_port)
  mkdir -p "$WORK/$name"
  taskset -c "$SERVER_CPU" redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$WORK/$name" --daemonize yes --pidfile "$WORK/$name/pid" --logfile "$WORK/$name/log" "$@"
  for _ in $(seq 100); do
    [ -f "$WORK/$name/pid" ] && redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.05
  done
  PIDS+=("$(cat "$WORK/$name/pid")")
}

# start_cluster: three cluster-mode primaries (no replicas) pinned to SERVER_CPU, every slot
# assigned and the state ok; sets the array $ports.
start_cluster() {
  ports=()
  for i in 0 1 2; do
    start_server "node$i" --cluster-enabled yes --cluster-config-file "$WORK/node$i/nodes.conf"
    ports+=("$PORT")
  done
  redis-cli --cluster create "127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}" \
    --cluster-yes >/dev/null
  for _ in $(seq 100); do
    redis-cli -p "${ports[0]}" cluster info | grep -q cluster_state:ok && break
    sleep 0.1
  done
}

make_certs() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$WORK/ca.key" -out "$WORK/ca.crt" \
    -subj "/CN=bench CA" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$WORK/server.key" -out "$WORK/server.csr" \
    -subj "/CN=localhost" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' > "$WORK/ext"
  openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial \
    -days 2 -out "$WORK/server.crt" -extfile "$WORK/ext" 2>/dev/null
}

# median_ratio JSON: prints "median_a median_b ratio" (seconds) from a two-command hyperfine export.
median_ratio() {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, b = r[0]["median"], r[1]["median"]
print(f"{a*1000:.2f}ms {b*1000:.2f}ms {a/b:.2f}")
PY
}

# compare_medians LABEL OTHER WARMUP RCTL_CMD OTHER_CMD: both commands as whole processes under
# hyperfine on the client CPU ($RUNS runs after WARMUP), then one line
# "LABEL rctl <median> OTHER <median> ratio <rctl/other>".
compare_medians() {
  local label=$1 other=$2 warmup=$3 a=$4 b=$5
  taskset -c "$CLIENT_CPU" hyperfine -N --warmup "$warmup" --runs "$RUNS" --export-json "$WORK/$label.json" "$a" "$b" >/dev/null 2>&1
  read -r ma mb ratio < <(median_ratio "$WORK/$label.json")
  printf '%-8s rctl %-10s %s %-10s ratio %s\n' "$label" "$ma" "$other" "$mb" "$ratio"
}
