#pragma once
// `rctl job enqueue`: writes one job exactly as RQ's Queue.enqueue (or enqueue_at, when
// scheduled) would, in one WATCHed MULTI/EXEC on the standalone server, so that a real RQ
// 1.x or 2.x worker runs it.

#include "cluster/client.hpp"
#include "job/rq/record.hpp"

#include <cstdint>
#include <optional>

namespace rctl::job::rq {

// What an enqueue wrote.
struct EnqueueOutcome {
  JobRecord job;
  std::optional<std::int64_t> queue_length;  // after the push (not for scheduled jobs)
  std::string func;
  std::string serializer;
};

// Writes the job. Throws Failure: usage for a cluster target, a bad request or an id that
// is already taken; server when RQ's keys hold other types; outcome_unknown when the
// connection failed after the transaction was sent (it is never sent twice).
EnqueueOutcome enqueue_job(cluster::Client& target, const EnqueueRequest& request, SystemTime now);

}  // namespace rctl::job::rq
