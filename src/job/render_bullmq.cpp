// Documents for BullMQ's queues, jobs and bulk moves.

#include "job/render_bullmq.hpp"
#include "job/render_util.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace rctl::job {

namespace {

using render::Json;

Json opt_int(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

output::Tone bullmq_state_tone(std::string_view state) {
  if (state == "completed") return output::Tone::good;
  if (state == "failed") return output::Tone::bad;
  if (state == "active") return output::Tone::strong;
  return output::Tone::plain;
}

Json bullmq_job_json(const bullmq::JobRecord& j) {
  return {{"id", decode::json_bytes(j.id)},
          {"name", decode::json_bytes(j.name)},
          {"data", j.data},
          {"opts", j.opts},
          {"timestamp", opt_int(j.timestamp)},
          {"delay", opt_int(j.delay)},
          {"priority", opt_int(j.priority)},
          {"attemptsMade", j.attempts_made},
          {"attemptsStarted", j.attempts_started},
          {"processedOn", opt_int(j.processed_on)},
          {"finishedOn", opt_int(j.finished_on)},
          {"failedReason", render::text_or_null(j.failed_reason)},
          {"stacktrace", j.stacktrace},
          {"returnvalue", j.returnvalue},
          {"progress", j.progress},
          {"processedBy", render::text_or_null(j.processed_by)}};
}

std::string bullmq_ms_ago(std::optional<std::int64_t> ms, bullmq::SystemTime now) {
  if (!ms) return "-";
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto delta = now_ms - *ms;
  return delta >= 0 ? util::format_duration(util::Millis(delta)) + " ago"
                    : "in " + util::format_duration(util::Millis(-delta));
}

std::string bullmq_short(const Json& v, std::size_t width) {
  auto s = v.is_null() ? std::string("-") : v.dump();
  if (s.size() > width) s = s.substr(0, width - 3) + "...";
  return s;
}

}  // namespace

output::Document render_bullmq_enqueue(const bullmq::AddRequest& r, const bullmq::AddOutcome& o) {
  output::Document doc;
  doc.json = {{"system", "bullmq"},
              {"queue", decode::json_bytes(r.queue.name)},
              {"prefix", decode::json_bytes(r.queue.prefix)},
              {"id", decode::json_bytes(o.id)},
              {"name", decode::json_bytes(r.name)},
              {"state", o.state},
              {"duplicated", o.state == "duplicated"},
              {"data", r.data},
              {"opts", o.opts},
              {"timestamp", o.timestamp_ms}};
  doc.blocks.emplace_back(output::Text{o.id});
  return doc;
}

output::Document render_bullmq_queues(const bullmq::QueuesReport& r, bullmq::SystemTime now) {
  output::Document doc;
  Json queues = Json::array();
  output::Table t;
  t.title = "BullMQ queues (prefix " + r.prefix + ")";
  t.columns = {"QUEUE",  "WAITING", "ACTIVE",   "DELAYED", "PRIORITIZED", "CHILDREN",
               "FAILED", "DONE",    "NEXT AGE", "WORKERS", "PAUSED"};
  t.numeric = {false, true, true, true, true, true, true, true, false, true, false};
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  for (const auto& q : r.queues) {
    const Json age = q.next_timestamp_ms ? Json(now_ms - *q.next_timestamp_ms) : Json(nullptr);
    queues.push_back({{"name", decode::json_bytes(q.name)},
                      {"counts",
                       {{"waiting", q.waiting},
                        {"paused", q.paused},
                        {"active", q.active},
                        {"delayed", q.delayed},
                        {"prioritized", q.prioritized},
                        {"waiting-children", q.waiting_children},
                        {"completed", q.completed},
                        {"failed", q.failed}}},
                      {"is_paused", q.is_paused},
                      {"next_job_id", q.next_id ? decode::json_bytes(*q.next_id) : Json(nullptr)},
                      {"oldest_waiting_age_ms", age},
                      {"workers", opt_int(q.workers)}});
    t.rows.push_back(
        {q.name, util::format_count(q.waiting + q.paused), util::format_count(q.active), util::format_count(q.delayed),
         util::format_count(q.prioritized), util::format_count(q.waiting_children), util::format_count(q.failed),
         util::format_count(q.completed), bullmq_ms_ago(q.next_timestamp_ms, now).c_str(),
         q.workers ? util::format_count(*q.workers) : "?",
         output::Cell(q.is_paused ? "yes" : "no", q.is_paused ? output::Tone::warn : output::Tone::plain)});
  }
  doc.json = {{"system", "bullmq"},
              {"prefix", decode::json_bytes(r.prefix)},
              {"queues", queues},
              {"discovery_complete", r.discovery.complete},
              {"workers_problem", r.workers_problem ? Json(*r.workers_problem) : Json(nullptr)}};
  doc.blocks.emplace_back(std::move(t));
  std::string note =
      fmt::format("{} queue{} under prefix '{}'", r.queues.size(), r.queues.size() == 1 ? "" : "s", r.prefix);
  if (!r.discovery.complete)
    note += fmt::format("; the SCAN for {}:*:meta stopped after {} keys or {} queues (name the queues to see others)",
                        r.prefix, bullmq::k_discovery_max_keys, bullmq::k_discovery_max_queues);
  if (r.workers_problem) note += "; workers " + *r.workers_problem;
  doc.blocks.emplace_back(output::Text{note, output::Tone::dim});
  return doc;
}

output::Document render_bullmq_list(const bullmq::JobListing& l, std::size_t limit, bullmq::SystemTime now) {
  output::Document doc;
  Json jobs = Json::array();
  output::Table t;
  const bool finished = l.state == "completed" || l.state == "failed";
  t.columns = {"ID", "NAME", "DATA", "CREATED", "ATTEMPTS", l.state == "failed" ? "FAILED REASON" : "RESULT"};
  t.numeric = {false, false, false, false, true, false};
  for (const auto& j : l.jobs) {
    jobs.push_back(bullmq_job_json(j));
    t.rows.push_back(
        {j.id, j.exists ? j.name : "(gone)", bullmq_short(j.data, 60), bullmq_ms_ago(j.timestamp, now),
         std::to_string(j.attempts_made),
         l.state == "failed" ? (j.failed_reason.empty() ? "-" : j.failed_reason) : bullmq_short(j.returnvalue, 40)});
  }
  doc.json = {{"system", "bullmq"},
              {"queue", decode::json_bytes(l.queue.name)},
              {"prefix", decode::json_bytes(l.queue.prefix)},
              {"state", l.state},
              {"limit", limit},
              {"total", l.total},
              {"count", l.jobs.size()},
              {"jobs", jobs}};
  doc.blocks.emplace_back(std::move(t));
  doc.blocks.emplace_back(
      output::Text{fmt::format("{} of {} {} job{} in '{}', {}", l.jobs.size(), l.total, l.state,
                               l.total == 1 ? "" : "s", l.queue.name, finished ? "newest first" : "next to run first"),
                   output::Tone::dim});
  return doc;
}

output::Document render_bullmq_job(const bullmq::QueueRef& queue, const bullmq::JobView& v,
                                   std::optional<std::int64_t> waited_ms, bool timed_out, bullmq::SystemTime now) {
  output::Document doc;
  const auto& j = v.job;
  doc.json = bullmq_job_json(j);
  doc.json["system"] = "bullmq";
  doc.json["queue"] = decode::json_bytes(queue.name);
  doc.json["prefix"] = decode::json_bytes(queue.prefix);
  doc.json["state"] = v.state;
  doc.json["logs"] = v.logs;
  doc.json["waited_ms"] = waited_ms ? Json(*waited_ms) : Json(nullptr);
  doc.json["timed_out"] = timed_out;
  output::Fields f;
  f.title = fmt::format("job {} ({})", j.id, queue.name);
  f.add("state", output::Cell(v.state, bullmq_state_tone(v.state)));
  f.add("name", j.name);
  f.add("data", j.data.dump());
  f.add("created", bullmq_ms_ago(j.timestamp, now));
  if (j.delay && *j.delay > 0) f.add("delay", util::format_duration(util::Millis(*j.delay)));
  if (j.priority && *j.priority > 0) f.add("priority", std::to_string(*j.priority));
  // opts.attempts 0 (Queue.add's default) or 1 both mean a single try.
  std::int64_t allowed = 1;
  if (j.opts.is_object() && j.opts.contains("attempts") && j.opts["attempts"].is_number_integer())
    allowed = std::max<std::int64_t>(1, j.opts["attempts"].get<std::int64_t>());
  f.add("attempts", fmt::format("{} made, {} started (of {})", j.attempts_made, j.attempts_started, allowed));
  if (j.processed_on) f.add("processed", bullmq_ms_ago(j.processed_on, now));
  if (j.finished_on) f.add("finished", bullmq_ms_ago(j.finished_on, now));
  if (!j.failed_reason.empty()) f.add("failed reason", output::Cell(j.failed_reason, output::Tone::bad));
  if (!j.returnvalue.is_null()) f.add("result", j.returnvalue.dump());
  if (v.logs > 0) f.add("logs", std::to_string(v.logs));
  if (waited_ms) f.add("waited", util::format_duration(util::Millis(*waited_ms)));
  doc.blocks.emplace_back(std::move(f));
  if (j.stacktrace.is_array() && !j.stacktrace.empty() && j.stacktrace.back().is_string())
    doc.blocks.emplace_back(output::Text{j.stacktrace.back().get<std::string>(), output::Tone::plain, true});
  return doc;
}

output::Document render_bullmq_bulk(const BullmqBulkReport& r) {
  output::Document doc;
  const bool dry = !r.outcome;
  Json selected = Json::array();
  output::Table t;
  t.columns = {"ID", "NAME", "FAILED REASON"};
  for (const auto& j : r.selected) {
    selected.push_back({{"id", decode::json_bytes(j.id)},
                        {"name", decode::json_bytes(j.name)},
                        {"failedReason", render::text_or_null(j.failed_reason)}});
    t.rows.push_back({j.id, j.name, j.failed_reason.empty() ? "-" : j.failed_reason});
  }
  const auto ids = [](const std::vector<std::string>& v) {
    Json a = Json::array();
    for (const auto& s : v) a.push_back(decode::json_bytes(s));
    return a;
  };
  const std::string verb = r.action == "retry" ? "moved back to wait" : "deleted";
  doc.json = {{"system", "bullmq"},
              {"action", r.action},
              {"queue", decode::json_bytes(r.queue.name)},
              {"prefix", decode::json_bytes(r.queue.prefix)},
              {"state", r.state},
              {"filter", render::text_or_null(r.filter)},
              {"dry_run", dry},
              {"in_state", r.in_state},
              {"selected", selected},
              {"done", dry ? Json(nullptr) : ids(r.outcome->done)},
              {"skipped", dry ? Json(nullptr) : ids(r.outcome->skipped)},
              {"count", dry ? Json(r.selected.size()) : Json(r.outcome->done.size())},
              {"truncated", r.truncated}};
  if (dry) doc.blocks.emplace_back(std::move(t));
  std::string line;
  if (dry)
    line = fmt::format("dry run: {} of {} {} job{} in '{}' would be {}", r.selected.size(), r.in_state, r.state,
                       r.in_state == 1 ? "" : "s", r.queue.name, verb);
  else if (r.action == "retry")
    line = fmt::format("moved {} failed job{} of '{}' back to wait", r.outcome->done.size(),
                       r.outcome->done.size() == 1 ? "" : "s", r.queue.name);
  else
    line = fmt::format("deleted {} {} job{} of '{}' (job hashes and logs too)", r.outcome->done.size(), r.state,
                       r.outcome->done.size() == 1 ? "" : "s", r.queue.name);
  if (!dry && !r.outcome->skipped.empty())
    line += fmt::format("; {} skipped (no longer {})", r.outcome->skipped.size(), r.state);
  if (r.truncated) line += fmt::format("; only the first {} were taken: run it again", bullmq::k_max_bulk_jobs);
  doc.blocks.emplace_back(output::Text{line, dry ? output::Tone::dim : output::Tone::plain});
  return doc;
}

}  // namespace rctl::job
