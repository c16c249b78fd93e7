#pragma once
// `rctl job ... --system celery` documents (JSON fields in the README's Celery section).
// Only render_celery.cpp defines these, so the domain's logic never includes output code.

#include "job/celery/broker.hpp"
#include "output/document.hpp"

#include <optional>

namespace rctl::job {

// Table form: the task id alone; JSON: id, task, queue, args, kwargs, queue_length.
output::Document render_celery_enqueue(const celery::EnqueueOutcome& outcome);
output::Document render_celery_queues(const celery::QueuesReport& report);
output::Document render_celery_list(const celery::QueueListing& listing, std::size_t limit);
// A task's stored result; `waited_ms` when --wait polled, `timed_out` when it ran out.
output::Document render_celery_result(const celery::TaskResult& result, std::optional<std::int64_t> waited_ms,
                                      bool timed_out);

}  // namespace rctl::job
