# Worker classes for tests/integration/test_job_sidekiq.py, run by a real `sidekiq -r`
# process (Debian's ruby-sidekiq 6.4). Each records what it did in a Redis key the test
# reads, so the test sees that the real worker ran what rctl enqueued or moved back.
require "json"
require "sidekiq"

# Writes its arguments to marker:<jid>.
class MarkerWorker
  include Sidekiq::Worker

  def perform(*args)
    Sidekiq.redis { |r| r.set("marker:#{jid}", JSON.generate(args)) }
  end
end

# Fails the first time it runs for a name (counted in flaky:<name>), succeeds after. The
# retry is scheduled an hour ahead so that only `rctl job retry` brings it back in a test.
class FlakyWorker
  include Sidekiq::Worker
  sidekiq_retry_in { |_count, _exception| 3600 }

  def perform(name)
    n = Sidekiq.redis { |r| r.incr("flaky:#{name}") }
    raise ArgumentError, "flaky #{name} attempt #{n}" if n == 1
    Sidekiq.redis { |r| r.set("done:#{name}", n) }
  end
end

# retry: 0 — the first failure sends the job straight to the dead set.
class DoomedWorker
  include Sidekiq::Worker
  sidekiq_options retry: 0

  def perform(name)
    n = Sidekiq.redis { |r| r.incr("doomed:#{name}") }
    raise "doomed #{name} attempt #{n}" if n == 1
    Sidekiq.redis { |r| r.set("done:#{name}", n) }
  end
end
