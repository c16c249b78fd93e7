#!/usr/bin/env bash
# `rctl job enqueue` against `rq enqueue` (RQ 1.13's own CLI, what a shell without rctl runs),
# `rctl job status` against reading the same job with RQ from Python, `job queues` against
# `rq info` and `job list --limit 100` against RQ's Queue.get_jobs, as whole processes
# (start-up included; 2,000 jobs queued on `default`). Prints medians and the ratio rctl/rq (lower is better).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-40}

start_server plain
URL=redis://127.0.0.1:$PORT
JOB=$("$RCTL" -q -u "$URL" job enqueue os.path.join a b --job-id bench-status)
/usr/bin/python3 -c "import redis; from rq import Queue; q = Queue(connection=redis.Redis.from_url('$URL'))
for i in range(2000): q.enqueue('os.path.join', 'a', str(i))"

bench() { compare_medians "$1" rq 3 "$2" "$3"; }

echo "job commands vs RQ, whole-process medians over $RUNS runs (server CPU $SERVER_CPU, client CPU $CLIENT_CPU)"
bench enqueue "$RCTL -u $URL job enqueue os.path.join a :1 k:=[true]" \
  "/usr/bin/python3 -m rq.cli enqueue -u $URL os.path.join a :1 k:=[true]"
bench status "$RCTL -u $URL job status $JOB -o json" \
  "/usr/bin/python3 -c \"import redis; from rq.job import Job; j = Job.fetch('$JOB', connection=redis.Redis.from_url('$URL')); print(j.get_status(), j.args, j.latest_result())\""
bench queues "$RCTL -u $URL job queues -o json" "/usr/bin/python3 -m rq.cli info -u $URL"
bench list "$RCTL -u $URL job list --queue default --state queued --limit 100 -o json" \
  "/usr/bin/python3 -c \"import redis; from rq import Queue; q = Queue(connection=redis.Redis.from_url('$URL')); print(q.count, [(j.id, j.func_name, j.args, j.get_status()) for j in q.get_jobs(0, 100)])\""
