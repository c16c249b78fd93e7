// rctl job requeue|cancel|empty: the writes that change existing jobs.

#include "confirm.hpp"
#include "context.hpp"
#include "job_actions.hpp"

#include "client/options.hpp"
#include "job/job.hpp"
#include "job/render.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace rctl::commands {

namespace {

struct AdminFlags {
  std::vector<std::string> ids;
  std::string queue;
  bool all_failed = false, at_front = false, dry_run = false, yes = false;
};

// 1 when a job could not be changed (not failed, already canceled), else 5 when one did
// not exist, else 0.
int exit_for(const std::vector<job::rq::JobAction>& actions) {
  auto any = [&](job::rq::ActionOutcome o) {
    return std::any_of(actions.begin(), actions.end(), [o](const job::rq::JobAction& a) { return a.outcome == o; });
  };
  if (any(job::rq::ActionOutcome::refused)) return static_cast<int>(ExitCode::check_failed);
  if (any(job::rq::ActionOutcome::not_found)) return static_cast<int>(ExitCode::not_found);
  return 0;
}

job::rq::Apply apply_of(const AdminFlags& f) { return f.dry_run ? job::rq::Apply::dry_run : job::rq::Apply::write; }

int run_requeue(Context& ctx, const AdminFlags& f) {
  if (f.all_failed == !f.ids.empty()) throw Failure(ErrorKind::usage, "give job ids or --all-failed (one of them)");
  if (!f.queue.empty() && !f.all_failed) throw Failure(ErrorKind::usage, "--queue goes with --all-failed");
  auto& target = ctx.connect(config::Role::queue);
  const auto now = std::chrono::system_clock::now();
  std::vector<std::string> ids = f.ids;
  if (f.all_failed) {
    const auto names = f.queue.empty() ? job::rq::queue_names(target) : std::vector<std::string>{f.queue};
    for (const auto& name : names) {
      auto failed = job::rq::failed_job_ids(target, name, now);
      ids.insert(ids.end(), failed.begin(), failed.end());
    }
    if (ids.empty()) {
      ctx.printer().emit(job::render_actions("requeue", {}, apply_of(f)));
      ctx.printer().note("nothing to do: no failed jobs");
      return 0;
    }
    if (!f.dry_run)
      confirm_destructive(fmt::format("requeue {} failed job{} from {} on {}", ids.size(), ids.size() == 1 ? "" : "s",
                                      f.queue.empty() ? std::string("every queue") : "queue '" + f.queue + "'",
                                      client::describe(target.seed_options())),
                          f.yes);
  }
  auto run = for_each_job(ctx, ids, "requeue", [&](const std::string& id) {
    return job::rq::requeue_job(target, id, f.at_front ? job::rq::QueueEnd::front : job::rq::QueueEnd::back,
                                apply_of(f), std::chrono::system_clock::now());
  });
  auto doc = job::render_actions("requeue", run.actions, apply_of(f));
  // With --all-failed, jobs whose hash expired meanwhile are not the user's mistake.
  auto counted = run.actions;
  if (f.all_failed)
    std::erase_if(counted, [](const job::rq::JobAction& a) { return a.outcome == job::rq::ActionOutcome::not_found; });
  return finish_job_run(ctx, std::move(doc), run, exit_for(counted));
}

int run_cancel(Context& ctx, const AdminFlags& f) {
  auto& target = ctx.connect(config::Role::queue);
  auto run = for_each_job(ctx, f.ids, "cancel", [&](const std::string& id) {
    return job::rq::cancel_job(target, id, apply_of(f), std::chrono::system_clock::now());
  });
  return finish_job_run(ctx, job::render_actions("cancel", run.actions, apply_of(f)), run, exit_for(run.actions));
}

int run_empty(Context& ctx, const AdminFlags& f) {
  const auto& queue = f.ids.front();
  auto& target = ctx.connect(config::Role::queue);
  if (f.dry_run) {
    ctx.printer().emit(job::render_empty(queue, job::rq::queue_length(target, queue), job::rq::Apply::dry_run));
    return 0;
  }
  job::rq::require_standalone(target, "job empty");
  const auto n = job::rq::queue_length(target, queue);
  confirm_destructive(fmt::format("delete the {} job{} queued in '{}' (and their job hashes) on {}", n,
                                  n == 1 ? "" : "s", queue, client::describe(target.seed_options())),
                      f.yes);
  ctx.printer().emit(job::render_empty(queue, job::rq::empty_queue(target, queue), job::rq::Apply::write));
  return 0;
}

}  // namespace

void register_job_admin(CLI::App& job, Context& ctx) {
  auto r = std::make_shared<AdminFlags>();
  auto* requeue = job.add_subcommand("requeue", "Move failed jobs back to their queue, as RQ's requeue does");
  requeue->add_option("ids", r->ids, "Job ids")->type_name("ID");
  requeue->add_flag("--all-failed", r->all_failed, "Every job in the failed registry (of --queue, or of every queue)");
  requeue->add_option("--queue", r->queue, "With --all-failed: only this queue")->type_name("QUEUE");
  requeue->add_flag("--at-front", r->at_front, "Put the jobs at the front of the queue (LPUSH)");
  requeue->add_flag("--dry-run", r->dry_run, "Show what would be requeued; change nothing");
  requeue->add_flag("-y,--yes", r->yes, "Do not ask for confirmation (--all-failed; required without a terminal)");
  requeue->callback([&ctx, r] { ctx.run = [&ctx, r] { return run_requeue(ctx, *r); }; });

  auto c = std::make_shared<AdminFlags>();
  auto* cancel = job.add_subcommand("cancel", "Cancel jobs as RQ's Job.cancel does (a running job is not stopped)");
  cancel->add_option("ids", c->ids, "Job ids")->required()->type_name("ID");
  cancel->add_flag("--dry-run", c->dry_run, "Show what would be canceled; change nothing");
  cancel->callback([&ctx, c] { ctx.run = [&ctx, c] { return run_cancel(ctx, *c); }; });

  auto e = std::make_shared<AdminFlags>();
  auto* empty = job.add_subcommand("empty", "Delete every job queued in a queue, as `rq empty` does");
  empty->add_option("queue", e->ids, "Queue name")->required()->expected(1)->type_name("QUEUE");
  empty->add_flag("--dry-run", e->dry_run, "Show how many jobs would be deleted; delete nothing");
  empty->add_flag("-y,--yes", e->yes, "Do not ask for confirmation (required without a terminal)");
  empty->callback([&ctx, e] { ctx.run = [&ctx, e] { return run_empty(ctx, *e); }; });
}

}  // namespace rctl::commands
