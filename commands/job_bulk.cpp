// rctl job retry|purge: bulk moves and deletes for incident recovery, the same commands for
// every queue system; each system's side is in its own file (see job_systems.hpp).

#include "job_systems.hpp"

#include "job/job.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace rctl::commands {

std::vector<std::string> job_system_names() { return {"auto", "rq", "celery", "sidekiq", "bullmq"}; }

bool rq_detected(cluster::Client& target) {
  auto r = value_or_throw(target.exec(client::keyed({"EXISTS", std::string(job::rq::k_rq_queues_key)})));
  return r.type == resp::Type::integer && r.integer > 0;
}

job::BulkReport start_bulk_report(std::string_view system, const JobBulkFlags& f, std::string_view verb,
                                  const std::string& state) {
  job::BulkReport r;
  r.system = system;
  r.verb = verb;
  r.queue = f.queue;
  r.state = state;
  r.filter = f.filter;
  r.apply = f.dry_run ? job::rq::Apply::dry_run : job::rq::Apply::write;
  return r;
}

namespace {

// `auto`: the one system whose keys are present; none or several is the user's choice.
std::string resolve_bulk_system(Context& ctx, const JobBulkFlags& f, std::string_view command) {
  if (f.system != "auto") return f.system;
  auto& target = ctx.connect(config::Role::queue);
  const auto present = job_systems_present(target, f.prefix);
  if (present.size() == 1) return present.front();
  if (present.empty())
    throw Failure(
        ErrorKind::not_found, "no queue system's keys found (RQ, Celery, Sidekiq or BullMQ)",
        fmt::format("check the database (-n) and, for BullMQ, --prefix; or give --system with `job {}`", command));
  throw Failure(ErrorKind::usage, fmt::format("this database holds the keys of {}", fmt::join(present, " and ")),
                fmt::format("say which with --system, e.g. `rctl job {} --system {} ...`", command, present.front()));
}

void add_bulk_options(CLI::App& cmd, JobBulkFlags& f) {
  cmd.add_option("queue", f.queue, "The queue whose jobs are handled")->required()->type_name("QUEUE");
  cmd.add_option("--filter", f.filter, "Only jobs whose task/class name is TEXT or whose last error contains TEXT")
      ->type_name("TEXT");
  cmd.add_option("--system", f.system, "rq, celery, sidekiq, bullmq, or auto (default: the one whose keys are there)")
      ->check(CLI::IsMember(job_system_names()))
      ->type_name("SYSTEM");
  cmd.add_option("--prefix", f.prefix,
                 "The system's key prefix: BullMQ's prefix option (default bull), Celery's global_keyprefix")
      ->type_name("PREFIX");
  cmd.add_flag("--dry-run", f.dry_run, "List what would change; change nothing");
  cmd.add_flag("-y,--yes", f.yes, "Do not ask for confirmation (required without a terminal)");
}

int run_retry(Context& ctx, JobBulkFlags& f) {
  const auto system = resolve_bulk_system(ctx, f, "retry");
  if (system == "rq") return run_rq_retry(ctx, f);
  if (system == "celery") return run_celery_retry(ctx, f);
  if (system == "sidekiq") return run_sidekiq_retry(ctx, f);
  return run_bullmq_retry(ctx, f);
}

int run_purge(Context& ctx, JobBulkFlags& f) {
  const auto system = resolve_bulk_system(ctx, f, "purge");
  if (system == "rq") return run_rq_purge(ctx, f);
  if (system == "celery") return run_celery_purge(ctx, f);
  if (system == "sidekiq") return run_sidekiq_purge(ctx, f);
  return run_bullmq_purge(ctx, f);
}

}  // namespace

void register_job_bulk(CLI::App& job, Context& ctx) {
  auto r = std::make_shared<JobBulkFlags>();
  auto* retry = job.add_subcommand(
      "retry", "Move failed (or dead) jobs back to their queue so a worker runs them again; asks first");
  add_bulk_options(*retry, *r);
  retry
      ->add_option("--state", r->state,
                   "Where the jobs are: failed (RQ, Celery, BullMQ; their default), retry (Sidekiq's default), dead or "
                   "scheduled (Sidekiq)")
      ->type_name("STATE");
  retry->callback([&ctx, r] { ctx.run = [&ctx, r] { return run_retry(ctx, *r); }; });

  auto p = std::make_shared<JobBulkFlags>();
  auto* purge =
      job.add_subcommand("purge", "Delete the jobs of a queue in one state (waiting, failed, dead, ...); asks first");
  add_bulk_options(*purge, *p);
  purge->add_option("--state", p->state, "Which jobs: waiting, failed, dead, retry, scheduled, completed (by system)")
      ->required()
      ->type_name("STATE");
  purge->callback([&ctx, p] { ctx.run = [&ctx, p] { return run_purge(ctx, *p); }; });
}

}  // namespace rctl::commands
