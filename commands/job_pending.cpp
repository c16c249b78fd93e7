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

bool bullmq_detected(cluster::Client&, const std::string&) { return false; }

std::vector<job::QueueSummary> bullmq_queue_summaries(cluster::Client&, const std::vector<std::string>&,
                                                      const std::string&) {
  not_built("job queues --system bullmq");
}

int run_bullmq_retry(Context&, const JobBulkFlags&) { not_built("job retry --system bullmq"); }
int run_bullmq_purge(Context&, const JobBulkFlags&) { not_built("job purge --system bullmq"); }

}  // namespace rctl::commands
