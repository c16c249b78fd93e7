// Entry points of job_systems.hpp not built yet. Each is refused with a usage error; the
// file goes when the last one has moved to its system's file.

#include "job_systems.hpp"

#include <fmt/format.h>

namespace rctl::commands {

namespace {
[[noreturn]] void not_built(std::string_view what) {
  throw Failure(ErrorKind::usage, fmt::format("{} is not supported yet", what));
}
}  // namespace

bool sidekiq_detected(cluster::Client&) { return false; }

std::vector<job::QueueSummary> rq_queue_summaries(cluster::Client&, const std::vector<std::string>&) {
  not_built("job queues across systems");
}
std::vector<job::QueueSummary> celery_queue_summaries(cluster::Client&, const std::vector<std::string>&,
                                                      const std::string&) {
  not_built("job queues across systems");
}
std::vector<job::QueueSummary> sidekiq_queue_summaries(cluster::Client&, const std::vector<std::string>&) {
  not_built("job queues --system sidekiq");
}

int run_rq_retry(Context&, const JobBulkFlags&) { not_built("job retry --system rq (use job requeue --all-failed)"); }
int run_rq_purge(Context&, const JobBulkFlags&) { not_built("job purge --system rq (use job empty)"); }
int run_celery_retry(Context&, const JobBulkFlags&) { not_built("job retry --system celery"); }
int run_celery_purge(Context&, const JobBulkFlags&) { not_built("job purge --system celery"); }
int run_sidekiq_retry(Context&, const JobBulkFlags&) { not_built("job retry --system sidekiq"); }
int run_sidekiq_purge(Context&, const JobBulkFlags&) { not_built("job purge --system sidekiq"); }

}  // namespace rctl::commands
