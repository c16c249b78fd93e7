#pragma once
// `rctl job` documents. Today they render the RQ model (job/rq/); a second queue system
// brings its results to these same documents.
// Only the render*.cpp files of this folder define these, so the domain's logic never
// includes output code.

#include "job/rq/admin.hpp"
#include "job/rq/enqueue.hpp"
#include "job/rq/list.hpp"
#include "job/rq/read.hpp"
#include "output/document.hpp"

namespace rctl::job {

// Documents. `verb` is "requeue" or "cancel".
output::Document render_actions(std::string_view verb, const std::vector<rq::JobAction>& actions, rq::Apply apply);
// `job empty`: how many jobs were (or, with --dry-run, would be) removed.
output::Document render_empty(const std::string& queue, std::int64_t jobs, rq::Apply apply);

// Table form: the job id alone (for `id=$(rctl job enqueue ...)`); JSON: id, queue, status,
// func_name, description, serializer, at_front, created_at, enqueued_at, schedule_at,
// queue_length.
output::Document render_enqueue(const rq::EnqueueOutcome& outcome);

// Documents for `job list` and `job queues` (JSON fields in the README).
output::Document render_job_list(const rq::JobListing& listing, rq::SystemTime now);
output::Document render_queues(const rq::QueuesReport& report);

// The document for `job status` (and `enqueue --wait`).
output::Document render_job(const rq::JobSnapshot& job, const rq::WaitInfo& wait,
                            std::chrono::system_clock::time_point now);

}  // namespace rctl::job
