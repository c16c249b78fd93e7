#pragma once
// `rctl job retry|purge --system rq`: which jobs of a queue are in one state (the queue list
// or a registry), their function and last error for --filter, and deleting one job as
// Job.delete does. Retry reuses requeue_job (admin.hpp).

#include "cluster/client.hpp"
#include "job/rq/admin.hpp"
#include "job/rq/keys.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace rctl::job::rq {

// Jobs one bulk command reads from a source (queue list or registry); the rest waits for
// the next run, which the report says.
inline constexpr std::size_t k_max_bulk_jobs = 100000;

// The states `job purge --system rq` takes: "waiting" (the queue list; RQ says queued) and
// the registries but "started" (a running job is not deleted under its worker).
std::vector<std::string> purge_state_names();

// One job of the source, with what --filter compares.
struct BulkCandidate {
  std::string id;
  std::string func;  // func_name from `data` ("" when absent or not decodable)
  std::string last_error;  // the latest failure's traceback (results stream, else exc_info)
  bool exists = false;  // rq:job:<id> is there
};

struct BulkSelection {
  std::string queue, state;
  std::int64_t total = 0;  // entries in the source
  bool capped = false;  // more than k_max_bulk_jobs: only the first were read
  std::vector<BulkCandidate> jobs;  // matching the filter (all when it is empty)
};

// The source's ids (for "failed", only those RQ's cleanup would keep), and with a filter
// the jobs whose func_name equals it or whose last error contains it.
BulkSelection select_jobs(cluster::Client& target, const std::string& queue, const std::string& state,
                          const std::string& filter, SystemTime now);

// Deletes one job found in the source: removes it from the list/registry, DEL rq:job:<id>,
// its :dependents and its results stream, in one script; refused when it left the source
// meanwhile (a worker took it), so nothing is deleted twice.
JobAction purge_job(cluster::Client& target, const std::string& queue, const std::string& state, const std::string& id,
                    Apply apply);

}  // namespace rctl::job::rq
