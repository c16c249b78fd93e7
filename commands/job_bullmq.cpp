// rctl job ... --system bullmq: BullMQ's side of enqueue, status, list, queues, retry and
// purge (see job_systems.hpp for how job.cpp and job_bulk.cpp dispatch here).

#include "confirm.hpp"
#include "job_bullmq.hpp"
#include "job_poll.hpp"
#include "job_systems.hpp"

#include "job/bullmq/read.hpp"
#include "job/bullmq/write.hpp"
#include "job/render_bullmq.hpp"
#include "job/rq/args.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace rctl::commands {

namespace bullmq = job::bullmq;

namespace {

bullmq::QueueRef bullmq_queue_ref(const std::string& queue, const std::string& prefix, std::string_view command) {
  if (queue.empty())
    throw Failure(ErrorKind::usage, fmt::format("job {} --system bullmq needs --queue", command),
                  "BullMQ has no default queue; `rctl job queues --system bullmq` lists them");
  return {job::bullmq::prefix_or_default(prefix), queue};
}

bool bullmq_ended(const std::string& state) { return state == "completed" || state == "failed"; }

// Polls the job's state until it is completed or failed, or `budget` has passed (see poll_job).
job::bullmq::JobView wait_for_bullmq(Context& ctx, cluster::Client& target, const bullmq::QueueRef& q,
                                     const std::string& id, util::Millis budget, std::int64_t& waited_ms,
                                     bool& timed_out) {
  std::optional<job::bullmq::JobView> view;
  std::string last;
  timed_out = !poll_job(ctx, "job " + id, budget, [&](util::Millis elapsed) {
    waited_ms = elapsed.count();
    view = job::bullmq::read_job(target, q, id);
    if (!view->job.exists)
      throw Failure(ErrorKind::not_found, fmt::format("job {} of queue '{}' does not exist", id, q.name),
                    "completed and failed jobs go when removeOnComplete/removeOnFail say so");
    if (view->state != last) {
      if (!last.empty()) ctx.printer().note(fmt::format("job {}: {}", id, view->state));
      last = view->state;
    }
    return bullmq_ended(view->state);
  });
  // Timed out with every read lost: poll_job threw the connection error instead.
  return *view;
}

// Reads the jobs of `state` a bulk command handles: up to k_max_bulk_jobs, filtered.
job::BullmqBulkReport bullmq_select(cluster::Client& target, const JobBulkFlags& f, const std::string& action,
                                    const std::string& state) {
  job::BullmqBulkReport r;
  r.action = action;
  r.queue = {job::bullmq::prefix_or_default(f.prefix), f.queue};
  r.state = state;
  r.filter = f.filter;
  auto page = job::bullmq::state_ids(target, r.queue, state, job::bullmq::k_max_bulk_jobs);
  r.in_state = page.total;
  r.truncated = page.total > static_cast<std::int64_t>(page.ids.size());
  for (auto& j : job::bullmq::read_jobs(target, r.queue, page.ids))
    if (j.exists && job::bullmq::matches_filter(j, f.filter)) r.selected.push_back(std::move(j));
  return r;
}

std::vector<std::string> bullmq_ids_of(const std::vector<job::bullmq::JobRecord>& jobs) {
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(j.id);
  return ids;
}

int run_bullmq_bulk(Context& ctx, const JobBulkFlags& f, const std::string& action, const std::string& state) {
  auto& target = ctx.connect(config::Role::queue);
  auto report = bullmq_select(target, f, action, state);
  if (f.dry_run || report.selected.empty()) {
    if (!f.dry_run) report.outcome = job::bullmq::BulkOutcome{};
    ctx.printer().emit(job::render_bullmq_bulk(report));
    return 0;
  }
  confirm_destructive(fmt::format("{} {} {} BullMQ job{} of queue '{}'{}", action == "retry" ? "retry" : "delete",
                                  report.selected.size(), state, report.selected.size() == 1 ? "" : "s", f.queue,
                                  f.filter.empty() ? "" : " matching '" + f.filter + "'"),
                      f.yes);
  const auto ids = bullmq_ids_of(report.selected);
  report.outcome = action == "retry" ? job::bullmq::retry_failed(target, report.queue, ids)
                                     : job::bullmq::purge_jobs(target, report.queue, state, ids);
  ctx.printer().emit(job::render_bullmq_bulk(report));
  return 0;
}

}  // namespace

bool bullmq_detected(cluster::Client& target, const std::string& prefix) {
  return job::bullmq::detected(target, prefix);
}

std::vector<job::QueueSummary> bullmq_queue_summaries(cluster::Client& target, const std::vector<std::string>& only,
                                                      const std::string& prefix) {
  const auto report = job::bullmq::read_queues(target, prefix, only);
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::vector<job::QueueSummary> rows;
  for (const auto& q : report.queues) {
    job::QueueSummary s;
    s.system = "bullmq";
    s.name = q.name;
    s.waiting = q.waiting + q.paused + q.prioritized;
    if (q.next_timestamp_ms) s.oldest_waiting_age_s = static_cast<double>(now_ms - *q.next_timestamp_ms) / 1000.0;
    s.active = q.active;
    s.scheduled = q.delayed;
    s.failed = q.failed;
    s.completed = q.completed;
    s.workers = q.workers;
    rows.push_back(std::move(s));
  }
  return rows;
}

