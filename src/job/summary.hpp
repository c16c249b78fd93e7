#pragma once
// One queue as `rctl job queues` shows it when several queue systems share a database: the
// figures every system can have, nullopt where a system does not keep one (Celery's broker
// has no failed set, RQ no retry set). Each system's own report (job queues --system X)
// says more; this is the common row.

#include <cstdint>
#include <optional>
#include <string>

namespace rctl::job {

struct QueueSummary {
  std::string system;  // rq, celery, sidekiq, bullmq
  std::string name;
  std::int64_t waiting = 0;  // ready to be taken by a worker
  std::optional<double> oldest_waiting_age_s;  // the next job's age, when the system records it
  std::optional<std::int64_t> active;  // taken by a worker, not finished
  std::optional<std::int64_t> scheduled;  // delayed / scheduled for later
  std::optional<std::int64_t> failed;
  std::optional<std::int64_t> retry;  // failed, waiting for an automatic retry
  std::optional<std::int64_t> dead;  // failed for good (Sidekiq's morgue)
  std::optional<std::int64_t> completed;
  std::optional<std::int64_t> workers;  // workers seen on this queue, where the system records them
};

}  // namespace rctl::job
