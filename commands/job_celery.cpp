// rctl job ... --system celery|auto: Celery's side of enqueue, status, list and queues, and
// the `auto` detection that picks a system from the keys present.

#include "job_poll.hpp"
#include "job_systems.hpp"

#include "job/job.hpp"
#include "job/render_celery.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

#include <chrono>

namespace rctl::commands {

namespace {

// Polls celery-task-meta-<id> until the task is ready or `budget` has passed (see poll_job).
// A missing result is a task not yet started (Celery writes the key on STARTED only with
// task_track_started, else when it ends).
std::optional<job::celery::TaskResult> wait_for_celery(Context& ctx, cluster::Client& target, const std::string& id,
                                                       util::Millis budget, std::int64_t& waited_ms, bool& timed_out) {
  std::optional<job::celery::TaskResult> result;
  std::string last;
  timed_out = !poll_job(ctx, "task " + id, budget, [&](util::Millis elapsed) {
    waited_ms = elapsed.count();
    result = job::celery::read_result(target, id);
    if (result && result->status != last) {
      ctx.printer().note(fmt::format("task {}: {}", id, result->status));
      last = result->status;
    }
    return result && job::celery::result_ready(result->status);
  });
  return result;
}

}  // namespace

bool celery_detected(cluster::Client& target, const std::string& prefix) {
  return job::celery::broker_present(target, prefix);
}

// `auto` for list and status: Celery when its keys are there and RQ's are not (RQ users
// see no change).
bool celery_preferred(cluster::Client& target, const std::string& prefix) {
  return celery_detected(target, prefix) && !rq_detected(target);
}

bool celery_status_detected(cluster::Client& target, const std::string& id, const std::string& prefix) {
  auto r = value_or_throw(target.exec_all(
      {client::keyed({"EXISTS", "rq:job:" + id}), client::keyed({"EXISTS", "celery-task-meta-" + id})}));
  const auto count = [](const resp::Value& v) { return v.type == resp::Type::integer ? v.integer : 0; };
  if (count(r[0]) > 0) return false;
  if (count(r[1]) > 0) return true;
  // No result yet (a task still waiting has none): Celery when the database is Celery's.
  return celery_preferred(target, prefix);
}

int run_celery_status(Context& ctx, cluster::Client& target, const std::string& id, const std::string& wait) {
  std::int64_t waited_ms = 0;
  bool timed_out = false;
  std::optional<job::celery::TaskResult> result;
  if (!wait.empty()) result = wait_for_celery(ctx, target, id, duration_flag(wait, "--wait"), waited_ms, timed_out);
  else result = job::celery::read_result(target, id);
  if (!result) {
    if (timed_out)
      throw Failure(ErrorKind::check_failed,
                    fmt::format("task {} has no result after {}", id, util::format_duration(util::Millis(waited_ms))),
                    "raise --wait, or check that a Celery worker consumes its queue (rctl job queues --system celery)");
    throw Failure(ErrorKind::not_found, fmt::format("task {} has no stored result (celery-task-meta-{})", id, id),
                  "a task still waiting in its queue has none yet (Celery calls that PENDING); results expire "
                  "after result_expires (1 day by default)");
  }
  ctx.printer().emit(
      job::render_celery_result(*result, wait.empty() ? std::nullopt : std::optional(waited_ms), timed_out));
  if (timed_out)
    ctx.printer().error_line({ErrorKind::check_failed,
                              fmt::format("task {} is still {} after {}", id, result->status,
                                          util::format_duration(util::Millis(waited_ms))),
                              "raise --wait"});
  return (timed_out || result->status == "FAILURE" || result->status == "REVOKED") ? 1 : 0;
}

int run_celery_enqueue(Context& ctx, const std::string& task, const std::vector<std::string>& args,
                       const std::string& queue, const std::string& wait, const std::string& prefix) {
  job::celery::TaskRequest r;
  r.task = task;
  auto parsed = value_or_throw(job::rq::parse_job_arguments(args));
  r.args = std::move(parsed.args);
  r.kwargs = std::move(parsed.kwargs);
  r.queue = queue;
  if (!wait.empty()) (void)duration_flag(wait, "--wait");
  auto& target = ctx.connect(config::Role::queue);
  auto outcome = job::celery::enqueue_task(target, std::move(r), prefix);
  const auto& sent = outcome.request;
  if (wait.empty()) {
    ctx.printer().emit(job::render_celery_enqueue(outcome));
    ctx.printer().note(fmt::format("enqueued Celery task {} ({}) on queue '{}'", sent.id, sent.task, sent.queue));
    return 0;
  }
  ctx.printer().note(fmt::format("enqueued Celery task {} on queue '{}'; waiting up to {}", sent.id, sent.queue, wait));
  return run_celery_status(ctx, target, sent.id, wait);
}

int run_celery_list(Context& ctx, const std::string& queue, std::size_t limit, const std::string& prefix) {
  const std::string name = queue.empty() ? std::string(job::celery::k_default_queue) : queue;
  ctx.printer().emit(
      job::render_celery_list(job::celery::list_queue(ctx.connect(config::Role::queue), name, limit, prefix), limit));
  return 0;
}

int run_celery_queues(Context& ctx, cluster::Client& target, const std::vector<std::string>& only,
                      const std::string& prefix) {
  ctx.printer().emit(job::render_celery_queues(job::celery::read_queues(target, only, prefix)));
  return 0;
}

}  // namespace rctl::commands
