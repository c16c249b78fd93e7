#pragma once
// `rctl job ... --system sidekiq` documents (JSON fields in the README's Sidekiq section).
// Only render_sidekiq.cpp defines these, so the domain's logic never includes output code.

#include "job/sidekiq/read.hpp"
#include "job/sidekiq/write.hpp"
#include "output/document.hpp"

#include <optional>
#include <string>

namespace rctl::job {

// Table form: the jid alone; JSON: system, jid, class, queue, args, queue_length.
output::Document render_sidekiq_enqueue(const sidekiq::EnqueueOutcome& outcome);
output::Document render_sidekiq_queues(const sidekiq::Overview& overview, double now_s);
output::Document render_sidekiq_list(const sidekiq::Listing& listing, std::size_t limit, double now_s);

// Where a job is (or was last seen, with --wait); `state` is the status shown: waiting,
// running, scheduled, retry, dead, done (left without a trace: Sidekiq keeps no result)
// or not_seen. `waited_ms` when --wait polled.
struct SidekiqStatus {
  std::string jid, state, note;
  sidekiq::Location location;
  std::optional<std::int64_t> waited_ms;
  bool timed_out = false;
};
output::Document render_sidekiq_status(const SidekiqStatus& status, double now_s);

// `job retry|purge --system sidekiq`: what was selected and, unless a dry run, the outcome.
output::Document render_sidekiq_bulk(std::string_view action, const sidekiq::Selection& selection,
                                     const std::optional<sidekiq::BulkOutcome>& outcome);

}  // namespace rctl::job
