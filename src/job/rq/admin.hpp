#pragma once
// `rctl job requeue`, `job cancel` and `job empty`: RQ 1.13's FailedJobRegistry.requeue,
// Job.cancel and Queue.empty, each as one atomic step on the standalone server (RQ itself
// does parts of requeue outside its pipeline).

#include "cluster/client.hpp"
#include "job/rq/time.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace rctl::job::rq {

// What happened to one job.
enum class ActionOutcome {
  done,  // requeued / canceled
  would_do,  // --dry-run: it would be
  not_found,  // no rq:job:<id> hash
  refused,  // not in the failed registry (requeue), already canceled (cancel)
};

// One job's line in the report of requeue or cancel.
struct JobAction {
  std::string id;
  std::string queue;  // the job's origin
  std::string previous_status;
  ActionOutcome outcome = ActionOutcome::not_found;
  std::string message;  // for people: why it was refused, or a caveat
};

// Whether an admin action writes, or only checks and says what it would do (--dry-run).
enum class Apply { write, dry_run };
// Where a requeued job goes: the end of its queue, as RQ does, or the front (--at-front).
enum class QueueEnd { back, front };

// Moves a failed job back to its queue as FailedJobRegistry.requeue does: ZREM from
// rq:failed:<q>; status queued, started_at/ended_at cleared, exc_info emptied (zlib of ""),
// enqueued_at now, timeout 180 if it had none; EXPIRE if the job has a ttl; RPUSH (LPUSH
// for QueueEnd::front). Apply::dry_run checks without writing.
JobAction requeue_job(cluster::Client& target, const std::string& id, QueueEnd end, Apply apply, SystemTime now);

// The ids in rq:failed:<queue> that RQ's cleanup would keep (score < 0 or after `now`).
std::vector<std::string> failed_job_ids(cluster::Client& target, const std::string& queue, SystemTime now);

// Job.cancel: status canceled, LREM from its queue, ZREM from the registry of its status,
// ZADD rq:canceled:<q> now. A canceled job cannot be canceled again (refused). Canceling a
// running job does not stop it (the message says so), as in RQ.
JobAction cancel_job(cluster::Client& target, const std::string& id, Apply apply, SystemTime now);

// The number of job ids in rq:queue:<queue>.
std::int64_t queue_length(cluster::Client& target, const std::string& queue);

// Queue.empty: RQ's own Lua script (LPOP every id; DEL rq:job:<id> and
// rq:job:<id>:dependents). Returns how many jobs it removed.
std::int64_t empty_queue(cluster::Client& target, const std::string& queue);

}  // namespace rctl::job::rq
