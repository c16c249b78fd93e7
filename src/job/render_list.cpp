// Documents for `job list` and `job queues`.

#include "job/render.hpp"
#include "job/rq/list.hpp"
#include "job/render_util.hpp"
#include "util/strings.hpp"

namespace rctl::job {

namespace {

using render::Json;

std::string age_cell(const std::optional<std::int64_t>& ms) {
  return ms ? util::format_duration(util::Millis(*ms)) + " ago" : "-";
}

}  // namespace

output::Document render_job_list(const rq::JobListing& l, rq::SystemTime now) {
  output::Document doc;
  Json jobs = Json::array();
  output::Table t;
  t.columns = {"ID", "STATE", "STATUS", "FUNCTION", "QUEUE", "ENQUEUED", "ENDED", "DESCRIPTION"};
  for (const auto& row : l.jobs) {
    jobs.push_back({{"id", decode::json_bytes(row.id)},
                    {"execution_id", render::text_or_null(row.execution_id)},
                    {"state", row.source.state()},
                    {"queue", decode::json_bytes(row.source.queue)},
                    {"exists", row.exists},
                    {"status", render::text_or_null(row.status)},
                    {"func_name", render::text_or_null(row.func)},
                    {"origin", render::text_or_null(row.origin)},
                    {"created_at", render::text_or_null(row.created_at)},
                    {"enqueued_at", render::text_or_null(row.enqueued_at)},
                    {"ended_at", render::text_or_null(row.ended_at)},
                    {"description", render::text_or_null(row.description)}});
    const std::string status = row.exists ? (row.status.empty() ? "-" : row.status) : "(expired)";
    t.rows.push_back({row.execution_id.empty() ? row.id : row.id + ":" + row.execution_id, row.source.state(),
                      output::Cell(status, row.exists ? render::status_tone(row.status) : output::Tone::dim),
                      row.func.empty() ? "-" : row.func, row.source.queue,
                      row.enqueued_at.empty() ? "-" : render::relative(row.enqueued_at, now),
                      row.ended_at.empty() ? "-" : render::relative(row.ended_at, now), row.description});
  }
  Json queues = Json::array();
  for (const auto& q : l.queues) queues.push_back(decode::json_bytes(q));
  doc.json = {{"queues", queues},   {"state", l.state ? Json(*l.state) : Json(nullptr)},
              {"offset", l.offset}, {"limit", l.limit},
              {"total", l.total},   {"count", l.jobs.size()},
              {"jobs", jobs}};
  doc.blocks.emplace_back(std::move(t));
  const auto shown_to = l.offset + l.jobs.size();
  doc.blocks.emplace_back(output::Text{
      l.jobs.empty()
          ? fmt::format("no jobs (of {} in all)", l.total)
          : fmt::format(
                "jobs {}-{} of {}{}", l.offset + 1, shown_to, l.total,
                static_cast<std::int64_t>(shown_to) < l.total ? fmt::format(" (--offset {} for more)", shown_to) : ""),
      output::Tone::dim});
  return doc;
}

output::Document render_queues(const rq::QueuesReport& r) {
  output::Document doc;
  Json queues = Json::array();
  output::Table qt;
  qt.title = "Queues";
  qt.columns = {"QUEUE", "QUEUED", "STARTED", "FINISHED", "FAILED", "DEFERRED", "SCHEDULED", "CANCELED", "WORKERS"};
  qt.numeric = {false, true, true, true, true, true, true, true, false};
  for (const auto& q : r.queues) {
    Json entry = {{"name", decode::json_bytes(q.name)}, {"queued", q.queued}};
    Json expired = Json::object();
    std::vector<output::Cell> row{q.name, util::format_count(q.queued)};
    for (std::size_t k = 0; k < rq::k_registries.size(); ++k) {
      entry[to_string(rq::k_registries[k])] = q.registries[k];
      const auto reg = rq::k_registries[k];
      if (reg == rq::Registry::started || reg == rq::Registry::finished || reg == rq::Registry::failed)
        expired[to_string(reg)] = q.expired[k];
      row.emplace_back(util::format_count(q.registries[k]),
                       reg == rq::Registry::failed && q.registries[k] > 0 ? output::Tone::bad : output::Tone::plain);
    }
    Json workers = Json::array();
    for (const auto& w : q.workers) workers.push_back(decode::json_bytes(w));
    entry["expired"] = expired;
    entry["workers"] = workers;
    row.emplace_back(q.workers.empty() ? std::string("-") : util::join(q.workers, ", "));
    queues.push_back(std::move(entry));
    qt.rows.push_back(std::move(row));
  }
  Json workers = Json::array();
  output::Table wt;
  wt.title = "Workers";
  wt.columns = {"WORKER", "STATE", "QUEUES", "CURRENT JOB", "HEARTBEAT", "HOST", "PID", "OK", "FAILED"};
  wt.numeric = {false, false, false, false, false, false, true, true, true};
  for (const auto& w : r.workers) {
    Json qs = Json::array();
    for (const auto& q : w.queues) qs.push_back(decode::json_bytes(q));
    workers.push_back({{"name", decode::json_bytes(w.name)},
                       {"state", decode::json_bytes(w.state)},
                       {"queues", qs},
                       {"current_job", render::text_or_null(w.current_job)},
                       {"last_heartbeat", render::text_or_null(w.last_heartbeat)},
                       {"heartbeat_age_ms", w.heartbeat_age_ms ? Json(*w.heartbeat_age_ms) : Json(nullptr)},
                       {"birth", render::text_or_null(w.birth)},
                       {"hostname", render::text_or_null(w.hostname)},
                       {"ip_address", render::text_or_null(w.ip_address)},
                       {"pid", w.pid.empty() ? Json(nullptr) : Json(util::parse_int(w.pid).value_or(0))},
                       {"version", render::text_or_null(w.version)},
                       {"python_version", render::text_or_null(w.python_version)},
                       {"successful_job_count", w.successful_jobs},
                       {"failed_job_count", w.failed_jobs},
                       {"total_working_time_s", w.total_working_time_s},
                       {"ttl_ms", w.ttl_ms ? Json(*w.ttl_ms) : Json(nullptr)}});
    wt.rows.push_back({w.name,
                       output::Cell(w.state, w.state == "busy"   ? output::Tone::strong
                                             : w.state == "idle" ? output::Tone::good
                                                                 : output::Tone::plain),
                       util::join(w.queues, ", "), w.current_job.empty() ? "-" : w.current_job,
                       age_cell(w.heartbeat_age_ms), w.hostname, w.pid, util::format_count(w.successful_jobs),
                       util::format_count(w.failed_jobs)});
  }
  doc.json = {
      {"queues", queues}, {"workers", workers}, {"total_queued", r.total_queued()}, {"stale_workers", r.stale_workers}};
  doc.blocks.emplace_back(std::move(qt));
  if (!wt.rows.empty()) doc.blocks.emplace_back(std::move(wt));
  doc.blocks.emplace_back(
      output::Text{fmt::format("{} queue{}, {} job{} queued; {} worker{}{}", r.queues.size(),
                               r.queues.size() == 1 ? "" : "s", r.total_queued(), r.total_queued() == 1 ? "" : "s",
                               r.workers.size(), r.workers.size() == 1 ? "" : "s",
                               r.stale_workers > 0 ? fmt::format(" ({} registered worker{} without a live hash)",
                                                                 r.stale_workers, r.stale_workers == 1 ? "" : "s")
                                                   : ""),
                   output::Tone::dim});
  return doc;
}

}  // namespace rctl::job
