#pragma once
// Writing Sidekiq 6.x's keys: an enqueue as Sidekiq::Client.push does it, and the bulk
// moves of `job retry` / `job purge` (api.rb SortedEntry#retry, Queue#clear,
// SortedSet#clear). Sidekiq does not run on Redis Cluster (its writes span keys), so these
// need a standalone server. Every move of one job is atomic (a script that removes the
// member and pushes it back only when the removal happened), so a job is never lost or
// doubled, and a second run finds nothing left to move.

#include "cluster/client.hpp"
#include "job/sidekiq/job.hpp"
#include "job/sidekiq/read.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rctl::job::sidekiq {

// Most members a bulk command examines in one run (run it again for more: it is idempotent).
inline constexpr std::size_t k_max_bulk_members = 100000;
// Jobs moved or deleted per pipelined round trip.
inline constexpr std::size_t k_bulk_batch = 100;

struct EnqueueOutcome {
  PushRequest request;
  std::string jid;
  std::string payload;  // the bytes pushed
  std::int64_t queue_length = 0;
};

// SADD queues Q + LPUSH queue:Q in one MULTI/EXEC (raw_push's atomic_push), after checking
// that neither key holds another type. outcome_unknown when the connection fails after the
// transaction was sent (never sent twice).
EnqueueOutcome enqueue_job(cluster::Client& target, PushRequest request);

// The jobs a bulk command acts on: the members of `state` (waiting, scheduled, retry, dead)
// that belong to `queue` and match `filter`.
struct Selection {
  std::string queue, state, filter;
  std::int64_t total = 0;  // the list's or set's size (sets: every queue)
  std::size_t examined = 0;
  bool truncated = false;  // more than k_max_bulk_members: not all were examined
  bool whole_queue = false;  // waiting without a filter: the list goes as a whole
  std::vector<SidekiqJob> jobs;
};
Selection select_jobs(cluster::Client& target, const std::string& queue, ListState state, const std::string& filter);

struct BulkOutcome {
  std::int64_t done = 0;  // moved back / deleted
  std::int64_t gone = 0;  // already removed by someone else (a worker, another rctl): skipped
  std::int64_t unknown = 0;  // in the batch that was sent when the connection failed
  std::string lost_error;  // that failure
};

// Moves each selected set member back to its queue (retry: retry_count - 1, as
// SortedEntry#retry; dead and scheduled: unchanged, as #add_to_queue) with enqueued_at now.
// Stops at a connection failure after a batch was sent: the jobs of that batch are counted
// as unknown and never sent again.
BulkOutcome retry_jobs(cluster::Client& target, const Selection& selection, bool decrement_retry_count);

// Deletes the selection: the whole queue (UNLINK + SREM queues, as Queue#clear) or the
// matching members (LREM / ZREM; the replies count exactly what was deleted).
BulkOutcome purge_jobs(cluster::Client& target, const Selection& selection);

}  // namespace rctl::job::sidekiq
