#!/usr/bin/env bash
# `rctl job enqueue` against `rq enqueue` (RQ 1.13's own CLI, what a shell without rctl runs),
# and `rctl job status` against reading the same job with RQ from Python, as whole processes
# (start-up included). Prints medians and the ratio rctl/rq (lower is better).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-40}

start_server plain
URL=redis://127.0.0.1:$PORT
JOB=$("$RCTL" -q -u "$URL" job enqueue os.path.join a b --job-id bench-status)

bench() { compare_medians "$1" rq 3 "$2" "$3"; }

echo "job commands vs RQ, whole-process medians over $RUNS runs (server CPU $SERVER_CPU, client CPU $CLIENT_CPU)"
bench enqueue "$RCTL -u $URL job enqueue os.path.join a :1 k:=[true]" \
  "/usr/bin/python3 -m rq.cli enqueue -u $URL os.path.join a :1 k:=[true]"
bench status "$RCTL -u $URL job status $JOB -o json" \
  "/usr/bin/python3 -c \"import redis; from rq.job import Job; j = Job.fetch('$JOB', connection=redis.Redis.from_url('$URL')); print(j.get_status(), j.args, j.latest_result())\""
