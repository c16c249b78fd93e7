#!/usr/bin/env bash
# `rctl job ... --system sidekiq` against Sidekiq 6.4's own Ruby API doing the same, as whole
# processes (start-up included): `job queues` vs Sidekiq::Stats + Sidekiq::Queue.all (+ the
# process set), `job list --limit 100` vs Sidekiq::Queue#first(100), and one enqueue per
# process vs `ruby -e 'Sidekiq::Client.push(...)'`. Enqueueing 10,000 jobs one process per
# job is extrapolated from ENQUEUE_RUNS samples of each (median x 10,000; said in the output).
# Prints medians and the ratio rctl/ruby (lower is better).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-40}
ENQUEUE_RUNS=${ENQUEUE_RUNS:-200}

start_server plain
export REDIS_URL=redis://127.0.0.1:$PORT/0
# Three queues of 2,000 jobs each and 500 members in each of retry, dead and schedule, written
# by Sidekiq's own client and API.
ruby -W0 -e '
require "sidekiq"
require "sidekiq/api"
%w[default mail reports].each do |q|
  4.times { Sidekiq::Client.push_bulk("class" => "BenchWorker", "queue" => q, "args" => Array.new(500) { |i| [i, "x" * 40] }) }
end
Sidekiq.redis do |r|
  now = Time.now.to_f
  500.times do |i|
    job = {"retry" => true, "queue" => %w[default mail][i % 2], "class" => "BenchWorker", "args" => [i],
           "jid" => format("%024x", i), "created_at" => now, "enqueued_at" => now,
           "error_class" => "RuntimeError", "error_message" => "boom #{i}", "retry_count" => 0, "failed_at" => now}
    r.zadd("retry", now + 3600 + i, Sidekiq.dump_json(job))
    r.zadd("dead", now - i, Sidekiq.dump_json(job.merge("jid" => format("d%023x", i))))
    r.zadd("schedule", now + 60 + i, Sidekiq.dump_json(job.merge("jid" => format("s%023x", i))))
  end
end' 2>/dev/null

bench() { compare_medians "$1" ruby 3 "$2" "$3"; }

echo "job --system sidekiq vs Sidekiq's Ruby API, whole-process medians over $RUNS runs (server CPU $SERVER_CPU, client CPU $CLIENT_CPU)"
bench queues "$RCTL job queues --system sidekiq -o json" \
  "ruby -W0 -e 'require \"sidekiq/api\"; s = Sidekiq::Stats.new; Sidekiq::Queue.all.each { |q| puts [q.name, q.size, q.latency].join(\" \") }; puts [s.processed, s.failed, s.scheduled_size, s.retry_size, s.dead_size, s.workers_size].join(\" \"); Sidekiq::ProcessSet.new.each { |p| puts p[\"identity\"] }'"
bench list "$RCTL job list --system sidekiq --queue mail --limit 100 -o json" \
  "ruby -W0 -e 'require \"sidekiq/api\"; require \"json\"; Sidekiq::Queue.new(\"mail\").first(100).each { |j| puts JSON.generate([j.jid, j.klass, j.args, j.enqueued_at]) }'"
RUNS=$ENQUEUE_RUNS compare_medians enqueue ruby 3 "$RCTL job enqueue --system sidekiq --queue bench BenchWorker :1 x" \
  "ruby -W0 -e 'require \"sidekiq\"; Sidekiq::Client.push(\"class\" => \"BenchWorker\", \"queue\" => \"bench\", \"args\" => [1, \"x\"])'"
python3 - "$WORK/enqueue.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, b = r[0]["median"], r[1]["median"]
print(f"10,000 enqueues, one process each (extrapolated from {len(r[0]['times'])} samples of each): "
      f"rctl {a * 10000:.0f}s ruby {b * 10000:.0f}s ratio {a / b:.2f}")
PY
