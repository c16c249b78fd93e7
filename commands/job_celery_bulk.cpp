// rctl job retry|purge --system celery.

#include "confirm.hpp"
#include "job_actions.hpp"
#include "job_systems.hpp"

#include "client/options.hpp"
#include "job/job.hpp"
#include "job/render_bulk.hpp"

#include <fmt/format.h>

namespace rctl::commands {

namespace {

// Runs `act` on every item through for_each_job, which walks strings: the items' indexes
// (two waiting messages may share a task id when one was sent twice).
template <class Item, class Act>
JobRun celery_bulk_each(Context& ctx, const std::vector<Item>& items, std::string_view verb, Act act) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < items.size(); ++i) keys.push_back(std::to_string(i));
  return for_each_job(ctx, keys, verb, [&](const std::string& k) { return act(items[std::stoul(k)]); });
}

void celery_bulk_failed_notes(Context& ctx, const job::celery::FailedSelection& sel, bool retry) {
  if (sel.capped)
    ctx.printer().warning(
        fmt::format("read the first {} celery-task-meta-* keys only (the bound); run again for the rest",
                    job::celery::k_max_meta_scan));
  if (sel.unreadable > 0)
    ctx.printer().warning(
        fmt::format("{} celery-task-meta-* value{} not JSON and {} skipped (rctl reads the json "
                    "result_serializer only)",
                    sel.unreadable, sel.unreadable == 1 ? " is" : "s are", sel.unreadable == 1 ? "was" : "were"));
  if (sel.not_retryable > 0)
    ctx.printer().warning(
        fmt::format("{} failed task{} cannot be {}: {} result stores no task name, arguments or queue "
                    "(enable result_extended=True in the Celery app)",
                    sel.not_retryable, sel.not_retryable == 1 ? "" : "s", retry ? "retried" : "told apart by queue",
                    sel.not_retryable == 1 ? "its" : "their"));
}

// Emits the report with the run's jobs; the run's exit status (0 unless it stopped early).
int celery_bulk_emit(Context& ctx, job::BulkReport& report, JobRun run) {
  report.actions = std::move(run.actions);
  return finish_job_run(ctx, job::render_bulk(report), run, 0);
}

}  // namespace

int run_celery_retry(Context& ctx, const JobBulkFlags& f) {
  if (!f.state.empty() && f.state != "failed")
    throw Failure(ErrorKind::usage, fmt::format("Celery has no state '{}' to retry from", f.state),
                  "failed tasks are the FAILURE results of the Redis result backend: --state failed (the default)");
  auto& target = ctx.connect(config::Role::queue);
  const auto sel = job::celery::select_failed(target, f.queue, f.filter);
  auto report = start_bulk_report("celery", f, "retry", "failed");
  report.total = sel.failed;
  report.capped = sel.capped;
  report.not_retryable = sel.not_retryable;
  if (!sel.tasks.empty() && !f.dry_run)
    confirm_destructive(fmt::format("send {} failed Celery task{} of queue '{}' again on {}", sel.tasks.size(),
                                    sel.tasks.size() == 1 ? "" : "s", f.queue, client::describe(target.seed_options())),
                        f.yes);
  auto run = celery_bulk_each<job::celery::FailedTask>(ctx, sel.tasks, "retry", [&](const job::celery::FailedTask& t) {
    return job::celery::retry_failed_task(target, t, f.prefix, report.apply);
  });
  const int status = celery_bulk_emit(ctx, report, std::move(run));
  celery_bulk_failed_notes(ctx, sel, true);
  if (report.actions.empty() && status == 0) ctx.printer().note("nothing to do: no failed task of that queue matched");
  return status;
}

int run_celery_purge(Context& ctx, const JobBulkFlags& f) {
  if (f.state != "waiting" && f.state != "failed")
    throw Failure(ErrorKind::usage, fmt::format("Celery has no state '{}' to purge", f.state),
                  "waiting (the queue's messages) or failed (FAILURE results)");
  auto& target = ctx.connect(config::Role::queue);
  auto report = start_bulk_report("celery", f, "purge", f.state);
  int status = 0;
  const auto where = client::describe(target.seed_options());
  if (f.state == "failed") {
    const auto sel = job::celery::select_failed(target, f.queue, f.filter);
    report.total = sel.failed;
    report.capped = sel.capped;
    report.not_retryable = sel.not_retryable;
    if (!sel.tasks.empty() && !f.dry_run)
      confirm_destructive(fmt::format("delete the results of {} failed Celery task{} of queue '{}' on {}",
                                      sel.tasks.size(), sel.tasks.size() == 1 ? "" : "s", f.queue, where),
                          f.yes);
    auto run = celery_bulk_each<job::celery::FailedTask>(
        ctx, sel.tasks, "purge",
        [&](const job::celery::FailedTask& t) { return job::celery::purge_failed_task(target, t, report.apply); });
    status = celery_bulk_emit(ctx, report, std::move(run));
    celery_bulk_failed_notes(ctx, sel, false);
  } else {
    if (target.is_cluster())
      throw Failure(ErrorKind::usage, "Celery's bulk commands need a standalone server",
                    "kombu's Redis transport does not run on Redis Cluster");
    const auto sel = job::celery::select_waiting(target, f.queue, f.filter, f.prefix);
    report.total = sel.total;
    report.capped = sel.capped;
    if (!sel.messages.empty() && !f.dry_run)
      confirm_destructive(fmt::format("delete {} waiting Celery message{} of queue '{}' on {}", sel.messages.size(),
                                      sel.messages.size() == 1 ? "" : "s", f.queue, where),
                          f.yes);
    auto run = celery_bulk_each<job::celery::WaitingMessage>(
        ctx, sel.messages, "purge", [&](const job::celery::WaitingMessage& m) {
          return job::celery::purge_waiting_message(target, f.queue, m, report.apply);
        });
    status = celery_bulk_emit(ctx, report, std::move(run));
    if (sel.capped)
      ctx.printer().warning(fmt::format("read the {} oldest messages of each list only; run again for the rest",
                                        job::celery::k_max_purge_messages));
  }
  if (report.actions.empty() && status == 0)
    ctx.printer().note(fmt::format("nothing to do: no {} task matched", f.state));
  return status;
}

}  // namespace rctl::commands
