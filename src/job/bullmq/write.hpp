#pragma once
// Writing BullMQ's keys, each change in one Lua script of rctl's own that takes the steps of
// BullMQ's (addStandardJob / addDelayedJob / addPrioritizedJob, reprocessJob, removeJob) so
// that a real Worker sees what Queue.add, Job.retry and Queue.drain/clean leave. Scripts go
// as EVALSHA, then EVAL on NOSCRIPT (which ran nothing); a connection lost with a script in
// flight is ErrorKind::outcome_unknown, never sent again.

#include "job/bullmq/queue.hpp"

#include <optional>
#include <string>
#include <vector>

namespace rctl::job::bullmq {

// Highest priority BullMQ accepts (2^21 - 1).
inline constexpr std::int64_t k_max_priority = 2097151;

struct AddRequest {
  QueueRef queue;
  std::string name;
  Json data = Json::object();  // JSON.stringify'd as given (key order kept)
  std::optional<std::int64_t> delay_ms, priority, attempts;
  std::string job_id;  // empty: the next value of the queue's id counter
};

struct AddOutcome {
  std::string id;
  std::string state;  // waiting, delayed, prioritized, or duplicated (a job with --job-id exists)
  std::int64_t timestamp_ms = 0;
  Json opts;  // as stored in the job hash's "opts"
};

// Validates (BullMQ's own rules: job id not "0", without ':', priority 0..2^21-1, delay and
// attempts >= 0) and adds the job as Queue.add does, in one script.
AddOutcome add_job(cluster::Client& target, const AddRequest& request, SystemTime now);

// The opts object Queue.add stores for these options, in its key order.
Json job_opts(const AddRequest& request);

// msgpack of a JSON value (what BullMQ's scripts unpack with cmsgpack).
std::string msgpack_encode(const Json& value);

// What happened to each job a bulk run handled.
struct BulkOutcome {
  std::vector<std::string> done;  // moved (retry) or deleted (purge)
  std::vector<std::string> skipped;  // no longer where it was read (another run, a worker)
};

// Job.retry('failed') for each id, one script per job: only a job still in failed moves
// (ZREM, HDEL finishedOn processedOn failedReason, LPUSH to wait or paused, marker, the
// "waiting" event with prev "failed"); attemptsMade is kept, as Job.retry does by default.
BulkOutcome retry_failed(cluster::Client& target, const QueueRef& queue, const std::vector<std::string>& ids);

// Deletes each job still in `state` (its id from the state's list/set, then the job hash,
// its logs and dependency keys, as removeJob does).
BulkOutcome purge_jobs(cluster::Client& target, const QueueRef& queue, const std::string& state,
                       const std::vector<std::string>& ids);

}  // namespace rctl::job::bullmq
