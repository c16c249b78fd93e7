// rctl job retry|purge --system rq, and RQ's rows of the multi-system `job queues` table.

#include "confirm.hpp"
#include "job_actions.hpp"
#include "job_systems.hpp"

#include "client/options.hpp"
#include "job/job.hpp"
#include "job/render_bulk.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rctl::commands {

namespace {

void rq_bulk_refuse_prefix(const JobBulkFlags& f) {
  if (!f.prefix.empty())
    throw Failure(ErrorKind::usage, "RQ has no key prefix: --prefix is for Celery and BullMQ",
                  "RQ's keys always start with rq:");
}

// Shows the report (and what a capped run left for later) and returns the exit status: 0,
// also when jobs left their state meanwhile (a second run is meant to be harmless), unless
// the run stopped early.
int rq_bulk_finish(Context& ctx, job::BulkReport& report, const job::rq::BulkSelection& sel, JobRun run) {
  report.actions = std::move(run.actions);
  const int status = finish_job_run(ctx, job::render_bulk(report), run, 0);
  if (sel.capped)
    ctx.printer().warning(
        fmt::format("only the first {} of the {} {} jobs were read; run the command again for the rest",
                    job::rq::k_max_bulk_jobs, sel.total, sel.state));
  if (report.actions.empty() && !run.stopped)
    ctx.printer().note(fmt::format("nothing to do: no {} jobs matched", sel.state));
  return status;
}

job::BulkReport rq_bulk_report(const JobBulkFlags& f, std::string_view verb, const std::string& state,
                               const job::rq::BulkSelection& sel) {
  auto r = start_bulk_report("rq", f, verb, state);
  r.total = sel.total;
  r.capped = sel.capped;
  return r;
}

std::vector<std::string> rq_bulk_ids(const job::rq::BulkSelection& sel) {
  std::vector<std::string> ids;
  for (const auto& j : sel.jobs) ids.push_back(j.id);
  return ids;
}

}  // namespace

int run_rq_retry(Context& ctx, const JobBulkFlags& f) {
  rq_bulk_refuse_prefix(f);
  if (!f.state.empty() && f.state != "failed")
    throw Failure(ErrorKind::usage, fmt::format("RQ has no state '{}' to retry from", f.state),
                  "RQ keeps failed jobs in one registry: --state failed (the default)");
  auto& target = ctx.connect(config::Role::queue);
  if (!f.dry_run) job::rq::require_standalone(target, "job retry");
  const auto now = std::chrono::system_clock::now();
  const auto sel = job::rq::select_jobs(target, f.queue, "failed", f.filter, now);
  auto report = rq_bulk_report(f, "retry", "failed", sel);
  const auto ids = rq_bulk_ids(sel);
  if (!ids.empty() && !f.dry_run)
    confirm_destructive(fmt::format("retry {} failed job{} of queue '{}' on {}", ids.size(), ids.size() == 1 ? "" : "s",
                                    f.queue, client::describe(target.seed_options())),
                        f.yes);
  auto run = for_each_job(ctx, ids, "retry", [&](const std::string& id) {
    return job::rq::requeue_job(target, id, job::rq::QueueEnd::back, report.apply, std::chrono::system_clock::now());
  });
  return rq_bulk_finish(ctx, report, sel, std::move(run));
}

int run_rq_purge(Context& ctx, const JobBulkFlags& f) {
  rq_bulk_refuse_prefix(f);
  const auto states = job::rq::purge_state_names();
  if (f.state != "queued" && std::find(states.begin(), states.end(), f.state) == states.end())
    throw Failure(ErrorKind::usage, fmt::format("RQ has no state '{}' to purge", f.state),
                  fmt::format("one of: {} (a started job is not deleted under its worker)", fmt::join(states, ", ")));
  auto& target = ctx.connect(config::Role::queue);
  if (!f.dry_run) job::rq::require_standalone(target, "job purge");
  const auto sel = job::rq::select_jobs(target, f.queue, f.state, f.filter, std::chrono::system_clock::now());
  auto report = rq_bulk_report(f, "purge", f.state, sel);
  const auto ids = rq_bulk_ids(sel);
  if (!ids.empty() && !f.dry_run)
    confirm_destructive(fmt::format("delete {} {} job{} of queue '{}' (their hashes too) on {}", ids.size(), f.state,
                                    ids.size() == 1 ? "" : "s", f.queue, client::describe(target.seed_options())),
                        f.yes);
  auto run = for_each_job(ctx, ids, "purge", [&](const std::string& id) {
    return job::rq::purge_job(target, f.queue, f.state, id, report.apply);
  });
  return rq_bulk_finish(ctx, report, sel, std::move(run));
}

}  // namespace rctl::commands
