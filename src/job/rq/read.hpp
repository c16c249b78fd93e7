#pragma once
// Reading one RQ job the way `rq` and RQ's Job/Result classes see it: the rq:job:<id>
// hash, its place in the queue (LPOS, as Queue.get_job_position), which registries hold
// it, and its latest result (XREVRANGE rq:results:<id> + - COUNT 1, as
// Result.fetch_latest; the legacy hash fields otherwise). Every command is keyed, so this
// works on a cluster too.

#include "cluster/client.hpp"
#include "job/rq/keys.hpp"
#include "job/rq/result.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rctl::job::rq {

// Queues longer than this are not searched element by element for a job's position when
// the server has no LPOS (Redis < 6.0.6).
inline constexpr std::int64_t k_position_scan_limit = 100000;

// True for the statuses after which a job does not run again by itself.
bool job_ended(std::string_view status);

// Everything known about one job.
struct JobSnapshot {
  std::string id;
  bool exists = false;
  std::map<std::string, std::string> fields;  // the hash, raw
  std::string status;  // "" when the hash has none (2.x reads "created")
  std::string origin;
  JobCall call;
  std::optional<std::int64_t> key_ttl_ms;  // nullopt: no expiry
  std::optional<std::int64_t> position;  // index in rq:queue:<origin>, when queued there
  std::vector<Registry> registries;  // registries of `origin` that hold the job
  std::vector<std::string> execution_ids;  // RQ 2.x started-registry members <id>:<exec>
  std::optional<JobResult> result;  // the latest outcome
  std::optional<std::int64_t> results_ttl_ms;  // of the results stream
  std::optional<decode::DecodedValue> meta;
  std::string field(const std::string& name) const;  // "" when absent
};

// Reads the job. A job whose hash does not exist comes back with exists = false.
JobSnapshot read_job(cluster::Client& target, const std::string& id);

// HGET rq:job:<id> status: nullopt when the job does not exist ("" when it has no status).
std::optional<std::string> read_job_status(cluster::Client& target, const std::string& id);

// What `status --wait` adds to the report.
struct WaitInfo {
  bool waited = false;
  bool timed_out = false;  // the deadline passed before the job ended
  std::chrono::milliseconds elapsed{0};
};

}  // namespace rctl::job::rq
