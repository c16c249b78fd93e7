// Documents for Sidekiq's queues, processes, jobs and bulk moves.

#include "job/render_sidekiq.hpp"
#include "job/render_util.hpp"
#include "util/strings.hpp"

#include <cmath>

namespace rctl::job {

namespace {

using render::Json;

// Sidekiq stores times as float seconds since the epoch; JSON shows them as RQ's UTC text.
Json sk_time_json(const std::optional<double>& t) {
  if (!t || !std::isfinite(*t)) return nullptr;
  return rq::rq_timestamp(
      rq::SystemTime(std::chrono::duration_cast<rq::SystemTime::duration>(std::chrono::duration<double>(*t))));
}

std::string sk_ago(const std::optional<double>& t, double now_s) {
  if (!t || !std::isfinite(*t)) return "-";
  const auto ms = util::Millis(static_cast<std::int64_t>((now_s - *t) * 1000));
  return ms.count() >= 0 ? util::format_duration(ms) + " ago" : "in " + util::format_duration(-ms);
}

std::optional<double> sk_age_s(const std::optional<double>& t, double now_s) {
  if (!t || !std::isfinite(*t)) return std::nullopt;
  return std::max(0.0, now_s - *t);
}

Json sk_opt_json(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }
Json sk_opt_json(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

Json sk_job_json(const sidekiq::SidekiqJob& j) {
  return {{"jid", render::text_or_null(j.jid)},
          {"class", render::text_or_null(j.klass)},
          {"wrapped", render::text_or_null(j.wrapped)},
          {"queue", render::text_or_null(j.queue)},
          {"args", j.valid ? j.args : Json(nullptr)},
          {"created_at", sk_time_json(j.created_at)},
          {"enqueued_at", sk_time_json(j.enqueued_at)},
          {"retry", j.retry},
          {"retry_count", sk_opt_json(j.retry_count)},
          {"failed_at", sk_time_json(j.failed_at)},
          {"retried_at", sk_time_json(j.retried_at)},
          {"error_class", render::text_or_null(j.error_class)},
          {"error_message", render::text_or_null(j.error_message)},
          {"valid", j.valid},
          {"problem", render::text_or_null(j.problem)},
          {"payload", j.valid ? j.payload : decode::json_bytes(j.raw)}};
}

std::string sk_class_cell(const sidekiq::SidekiqJob& j) {
  if (!j.valid) return "(" + j.problem + ")";
  return j.wrapped.empty() ? j.klass : fmt::format("{} ({})", j.wrapped, j.klass);
}

std::string sk_args_cell(const sidekiq::SidekiqJob& j) {
  if (!j.valid || !j.args.is_array()) return "-";
  std::string out;
  for (const auto& a : j.args) out += (out.empty() ? "" : ", ") + a.dump();
  return out;
}

std::string sk_error_cell(const sidekiq::SidekiqJob& j) {
  if (j.error_class.empty() && j.error_message.empty()) return "-";
  return fmt::format("{}: {}", j.error_class, j.error_message);
}

}  // namespace

output::Document render_sidekiq_enqueue(const sidekiq::EnqueueOutcome& o) {
  output::Document doc;
  doc.json = {{"system", "sidekiq"},           {"jid", o.jid},           {"class", o.request.klass},
              {"queue", o.request.queue},      {"args", o.request.args}, {"status", "waiting"},
              {"queue_length", o.queue_length}};
  doc.blocks.emplace_back(output::Text{o.jid});
  return doc;
}

output::Document render_sidekiq_queues(const sidekiq::Overview& o, double now_s) {
  output::Document doc;
  Json queues = Json::array();
  output::Table t;
  t.title = "Sidekiq queues";
  t.columns = {"QUEUE", "WAITING", "LATENCY", "BUSY", "SCHEDULED", "RETRY", "DEAD", "NEXT"};
  t.numeric = {false, true, true, true, true, true, true, false};
  std::int64_t total = 0;
  for (const auto& q : o.queues) {
    total += q.depth;
    // Queue#latency: now - the next job's enqueued_at (created_at when absent).
    std::optional<double> age;
    if (q.next) age = sk_age_s(q.next->enqueued_at ? q.next->enqueued_at : q.next->created_at, now_s);
    queues.push_back({{"name", decode::json_bytes(q.name)},
                      {"waiting", q.depth},
                      {"oldest_waiting_age_s", sk_opt_json(age)},
                      {"in_progress", q.in_progress},
                      {"scheduled", q.scheduled},
                      {"retry", q.retry},
                      {"dead", q.dead},
                      {"next", q.next ? sk_job_json(*q.next) : Json(nullptr)}});
    t.rows.push_back({q.name, util::format_count(q.depth),
                      age ? util::format_duration(util::Millis(static_cast<std::int64_t>(*age * 1000))) : "-",
                      util::format_count(q.in_progress), util::format_count(q.scheduled), util::format_count(q.retry),
                      util::format_count(q.dead), q.next ? sk_class_cell(*q.next) : "-"});
  }
  Json processes = Json::array();
  output::Table p;
  p.title = "Sidekiq processes";
  p.columns = {"IDENTITY", "QUEUES", "BUSY", "CONCURRENCY", "HEARTBEAT"};
  p.numeric = {false, false, true, true, false};
  std::size_t stale = 0;
  for (const auto& pr : o.processes) {
    if (pr.stale) ++stale;
    processes.push_back({{"identity", decode::json_bytes(pr.identity)},
                         {"hostname", render::text_or_null(pr.hostname)},
                         {"pid", sk_opt_json(pr.pid)},
                         {"tag", render::text_or_null(pr.tag)},
                         {"queues", pr.queues},
                         {"concurrency", sk_opt_json(pr.concurrency)},
                         {"busy", sk_opt_json(pr.busy)},
                         {"beat", sk_time_json(pr.beat)},
                         {"heartbeat_age_s", sk_opt_json(sk_age_s(pr.beat, now_s))},
                         {"quiet", pr.quiet},
                         {"stale", pr.stale}});
    std::string beat = pr.beat ? sk_ago(pr.beat, now_s) : "none";
    if (pr.stale) beat += " (stale)";
    if (pr.quiet) beat += " (quiet)";
    p.rows.push_back({pr.identity, util::join(pr.queues, ","), pr.busy ? std::to_string(*pr.busy) : "-",
                      pr.concurrency ? std::to_string(*pr.concurrency) : "-",
                      output::Cell(beat, pr.stale ? output::Tone::warn : output::Tone::plain)});
  }
  doc.json = {{"system", "sidekiq"},
              {"queues", queues},
              {"total_waiting", total},
              {"in_progress", o.running.size()},
              {"scheduled", o.scheduled_total},
              {"retry", o.retry_total},
              {"dead", o.dead_total},
              {"per_queue_counts_complete", o.per_queue_counts_complete},
              {"processes", processes},
              {"stale_processes", stale},
              {"stat_processed", sk_opt_json(o.processed)},
              {"stat_failed", sk_opt_json(o.failed)}};
  doc.blocks.emplace_back(std::move(t));
  if (!o.processes.empty()) doc.blocks.emplace_back(std::move(p));
  doc.blocks.emplace_back(output::Text{
      fmt::format("{} queue{}, {} waiting, {} busy; {} scheduled, {} retry, {} dead; {} process{} ({} stale); "
                  "processed {}, failed {}",
                  o.queues.size(), o.queues.size() == 1 ? "" : "s", total, o.running.size(), o.scheduled_total,
                  o.retry_total, o.dead_total, o.processes.size(), o.processes.size() == 1 ? "" : "es", stale,
                  o.processed ? util::format_count(*o.processed) : "-", o.failed ? util::format_count(*o.failed) : "-"),
      output::Tone::dim});
  if (!o.per_queue_counts_complete)
    doc.blocks.emplace_back(output::Text{
        fmt::format("per-queue scheduled/retry/dead counts cover the first {} members of each set; totals are exact",
                    sidekiq::k_max_set_members_counted),
        output::Tone::warn});
  if (stale > 0)
    doc.blocks.emplace_back(
        output::Text{fmt::format("{} process{} sent no heartbeat for {}s: stopped or stuck", stale,
                                 stale == 1 ? "" : "es", static_cast<int>(sidekiq::k_stale_heartbeat_s)),
                     output::Tone::warn});
  return doc;
}

output::Document render_sidekiq_list(const sidekiq::Listing& l, std::size_t limit, double now_s) {
  output::Document doc;
  Json jobs = Json::array();
  output::Table t;
  const auto state = sidekiq::list_state_name(l.state);
  const bool in_set = l.state == sidekiq::ListState::scheduled || l.state == sidekiq::ListState::retry ||
                      l.state == sidekiq::ListState::dead;
  const char* when = l.state == sidekiq::ListState::scheduled ? "RUN AT"
                     : l.state == sidekiq::ListState::retry   ? "RETRY AT"
                     : l.state == sidekiq::ListState::dead    ? "DIED"
                     : l.state == sidekiq::ListState::active  ? "STARTED"
                                                              : "ENQUEUED";
  t.columns = {"JID", "CLASS", "ARGS", "QUEUE", when, "RETRIES", "ERROR"};
  for (const auto& j : l.jobs) {
    Json row = sk_job_json(j.job);
    row["position"] = sk_opt_json(j.position);
    row["at"] = in_set ? sk_time_json(j.score) : Json(nullptr);
    row["process"] = render::text_or_null(j.identity);
    row["run_at"] = j.run_at ? sk_time_json(static_cast<double>(*j.run_at)) : Json(nullptr);
    jobs.push_back(std::move(row));
    std::optional<double> t_at = in_set     ? j.score
                                 : j.run_at ? std::optional<double>(static_cast<double>(*j.run_at))
                                            : j.job.enqueued_at;
    t.rows.push_back({j.job.jid.empty() ? "-" : j.job.jid, sk_class_cell(j.job), sk_args_cell(j.job),
                      j.job.queue.empty() ? "-" : j.job.queue, sk_ago(t_at, now_s),
                      j.job.retry_count ? std::to_string(*j.job.retry_count) : "-", sk_error_cell(j.job)});
  }
  doc.json = {{"system", "sidekiq"},  {"queue", l.queue.empty() ? Json(nullptr) : decode::json_bytes(l.queue)},
              {"state", state},       {"limit", limit},
              {"total", l.total},     {"count", l.jobs.size()},
              {"scanned", l.scanned}, {"scan_limit_hit", l.scan_limit_hit},
              {"jobs", jobs}};
  doc.blocks.emplace_back(std::move(t));
  const std::string where = l.queue.empty() ? "every queue" : "'" + l.queue + "'";
  doc.blocks.emplace_back(output::Text{
      in_set ? fmt::format("{} {} job{} of {} shown ({} in the {} set, every queue)", l.jobs.size(), state,
                           l.jobs.size() == 1 ? "" : "s", where, l.total, sidekiq::set_key(l.state))
             : fmt::format("{} of {} {} job{} in {}", l.jobs.size(), l.total, state, l.total == 1 ? "" : "s", where),
      output::Tone::dim});
  if (l.scan_limit_hit)
    doc.blocks.emplace_back(output::Text{fmt::format("the search stopped after {} members: more may match", l.scanned),
                                         output::Tone::warn});
  return doc;
}

output::Document render_sidekiq_status(const SidekiqStatus& s, double now_s) {
  output::Document doc;
  const auto& loc = s.location;
  // "done" keeps the job as it was last seen; not_seen has none.
  const bool found = !loc.found.job.raw.empty();
  doc.json = {
      {"system", "sidekiq"},
      {"jid", s.jid},
      {"status", s.state},
      {"queue", found ? decode::json_bytes(loc.queue) : Json(nullptr)},
      {"position", sk_opt_json(loc.found.position)},
      {"process", render::text_or_null(loc.found.identity)},
      {"started_at", loc.found.run_at ? sk_time_json(static_cast<double>(*loc.found.run_at)) : Json(nullptr)},
      {"at", loc.where == "scheduled" || loc.where == "retry" || loc.where == "dead" ? sk_time_json(loc.found.score)
                                                                                     : Json(nullptr)},
      {"job", found ? sk_job_json(loc.found.job) : Json(nullptr)},
      {"result", nullptr},
      {"note", render::text_or_null(s.note)},
      {"search_incomplete", loc.incomplete},
      {"waited_ms", sk_opt_json(s.waited_ms)},
      {"timed_out", s.timed_out}};
  output::Fields f;
  f.title = "job " + s.jid;
  const auto tone = s.state == "retry" || s.state == "dead" ? output::Tone::bad
                    : s.state == "running"                  ? output::Tone::strong
                    : s.state == "done"                     ? output::Tone::good
                                                            : output::Tone::plain;
  f.add("status", output::Cell(s.state, tone));
  if (found) {
    const auto& j = loc.found.job;
    f.add("class", sk_class_cell(j));
    f.add("args", sk_args_cell(j));
    f.add("queue", loc.queue);
    if (loc.found.position) f.add("position", fmt::format("{} (0 = next to run)", *loc.found.position));
    if (!loc.found.identity.empty()) {
      f.add("process", loc.found.identity);
      if (loc.found.run_at) f.add("started", sk_ago(static_cast<double>(*loc.found.run_at), now_s));
    }
    if (loc.where == "scheduled") f.add("runs", sk_ago(loc.found.score, now_s));
    if (loc.where == "retry") f.add("retries", sk_ago(loc.found.score, now_s));
    if (loc.where == "dead") f.add("dead since", sk_ago(loc.found.score, now_s));
    f.add("enqueued", sk_ago(j.enqueued_at, now_s));
    f.add("created", sk_ago(j.created_at, now_s));
    if (j.retry_count) f.add("retry_count", std::to_string(*j.retry_count));
    if (!j.error_class.empty() || !j.error_message.empty())
      f.add("last error", output::Cell(sk_error_cell(j), output::Tone::bad));
  }
  f.add("result", "- (Sidekiq keeps no result)");
  if (s.waited_ms) f.add("waited", util::format_duration(util::Millis(*s.waited_ms)));
  doc.blocks.emplace_back(std::move(f));
  if (!s.note.empty()) doc.blocks.emplace_back(output::Text{s.note, output::Tone::dim});
  return doc;
}

output::Document render_sidekiq_bulk(std::string_view action, const sidekiq::Selection& s,
                                     const std::optional<sidekiq::BulkOutcome>& o) {
  output::Document doc;
  Json jobs = Json::array();
  output::Table t;
  t.columns = {"JID", "CLASS", "ARGS", "RETRIES", "ERROR"};
  for (const auto& j : s.jobs) {
    jobs.push_back(sk_job_json(j));
    t.rows.push_back({j.jid.empty() ? "-" : j.jid, sk_class_cell(j), sk_args_cell(j),
                      j.retry_count ? std::to_string(*j.retry_count) : "-", sk_error_cell(j)});
  }
  const auto selected = s.whole_queue ? s.total : static_cast<std::int64_t>(s.jobs.size());
  doc.json = {{"system", "sidekiq"},
              {"action", action},
              {"queue", decode::json_bytes(s.queue)},
              {"state", s.state},
              {"filter", render::text_or_null(s.filter)},
              {"dry_run", !o.has_value()},
              {"selected", selected},
              {"examined", s.examined},
              {"truncated", s.truncated},
              {"done", o ? Json(o->done) : Json(nullptr)},
              {"already_gone", o ? Json(o->gone) : Json(nullptr)},
              {"outcome_unknown", o ? Json(o->unknown) : Json(nullptr)},
              {"jobs", jobs}};
  if (!s.jobs.empty()) doc.blocks.emplace_back(std::move(t));
  const char* verb = action == "retry" ? "moved back to" : "deleted from";
  std::string line;
  if (!o)
    line = fmt::format("dry run: {} {} job{} would be {} '{}'; nothing changed", selected, s.state,
                       selected == 1 ? "" : "s", action == "retry" ? "moved back to queue" : "deleted from", s.queue);
  else
    line = fmt::format("{} {} job{} {} '{}'", o->done, s.state, o->done == 1 ? "" : "s", verb, s.queue) +
           (o->gone > 0 ? fmt::format("; {} already gone (taken by another client), skipped", o->gone) : "");
  doc.blocks.emplace_back(output::Text{line, o ? output::Tone::plain : output::Tone::dim});
  if (s.truncated)
    doc.blocks.emplace_back(
        output::Text{fmt::format("only the first {} members were examined; run again for the rest", s.examined),
                     output::Tone::warn});
  return doc;
}

}  // namespace rctl::job
