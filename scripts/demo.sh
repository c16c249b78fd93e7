#!/usr/bin/env bash
# A real demo on a bare machine: installs what is needed, builds rctl, starts a throwaway
# redis-server on a free loopback port, puts some application-like data in it, runs rctl
# against it, and stops the server again (also on Ctrl-C or failure).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh >/dev/null

rctl=./build/commands/rctl
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
export REDIS_URL="redis://127.0.0.1:$port/0"
"$rctl" health --wait 10s -q >/dev/null

echo "== demo data: 2,000 cache keys, a little traffic"
redis-benchmark -p "$port" -q -n 20000 -r 2000 -t set,get >/dev/null 2>&1 || true
for i in $(seq 1 200); do printf 'SET app:cache:page:%d "<html>%d</html>" EX 600\n' "$i" "$i"; done \
  | redis-cli -p "$port" >/dev/null

run() { echo; echo "\$ rctl $*"; "$rctl" "$@"; }
redis-cli -p "$port" set user:42:profile '{"name": "Ann", "plan": "pro", "tags": ["beta"]}' >/dev/null
python3 -c 'import pickle,sys; sys.stdout.buffer.write(pickle.dumps({"user_id": 42, "cart": [1, 2], "_fresh": True}))' \
  | redis-cli -p "$port" -x set session:demo >/dev/null

run health
run health -o nagios
run stats
run stats --watch 1s --count 3
run cache get user:42:profile session:demo
run cache keys app:cache: --limit 5
run cache invalidate app:cache: --dry-run --sample 3
run cache invalidate app:cache: --yes
echo
echo "demo done; the server on port $port is stopped now."
