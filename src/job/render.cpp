// The document for `job status`: the JSON contract and the human form of one job.

#include "job/render.hpp"
#include "job/rq/read.hpp"
#include "job/render_util.hpp"
#include "job/repr.hpp"
#include "util/strings.hpp"

namespace rctl::job {

namespace {

using render::Json;

Json seconds_json(std::string_view stored) {
  if (stored.empty()) return nullptr;
  if (auto n = util::parse_int(stored)) return *n;
  return decode::json_bytes(stored);  // RQ 1.x could store "1h" forms from old clients
}

Json decoded_json(const decode::DecodedValue& v) { return v.data ? *v.data : Json(nullptr); }

Json result_json(const rq::JobResult& r) {
  Json extra = Json::object();
  for (const auto& [k, v] : r.extra) extra[k] = decode::json_bytes(v);
  Json problems = Json::array();
  for (const auto& p : r.problems) problems.push_back(p);
  return {{"source", r.source},
          {"id", r.entry_id.empty() ? Json(nullptr) : Json(r.entry_id)},
          {"created_at_ms", r.created_at_ms ? Json(*r.created_at_ms) : Json(nullptr)},
          {"type", r.type},
          {"type_code", r.type_code},
          {"return_value", r.return_value ? decoded_json(*r.return_value) : Json(nullptr)},
          {"return_value_format", r.return_value ? Json(decode::to_string(r.return_value->format)) : Json(nullptr)},
          {"exc_string", r.exc_string ? Json(*r.exc_string) : Json(nullptr)},
          {"extra", extra},
          {"problems", problems}};
}

std::string pretty(const decode::DecodedValue& v) {
  if (!v.data) return "";
  return v.data->dump(2, ' ', false, Json::error_handler_t::replace);
}

// A job that has not ended (queued again, scheduled, running) has not produced its next
// result yet, so the latest one belongs to an earlier run (it was requeued since). Workers
// write the status and the result in one transaction, so for an ended job it is current.
// (Comparing timestamps would depend on the clocks of rctl, the workers and the server.)
bool result_is_current(const rq::JobSnapshot& job) { return job.status.empty() || rq::job_ended(job.status); }

std::string result_title(const rq::JobResult& r, bool current) {
  std::string when;
  if (r.created_at_ms) {
    auto t = rq::SystemTime(std::chrono::milliseconds(*r.created_at_ms));
    when = ", at " + rq::rq_timestamp(t);
  }
  return fmt::format("{} ({}{}{})", current ? "Result" : "Result of an earlier run", r.type,
                     r.source == "hash" ? ", from the job hash" : "", when);
}

}  // namespace

output::Document render_job(const rq::JobSnapshot& job, const rq::WaitInfo& wait, rq::SystemTime now) {
  output::Document doc;
  auto& j = doc.json;
  j["id"] = decode::json_bytes(job.id);
  j["exists"] = job.exists;
  if (!job.exists) {
    doc.blocks.emplace_back(
        output::Text{fmt::format("job {} does not exist", decode::escape_for_terminal(job.id)), output::Tone::bad});
    return doc;
  }
  Json registries = Json::array();
  for (auto r : job.registries) registries.push_back(to_string(r));
  Json executions = Json::array();
  for (const auto& e : job.execution_ids) executions.push_back(decode::json_bytes(e));
  Json problems = Json::array();
  if (!job.call.problem.empty()) problems.push_back(job.call.problem);
  j["status"] = render::text_or_null(job.status);
  j["ended"] = rq::job_ended(job.status);
  j["origin"] = render::text_or_null(job.origin);
  j["func_name"] = job.call.problem.empty() ? decode::json_bytes(job.call.func_name) : Json(nullptr);
  j["args"] = job.call.args;
  j["kwargs"] = job.call.kwargs;
  j["serializer"] = job.call.serializer ? Json(to_string(*job.call.serializer)) : Json(nullptr);
  j["description"] = render::text_or_null(job.field("description"));
  for (const char* t : {"created_at", "enqueued_at", "started_at", "ended_at", "last_heartbeat"})
    j[t] = render::text_or_null(job.field(t));
  j["worker_name"] = render::text_or_null(job.field("worker_name"));
  j["timeout_s"] = seconds_json(job.field("timeout"));
  j["result_ttl_s"] = seconds_json(job.field("result_ttl"));
  j["failure_ttl_s"] = seconds_json(job.field("failure_ttl"));
  j["ttl_s"] = seconds_json(job.field("ttl"));
  j["key_ttl_ms"] = job.key_ttl_ms ? Json(*job.key_ttl_ms) : Json(nullptr);
  j["position"] = job.position ? Json(*job.position) : Json(nullptr);
  j["registries"] = registries;
  j["execution_ids"] = executions;
  j["meta"] = job.meta ? decoded_json(*job.meta) : Json(nullptr);
  j["result"] = job.result ? result_json(*job.result) : Json(nullptr);
  if (job.result) j["result"]["current"] = result_is_current(job);
  j["problems"] = problems;
  if (wait.waited) j["wait"] = {{"timed_out", wait.timed_out}, {"elapsed_ms", wait.elapsed.count()}};

  output::Fields f;
  f.title = "job " + job.id;
  f.add("status", output::Cell(job.status.empty() ? "(none)" : job.status, render::status_tone(job.status)));
  std::string queue = job.origin.empty() ? "(none)" : job.origin;
  if (job.position) queue += fmt::format(" (position {} in the queue)", *job.position);
  f.add("queue", queue);
  if (job.call.problem.empty()) {
    f.add("call", rq_call_string(job.call.func_name, job.call.args, job.call.kwargs, std::nullopt));
    f.add("serializer", job.call.serializer ? to_string(*job.call.serializer) : "?");
  } else {
    f.add("call", output::Cell(job.call.problem, output::Tone::warn));
  }
  f.add("description", job.field("description"));
  f.add("created", render::time_cell(job.field("created_at"), now));
  f.add("enqueued", render::time_cell(job.field("enqueued_at"), now));
  f.add("started", render::time_cell(job.field("started_at"), now));
  f.add("ended", render::time_cell(job.field("ended_at"), now));
  if (!job.field("worker_name").empty()) f.add("worker", job.field("worker_name"));
  std::string regs;
  for (auto r : job.registries) regs += std::string(regs.empty() ? "" : ", ") + to_string(r);
  f.add("registries", regs.empty() ? "none" : regs);
  f.add("timeout", render::seconds_cell(job.field("timeout"), "default (180s)", "no timeout"));
  f.add("result ttl", render::seconds_cell(job.field("result_ttl"), "default (500s)", "kept forever"));
  f.add("failure ttl", render::seconds_cell(job.field("failure_ttl"), "default (1 year)", "kept forever"));
  f.add("ttl", render::seconds_cell(job.field("ttl"), "none", "none"));
  f.add("expires", job.key_ttl_ms ? "in " + util::format_duration(util::Millis(*job.key_ttl_ms)) : "never");
  if (job.meta)
    f.add("meta", job.meta->data ? job.meta->data->dump(-1, ' ', false, Json::error_handler_t::replace) : "");
  if (wait.timed_out)
    f.add("waited",
          output::Cell(fmt::format("{} (deadline passed; the job has not ended)", util::format_duration(wait.elapsed)),
                       output::Tone::warn));
  doc.blocks.emplace_back(std::move(f));

  if (job.result) {
    const auto& r = *job.result;
    doc.blocks.emplace_back(output::Text{result_title(r, result_is_current(job)), output::Tone::strong});
    if (r.type_code == 1 || r.return_value)
      doc.blocks.emplace_back(output::Text{r.return_value ? pretty(*r.return_value) : std::string("None"),
                                           output::Tone::plain, true, true});
    if (r.exc_string && !r.exc_string->empty())
      doc.blocks.emplace_back(output::Text{*r.exc_string, output::Tone::bad, true});
    for (const auto& p : r.problems) doc.blocks.emplace_back(output::Text{p, output::Tone::warn});
  }
  return doc;
}

}  // namespace rctl::job
