// Documents for Celery's queues, messages and results.

#include "job/render_celery.hpp"
#include "job/render_util.hpp"
#include "util/strings.hpp"

namespace rctl::job {

namespace {

using render::Json;

output::Tone celery_state_tone(std::string_view status) {
  if (status == "SUCCESS") return output::Tone::good;
  if (status == "FAILURE" || status == "REVOKED") return output::Tone::bad;
  if (status == "STARTED" || status == "RETRY") return output::Tone::strong;
  return output::Tone::plain;
}

Json celery_message_json(const celery::TaskMessage& m) {
  return {{"id", render::text_or_null(m.id)},
          {"task", render::text_or_null(m.task)},
          {"args", m.body_decoded ? m.args : Json(nullptr)},
          {"kwargs", m.body_decoded ? m.kwargs : Json(nullptr)},
          {"argsrepr", render::text_or_null(m.argsrepr)},
          {"kwargsrepr", render::text_or_null(m.kwargsrepr)},
          {"retries", m.retries ? Json(*m.retries) : Json(nullptr)},
          {"eta", m.eta},
          {"expires", m.expires},
          {"content_type", render::text_or_null(m.content_type)},
          {"decoded", m.body_decoded},
          {"problem", render::text_or_null(m.problem)}};
}

// The arguments as a call would show them: decoded JSON, else Celery's own argsrepr.
std::string celery_call_cell(const celery::TaskMessage& m) {
  if (!m.valid) return "(" + m.problem + ")";
  if (m.body_decoded) {
    std::string out;
    for (const auto& a : m.args) out += (out.empty() ? "" : ", ") + a.dump();
    for (const auto& [k, v] : m.kwargs.items()) out += (out.empty() ? "" : ", ") + k + "=" + v.dump();
    return out;
  }
  return fmt::format("{} {} ({})", m.argsrepr, m.kwargsrepr, m.problem);
}

}  // namespace

output::Document render_celery_enqueue(const celery::EnqueueOutcome& o) {
  output::Document doc;
  const auto& r = o.request;
  doc.json = {{"system", "celery"}, {"id", r.id},         {"task", r.task},      {"queue", r.queue},
              {"args", r.args},     {"kwargs", r.kwargs}, {"status", "PENDING"}, {"queue_length", o.queue_length}};
  doc.blocks.emplace_back(output::Text{r.id});
  return doc;
}

output::Document render_celery_queues(const celery::QueuesReport& r) {
  output::Document doc;
  Json queues = Json::array();
  output::Table t;
  t.title = "Celery queues";
  t.columns = {"QUEUE", "WAITING", "IN PROGRESS", "NEXT TASK", "NEXT ID"};
  t.numeric = {false, true, true, false, false};
  std::int64_t total = 0;
  for (const auto& q : r.queues) {
    total += q.depth;
    queues.push_back({{"name", decode::json_bytes(q.name)},
                      {"waiting", q.depth},
                      {"unacked", q.unacked},
                      {"oldest", q.oldest ? celery_message_json(*q.oldest) : Json(nullptr)},
                      // Celery's protocol 2 message carries no sent time, only eta/expires.
                      {"oldest_age_ms", nullptr}});
    t.rows.push_back({q.name, util::format_count(q.depth), util::format_count(q.unacked),
                      q.oldest ? q.oldest->task : "-", q.oldest ? q.oldest->id : "-"});
  }
  doc.json = {{"system", "celery"},
              {"queues", queues},
              {"total_waiting", total},
              {"unacked", r.unacked},
              {"unacked_index", r.unacked_index},
              {"unacked_capped", r.unacked_capped},
              {"workers", r.workers}};
  doc.blocks.emplace_back(std::move(t));
  output::Table w;
  w.title = "Celery workers (remote-control bindings)";
  w.columns = {"NODENAME"};
  for (const auto& name : r.workers) w.rows.push_back({name});
  if (!w.rows.empty()) doc.blocks.emplace_back(std::move(w));
  doc.blocks.emplace_back(output::Text{
      fmt::format("{} queue{}, {} message{} waiting; {} delivered and unacknowledged (unacked){}; {} worker{} seen "
                  "(a worker killed with SIGKILL stays listed: Celery keeps no heartbeat in Redis)",
                  r.queues.size(), r.queues.size() == 1 ? "" : "s", total, total == 1 ? "" : "s", r.unacked,
                  r.unacked_capped ? " (per-queue counts from the first entries only)" : "", r.workers.size(),
                  r.workers.size() == 1 ? "" : "s"),
      output::Tone::dim});
  return doc;
}

output::Document render_celery_list(const celery::QueueListing& l, std::size_t limit) {
  output::Document doc;
  Json jobs = Json::array();
  output::Table t;
  t.columns = {"ID", "TASK", "ARGUMENTS", "RETRIES", "ETA"};
  for (const auto& m : l.messages) {
    jobs.push_back(celery_message_json(m));
    t.rows.push_back({m.id.empty() ? "-" : m.id, m.task.empty() ? "-" : m.task, celery_call_cell(m),
                      m.retries ? std::to_string(*m.retries) : "-",
                      m.eta.is_string() ? m.eta.get<std::string>() : "-"});
  }
  doc.json = {{"system", "celery"}, {"queue", decode::json_bytes(l.queue)}, {"limit", limit},
              {"total", l.total},   {"count", l.messages.size()},           {"jobs", jobs}};
  doc.blocks.emplace_back(std::move(t));
  doc.blocks.emplace_back(output::Text{fmt::format("{} of {} waiting message{} in '{}', next to run first",
                                                   l.messages.size(), l.total, l.total == 1 ? "" : "s", l.queue),
                                       output::Tone::dim});
  return doc;
}

output::Document render_celery_result(const celery::TaskResult& r, std::optional<std::int64_t> waited_ms,
                                      bool timed_out) {
  output::Document doc;
  doc.json = {{"system", "celery"},
              {"id", r.id},
              {"status", r.status},
              {"result", r.result},
              {"traceback", r.traceback},
              {"date_done", r.date_done},
              {"children", r.children},
              {"ttl_ms", r.ttl_ms ? Json(*r.ttl_ms) : Json(nullptr)},
              {"waited_ms", waited_ms ? Json(*waited_ms) : Json(nullptr)},
              {"timed_out", timed_out}};
  output::Fields f;
  f.title = "task " + r.id;
  f.add("status", output::Cell(r.status.empty() ? "(none)" : r.status, celery_state_tone(r.status)));
  if (r.status == "FAILURE") {
    // The result of a failure is the exception: {"exc_type", "exc_message", "exc_module"}.
    if (r.result.is_object())
      f.add("error", fmt::format("{}: {}", r.result.value("exc_type", std::string("?")),
                                 r.result.contains("exc_message") ? r.result["exc_message"].dump() : "?"));
  } else {
    f.add("result", r.result.dump());
  }
  f.add("date_done", r.date_done.is_string() ? r.date_done.get<std::string>() : "-");
  if (r.ttl_ms) f.add("expires in", util::format_duration(util::Millis(*r.ttl_ms)));
  if (waited_ms) f.add("waited", util::format_duration(util::Millis(*waited_ms)));
  doc.blocks.emplace_back(std::move(f));
  if (r.traceback.is_string() && !r.traceback.get<std::string>().empty())
    doc.blocks.emplace_back(output::Text{r.traceback.get<std::string>(), output::Tone::plain, true});
  return doc;
}

}  // namespace rctl::job
