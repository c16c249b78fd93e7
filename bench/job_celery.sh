#!/usr/bin/env bash
# `rctl job queues|list|enqueue --system celery` against what a Celery user runs, as whole
# processes (start-up included): `celery inspect active_queues` (needs a live worker: one is
# started on an otherwise unused queue), and the fair "own API" equivalent, a Python one-liner
# with redis-py reading the queues' lengths / peeking and decoding messages as kombu stores
# them. Enqueue: one process per task, rctl vs `app.send_task(...)`; ENQUEUE_RUNS (default 200)
# of each are timed and the median extrapolated to 10,000 tasks (said in the output).
# Prints medians and the ratio rctl/other (lower is better).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-30}
ENQUEUE_RUNS=${ENQUEUE_RUNS:-200}
PY=/usr/bin/python3

start_server plain
URL=redis://127.0.0.1:$PORT
cat > "$WORK/bench_app.py" <<PYAPP
from celery import Celery
app = Celery("bench_app", broker="$URL", backend="$URL")
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                broker_connection_retry_on_startup=True)

@app.task(name="bench_app.add")
def add(x, y):
    return x + y
PYAPP
export PYTHONPATH=$WORK

# 5 queues, 2,000 waiting tasks each, sent by Celery's own client.
$PY -c "import bench_app
for q in ['celery', 'mail', 'reports', 'billing', 'search']:
    for i in range(2000):
        bench_app.add.apply_async((i, i), queue=q)"

# A live worker for `celery inspect`, consuming a queue nobody sends to.
(cd "$WORK" && exec taskset -c "$SERVER_CPU" $PY -m celery -A bench_app worker --pool solo -Q idle -n bench@localhost \
  -l warning --without-gossip --without-mingle >"$WORK/worker.log" 2>&1) &
PIDS+=("$!")
for _ in $(seq 200); do
  [ "$(redis-cli -p "$PORT" exists _kombu.binding.celery.pidbox)" = 1 ] && break
  sleep 0.1
done

bench() { compare_medians "$1" "$2" 2 "$3" "$4"; }

echo "job --system celery vs Celery, whole-process medians over $RUNS runs (server CPU $SERVER_CPU, client CPU $CLIENT_CPU)"
bench queues inspect "$RCTL -u $URL job queues --system celery -o json" \
  "$PY -m celery -A bench_app inspect active_queues -t 1 -j"
bench queues redis-py "$RCTL -u $URL job queues --system celery -o json" \
  "$PY -c \"import redis; r = redis.Redis.from_url('$URL'); qs = {m.split(b'\\x06\\x16')[2] for k in r.scan_iter(match='_kombu.binding.*') for m in r.smembers(k)}; print({q: sum(r.llen(q + s) for s in (b'', b'\\x06\\x163', b'\\x06\\x166', b'\\x06\\x169')) for q in qs}, r.hlen('unacked'))\""
bench list redis-py "$RCTL -u $URL job list --system celery --limit 100 -o json" \
  "$PY -c \"import redis, json, base64; r = redis.Redis.from_url('$URL'); ms = [json.loads(m) for m in reversed(r.lrange('celery', -100, -1))]; print(r.llen('celery'), [(m['headers']['id'], m['headers']['task'], json.loads(base64.b64decode(m['body']))[:2]) for m in ms])\""

RUNS=$ENQUEUE_RUNS
taskset -c "$CLIENT_CPU" hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$WORK/enqueue.json" \
  "$RCTL -u $URL job enqueue --system celery bench_app.add :1 :2" \
  "$PY -c \"import bench_app; bench_app.app.send_task('bench_app.add', (1, 2))\"" >/dev/null 2>&1
read -r ma mb ratio < <(median_ratio "$WORK/enqueue.json")
python3 - "$ma" "$mb" "$ratio" "$RUNS" <<'PY'
import sys
a, b, ratio, runs = float(sys.argv[1][:-2]), float(sys.argv[2][:-2]), sys.argv[3], sys.argv[4]
print(f"enqueue  rctl {a:.2f}ms send_task {b:.2f}ms ratio {ratio} per task; 10,000 tasks one process each "
      f"(extrapolated from {runs} timed runs of each): rctl {a * 10:.0f}s, send_task {b * 10:.0f}s")
PY
