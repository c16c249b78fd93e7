#pragma once
// `rctl job ... --system bullmq` documents (JSON fields in the README's BullMQ section).
// Only render_bullmq.cpp defines these, so the domain's logic never includes output code.

#include "job/bullmq/read.hpp"
#include "job/bullmq/write.hpp"
#include "output/document.hpp"

#include <optional>

namespace rctl::job {

// Table form: the job id alone; JSON: system, queue, prefix, id, name, state, data, opts, timestamp.
output::Document render_bullmq_enqueue(const bullmq::AddRequest& request, const bullmq::AddOutcome& outcome);
output::Document render_bullmq_queues(const bullmq::QueuesReport& report, bullmq::SystemTime now);
output::Document render_bullmq_list(const bullmq::JobListing& listing, std::size_t limit, bullmq::SystemTime now);
// One job; `waited_ms` when --wait polled, `timed_out` when it ran out.
output::Document render_bullmq_job(const bullmq::QueueRef& queue, const bullmq::JobView& view,
                                   std::optional<std::int64_t> waited_ms, bool timed_out, bullmq::SystemTime now);

// `job retry` / `job purge`: the jobs selected and, unless a dry run, what became of them.
struct BullmqBulkReport {
  std::string action;  // retry, purge
  bullmq::QueueRef queue;
  std::string state, filter;
  std::int64_t in_state = 0;  // the state's size when read
  std::vector<bullmq::JobRecord> selected;
  std::optional<bullmq::BulkOutcome> outcome;  // nullopt: dry run
  bool truncated = false;  // more than k_max_bulk_jobs were in the state
};
output::Document render_bullmq_bulk(const BullmqBulkReport& report);

}  // namespace rctl::job
