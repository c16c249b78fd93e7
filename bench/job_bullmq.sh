#!/usr/bin/env bash
# rctl job --system bullmq against BullMQ's own Node API doing the same (tests/peers/bullmq,
# installed by scripts/setup.sh), as whole processes (start-up included):
#   queues   rctl job queues --system bullmq Q   vs  node: Queue.getJobCounts()
#   list     rctl job list --limit 100 -o json   vs  node: Queue.getJobs(['waiting'], 0, 99) as JSON
#   enqueue  one process per job: rctl job enqueue vs node: queue.add. $SAMPLE jobs each (default
#            200), timed as a loop and extrapolated to 10,000 (10,000 processes per tool would
#            take minutes and say nothing more about the per-job cost).
# Prints medians and the ratio rctl/node (lower is better).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-30}
SAMPLE=${SAMPLE:-200}
BULLMQ="$ROOT/tests/peers/bullmq/node_modules/bullmq"
[ -d "$BULLMQ" ] || { echo "tests/peers/bullmq/node_modules missing: run scripts/setup.sh" >&2; exit 1; }

start_server plain
node_js() {  # node_js CODE: a Node one-liner with Queue `q` on queue "bench"
  printf "const {Queue}=require('%s');const q=new Queue('bench',{connection:{host:'127.0.0.1',port:%s}});(async()=>{%s;await q.close();})()" \
    "$BULLMQ" "$PORT" "$1"
}
# 2,000 waiting jobs and 500 delayed, added by BullMQ itself.
node -e "$(node_js "await q.addBulk(Array.from({length:2000},(_, i)=>({name:'mail',data:{to:'user'+i+'@example.org',n:i}})));await q.addBulk(Array.from({length:500},(_, i)=>({name:'later',data:{i},opts:{delay:3600000}})))")"

echo "BullMQ: rctl vs BullMQ's Node API, whole-process medians over $RUNS runs (server CPU $SERVER_CPU, client CPU $CLIENT_CPU)"
compare_medians queues node 3 "$RCTL -p $PORT job queues --system bullmq bench -o json" \
  "node -e \"$(node_js 'console.log(JSON.stringify(await q.getJobCounts()))')\""
compare_medians list node 3 "$RCTL -p $PORT job list --system bullmq --queue bench --limit 100 -o json" \
  "node -e \"$(node_js "console.log(JSON.stringify(await q.getJobs(['waiting'],0,99)))")\""

per_job_ms() {  # per_job_ms CMD...: runs CMD $SAMPLE times (one process each), prints ms per job
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$SAMPLE"); do taskset -c "$CLIENT_CPU" "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  python3 -c "print(f'{($end - $start) / 1e6 / $SAMPLE:.2f}')"
}
rctl_ms=$(per_job_ms "$RCTL" -p "$PORT" job enqueue --system bullmq --queue enq mail to=a@example.org n:=1)
node_ms=$(per_job_ms node -e "$(node_js "await new Queue('enq',{connection:{host:'127.0.0.1',port:$PORT}}).add('mail',{to:'a@example.org',n:1}).then(j=>j.queue.close())")")
python3 - "$rctl_ms" "$node_ms" "$SAMPLE" <<'PY'
import sys
r, n, s = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print(f"enqueue  rctl {r:.2f}ms/job node {n:.2f}ms/job ratio {r/n:.2f}  "
      f"(10,000 jobs, extrapolated from {s} each: rctl {r*10:.0f}s, node {n*10:.0f}s)")
PY
echo "jobs in 'enq': $(redis-cli -p "$PORT" llen bull:enq:wait) (2 x $SAMPLE expected)"
