// The documents of `job enqueue`, `job requeue`, `job cancel` and `job empty`.
#include "job/render.hpp"

#include "decode/bytes.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace rctl::job {

namespace {

using Json = nlohmann::ordered_json;

// A field of the job hash an enqueue wrote; empty when it wrote none.
std::string enqueued_field(const rq::JobRecord& job, std::string_view name) {
  for (const auto& [k, v] : job.fields)
    if (k == name) return v;
  return {};
}

// "requeued", "canceled", "retried", "purged".
std::string done_word(std::string_view verb) {
  if (verb == "cancel") return "canceled";
  if (verb == "retry") return "retried";
  if (verb == "purge") return "purged";
  return std::string(verb) + "d";
}

}  // namespace

output::Document render_enqueue(const rq::EnqueueOutcome& o) {
  const auto& job = o.job;
  output::Document doc;
  doc.json = {
      {"id", job.id},
      {"queue", decode::json_bytes(job.queue)},
      {"status", job.scheduled ? "scheduled" : "queued"},
      {"func_name", decode::json_bytes(o.func)},
      {"description", decode::json_bytes(job.description)},
      {"serializer", o.serializer},
      {"at_front", job.at_front},
      {"created_at", enqueued_field(job, "created_at")},
      {"enqueued_at", job.scheduled ? Json(nullptr) : Json(enqueued_field(job, "enqueued_at"))},
      {"schedule_at",
       job.scheduled ? Json(rq::rq_timestamp(rq::SystemTime(std::chrono::seconds(job.schedule_at)))) : Json(nullptr)},
      {"queue_length", o.queue_length ? Json(*o.queue_length) : Json(nullptr)}};
  doc.blocks.emplace_back(output::Text{job.id});
  return doc;
}

output::Document render_actions(std::string_view verb, const std::vector<rq::JobAction>& actions, rq::Apply apply) {
  const bool dry_run = apply == rq::Apply::dry_run;
  output::Document doc;
  Json list = Json::array();
  output::Table t;
  t.columns = {"ID", "QUEUE", "WAS", "RESULT"};
  std::size_t done = 0;
  for (const auto& a : actions) {
    const std::string word = done_word(verb);
    const char* outcome = a.outcome == rq::ActionOutcome::done       ? word.c_str()
                          : a.outcome == rq::ActionOutcome::would_do ? "would_do"
                          : a.outcome == rq::ActionOutcome::refused  ? "refused"
                                                                     : "not_found";
    if (a.outcome == rq::ActionOutcome::done || a.outcome == rq::ActionOutcome::would_do) ++done;
    list.push_back(
        {{"id", decode::json_bytes(a.id)},
         {"queue", a.queue.empty() ? Json(nullptr) : decode::json_bytes(a.queue)},
         {"previous_status", a.previous_status.empty() ? Json(nullptr) : decode::json_bytes(a.previous_status)},
         {"outcome", outcome},
         {"message", a.message.empty() ? Json(nullptr) : Json(a.message)}});
    std::string text = a.outcome == rq::ActionOutcome::would_do ? fmt::format("would {}", verb) : std::string(outcome);
    if (!a.message.empty()) text += ": " + a.message;
    t.rows.push_back({a.id, a.queue.empty() ? "-" : a.queue, a.previous_status.empty() ? "-" : a.previous_status,
                      output::Cell(text, a.outcome == rq::ActionOutcome::done       ? output::Tone::good
                                         : a.outcome == rq::ActionOutcome::would_do ? output::Tone::plain
                                                                                    : output::Tone::bad)});
  }
  doc.json = {{"action", verb}, {"dry_run", dry_run}, {"count", done}, {"jobs", list}};
  if (!t.rows.empty()) doc.blocks.emplace_back(std::move(t));
  doc.blocks.emplace_back(
      output::Text{fmt::format("{} {} of {} job{}", dry_run ? "would " + std::string(verb) : done_word(verb), done,
                               actions.size(), actions.size() == 1 ? "" : "s"),
                   output::Tone::dim});
  return doc;
}

output::Document render_empty(const std::string& queue, std::int64_t jobs, rq::Apply apply) {
  const bool dry_run = apply == rq::Apply::dry_run;
  output::Document doc;
  doc.json = {{"queue", decode::json_bytes(queue)}, {"dry_run", dry_run}, {dry_run ? "would_remove" : "removed", jobs}};
  doc.blocks.emplace_back(output::Text{dry_run ? fmt::format("would remove {} jobs from {} queue", jobs, queue)
                                               : fmt::format("{} jobs removed from {} queue", jobs, queue)});
  return doc;
}

}  // namespace rctl::job
