#!/usr/bin/env bash
# A real demo on a bare machine: installs what is needed, builds rctl, starts a throwaway
# redis-server on a free loopback port, puts some application-like data in it, runs rctl
# against it, and stops the server again (also on Ctrl-C or failure).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh rctl >/dev/null

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
# A Flask-Session session (a pickle under session:<sid>, with the app's lifetime as TTL) and a
# Flask-Limiter fixed-window counter: 3 of 5 logins used this minute.
python3 -c 'import pickle,sys; sys.stdout.buffer.write(pickle.dumps({"_permanent": True, "user_id": 42, "cart": [1, 2], "csrf_token": "0f3a9c"}))' \
  | redis-cli -p "$port" -x setex session:5d1f8a52-3c4b-4e6f-9a0b-7c8d9e0f1a2b 2678400 >/dev/null
redis-cli -p "$port" set LIMITER/203.0.113.7/login/5/1/minute 3 EX 60 >/dev/null

run health
run health -o nagios
run stats
run stats --watch 1s --count 3
run keys analyze --top 5
run slowlog --limit 5
run clients
run latency --count 2 --interval 500ms
run call GET user:42:profile
run cache get user:42:profile
run cache keys app:cache: --limit 5
run cache invalidate app:cache: --dry-run --sample 3
run cache invalidate app:cache: --yes
run test --only strings,transactions,pubsub
run session list
run session show 5d1f8a52-3c4b-4e6f-9a0b-7c8d9e0f1a2b
run ratelimit list
run job enqueue myapp.tasks.send_email ann@example.com --queue mail --job-id demo-1
run job status demo-1
run job queues
echo
echo "demo done; the server on port $port is stopped now."