int run_bullmq_enqueue(Context& ctx, const BullmqEnqueueFlags& f) {
  job::bullmq::AddRequest r;
  r.queue = bullmq_queue_ref(f.queue, f.prefix, "enqueue");
  r.name = f.name;
  auto parsed = value_or_throw(job::rq::parse_job_arguments(f.args));
  if (!parsed.args.empty())
    throw Failure(ErrorKind::usage, "BullMQ's job data is an object: give key=value or key:=json arguments",
                  "a positional argument has no key in the job's data");
  r.data = std::move(parsed.kwargs);
  if (!f.delay.empty()) r.delay_ms = duration_flag(f.delay, "--delay").count();
  r.priority = f.priority;
  r.attempts = f.attempts;
  r.job_id = f.job_id;
  if (!f.wait.empty()) (void)duration_flag(f.wait, "--wait");
  auto& target = ctx.connect(config::Role::queue);
  const auto outcome = job::bullmq::add_job(target, r, std::chrono::system_clock::now());
  if (outcome.state == "duplicated")
    ctx.printer().warning(
        fmt::format("job {} already exists in queue '{}': BullMQ keeps it and adds nothing", outcome.id, r.queue.name));
  if (f.wait.empty()) {
    ctx.printer().emit(job::render_bullmq_enqueue(r, outcome));
    ctx.printer().note(
        fmt::format("added BullMQ job {} ({}) to queue '{}': {}", outcome.id, r.name, r.queue.name, outcome.state));
    return 0;
  }
  ctx.printer().note(
      fmt::format("added BullMQ job {} to queue '{}'; waiting up to {}", outcome.id, r.queue.name, f.wait));
  return run_bullmq_status(ctx, outcome.id, r.queue.name, r.queue.prefix, f.wait);
}

int run_bullmq_status(Context& ctx, const std::string& id, const std::string& queue, const std::string& prefix,
                      const std::string& wait) {
  const auto q = bullmq_queue_ref(queue, prefix, "status");
  std::optional<std::int64_t> waited;
  std::int64_t waited_ms = 0;
  bool timed_out = false;
  auto& target = ctx.connect(config::Role::queue);
  job::bullmq::JobView view;
  if (!wait.empty()) {
    view = wait_for_bullmq(ctx, target, q, id, duration_flag(wait, "--wait"), waited_ms, timed_out);
    waited = waited_ms;
  } else {
    view = job::bullmq::read_job(target, q, id);
  }
  if (!view.job.exists)
    throw Failure(ErrorKind::not_found,
                  fmt::format("job {} of queue '{}' (prefix {}) does not exist", id, q.name, q.prefix),
                  "BullMQ job ids are per queue: check --queue and --prefix");
  ctx.printer().emit(job::render_bullmq_job(q, view, waited, timed_out, std::chrono::system_clock::now()));
  if (timed_out)
    ctx.printer().error_line(
        {ErrorKind::check_failed,
         fmt::format("job {} is still {} after {}", id, view.state, util::format_duration(util::Millis(waited_ms))),
         "raise --wait, or check that a Worker runs on queue '" + q.name + "' (rctl job queues --system bullmq)"});
  return (timed_out || view.state == "failed") ? 1 : 0;
}

int run_bullmq_list(Context& ctx, const std::string& queue, const std::string& state, std::size_t limit,
                    const std::string& prefix) {
  const auto q = bullmq_queue_ref(queue, prefix, "list");
  const std::string s = state.empty() ? "waiting" : state;
  if (!job::bullmq::is_state(s))
    throw Failure(ErrorKind::usage, fmt::format("--state {} is not a BullMQ state", s),
                  "BullMQ's: waiting, active, delayed, prioritized, completed, failed, waiting-children");
  ctx.printer().emit(job::render_bullmq_list(job::bullmq::list_jobs(ctx.connect(config::Role::queue), q, s, limit),
                                             limit, std::chrono::system_clock::now()));
  return 0;
}

int run_bullmq_queues(Context& ctx, const std::vector<std::string>& only, const std::string& prefix) {
  ctx.printer().emit(job::render_bullmq_queues(job::bullmq::read_queues(ctx.connect(config::Role::queue), prefix, only),
                                               std::chrono::system_clock::now()));
  return 0;
}

int run_bullmq_retry(Context& ctx, const JobBulkFlags& f) {
  if (!f.state.empty() && f.state != "failed")
    throw Failure(ErrorKind::usage, fmt::format("--state {}: BullMQ retries failed jobs only", f.state),
                  "BullMQ has no retry or dead set: a job that ran out of attempts is in failed");
  return run_bullmq_bulk(ctx, f, "retry", "failed");
}

int run_bullmq_purge(Context& ctx, const JobBulkFlags& f) {
  static const std::vector<std::string> purgeable{"waiting", "delayed", "prioritized", "completed", "failed"};
  if (std::find(purgeable.begin(), purgeable.end(), f.state) == purgeable.end())
    throw Failure(ErrorKind::usage, fmt::format("--state {} cannot be purged in BullMQ", f.state),
                  "BullMQ's: waiting, delayed, prioritized, completed, failed (active jobs belong to a worker)");
  return run_bullmq_bulk(ctx, f, "purge", f.state);
}

}  // namespace rctl::commands
