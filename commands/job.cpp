// rctl job enqueue|status|list|queues (requeue, cancel and empty are in job_admin.cpp).

#include "context.hpp"
#include "job_bullmq.hpp"
#include "job_poll.hpp"
#include "job_systems.hpp"

#include "job/bullmq/queue.hpp"
#include "job/job.hpp"
#include "job/render.hpp"
#include "util/duration.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace rctl::commands {

void register_job_admin(CLI::App& job, Context& ctx);
void register_job_bulk(CLI::App& job, Context& ctx);
// job_celery.cpp
bool celery_status_detected(cluster::Client& target, const std::string& id, const std::string& prefix);
int run_celery_status(Context& ctx, cluster::Client& target, const std::string& id, const std::string& wait);
int run_celery_enqueue(Context& ctx, const std::string& task, const std::vector<std::string>& args,
                       const std::string& queue, const std::string& wait, const std::string& prefix);
int run_celery_list(Context& ctx, const std::string& queue, std::size_t limit, const std::string& prefix);
int run_celery_queues(Context& ctx, cluster::Client& target, const std::vector<std::string>& only,
                      const std::string& prefix);
// job_summary.cpp
int run_queue_summaries(Context& ctx, cluster::Client& target, const std::vector<std::string>& systems,
                        const std::vector<std::string>& only, const std::string& prefix);
// job_sidekiq.cpp
int run_sidekiq_status(Context& ctx, cluster::Client& target, const std::string& jid, const std::string& wait);
int run_sidekiq_enqueue(Context& ctx, const std::string& klass, const std::vector<std::string>& args,
                        const std::string& queue, const std::string& wait);
int run_sidekiq_list(Context& ctx, const std::string& queue, const std::string& state, std::size_t limit);

namespace {

struct EnqueueFlags {
  std::string func;
  std::vector<std::string> args;
  std::string queue = "default";
  std::string timeout, result_ttl, failure_ttl, ttl, description, job_id, meta, schedule_in, schedule_at, wait;
  std::string serializer = "pickle";
  bool at_front = false;
  std::string system = "auto";
  std::string prefix, delay;  // BullMQ's
  std::int64_t priority = 0, attempts = 0;
  CLI::Option* description_option = nullptr;
  CLI::Option* queue_option = nullptr;
  std::vector<CLI::Option*> rq_only;  // refused with --system celery, sidekiq (and bullmq, but --job-id)
  std::vector<CLI::Option*> bullmq_only;  // refused with the other systems
  CLI::Option* priority_option = nullptr;
  CLI::Option* attempts_option = nullptr;
};

struct StatusFlags {
  std::string id;
  std::string wait;
  std::string system = "auto";
  std::string queue, prefix;  // queue: BullMQ's (its ids are per queue)
};

struct ListFlags {
  std::string queue, state;
  std::string queue_positional;  // `job list QUEUE`, the same as --queue QUEUE
  std::size_t limit = job::rq::k_default_list_limit;
  std::size_t offset = 0;
  std::string system = "auto";
  std::string prefix;
};

struct QueuesFlags {
  std::vector<std::string> queues;
  std::string system = "auto";
  std::string prefix;
};

constexpr const char* k_prefix_help =
    "The system's key prefix: Celery's global_keyprefix, BullMQ's prefix option (default bull)";

// RQ's keys always start with rq:; --prefix is another system's option.
void refuse_rq_prefix(const std::string& prefix) {
  if (!prefix.empty())
    throw Failure(ErrorKind::usage, "RQ has no key prefix: --prefix is for Celery (global_keyprefix) and BullMQ",
                  "add --system celery (or bullmq), or leave --prefix out");
}

// Sidekiq 6 has no key prefix (namespaces are gone): a database of its own is the way.
void refuse_sidekiq_prefix(const std::string& prefix) {
  if (!prefix.empty())
    throw Failure(ErrorKind::usage, "Sidekiq has no key prefix: --prefix is for Celery (global_keyprefix) and BullMQ",
                  "a Sidekiq kept apart lives in its own database: give -n DB");
}

// --state's choices: RQ's, then Sidekiq's and BullMQ's not already among them (checked per
// system later).
std::vector<std::string> list_state_names() {
  auto names = job::rq::state_names();
  std::vector<std::string> others = {"waiting", "active", "retry", "dead"};  // Sidekiq's
  for (const auto& s : job::bullmq::state_names()) others.push_back(s);
  for (const auto& s : others)
    if (std::find(names.begin(), names.end(), s) == names.end()) names.push_back(s);
  return names;
}

std::optional<std::int64_t> seconds_flag(const std::string& text, std::string_view flag) {
  if (text.empty()) return std::nullopt;
  return value_or_throw(job::rq::parse_rq_seconds(text, flag));
}

// Exit status for a job's status: 0 finished (or not ended, without --wait), 1 failed,
// stopped or canceled, and 1 when --wait ran out before the job ended.
int exit_for(const job::rq::JobSnapshot& job, const job::rq::WaitInfo& wait) {
  if (job.status == "failed" || job.status == "stopped" || job.status == "canceled") return 1;
  if (wait.timed_out) return 1;
  return 0;
}

// How a wait ended.
enum class WaitEnd { ended, deadline, missing, vanished };

// Polls HGET status until the job ends or `budget` has passed (see poll_job).
WaitEnd wait_for_end(Context& ctx, cluster::Client& target, const std::string& id, util::Millis budget,
                     job::rq::WaitInfo& info) {
  info.waited = true;
  std::optional<std::string> last;
  std::optional<WaitEnd> end;
  const bool ended = poll_job(ctx, "job " + id, budget, [&](util::Millis elapsed) {
    info.elapsed = elapsed;
    auto status = job::rq::read_job_status(target, id);
    if (!status) end = last ? WaitEnd::vanished : WaitEnd::missing;
    else if (job::rq::job_ended(*status)) end = WaitEnd::ended;
    if (status && last && *status != *last)
      ctx.printer().note(fmt::format("job {}: {}", id, status->empty() ? "(no status)" : *status));
    if (status) last = status;
    return end.has_value();
  });
  if (ended) return *end;
  info.timed_out = true;
  return WaitEnd::deadline;
}

Failure missing_job(const std::string& id, bool just_enqueued) {
  return Failure(ErrorKind::not_found, fmt::format("job {} does not exist", id),
                 just_enqueued ? "it was deleted right after it was enqueued"
                               : "finished jobs are kept for their result_ttl (500s by default), failed ones a year");
}

// Reads (after waiting, if asked), shows and returns the exit status of one job.
int show_job(Context& ctx, cluster::Client& target, const std::string& id, const std::string& wait,
             bool just_enqueued) {
  job::rq::WaitInfo info;
  if (!wait.empty()) {
    switch (wait_for_end(ctx, target, id, duration_flag(wait, "--wait"), info)) {
      case WaitEnd::missing: throw missing_job(id, just_enqueued);
      case WaitEnd::vanished:
        throw Failure(ErrorKind::not_found, fmt::format("job {} no longer exists", id),
                      "a job whose result_ttl is 0 is deleted as soon as it finishes");
      case WaitEnd::ended:
      case WaitEnd::deadline: break;
    }
  }
  auto job = job::rq::read_job(target, id);
  if (!job.exists) throw missing_job(id, just_enqueued);
  ctx.printer().emit(job::render_job(job, info, std::chrono::system_clock::now()));
  if (info.timed_out)
    ctx.printer().error_line(
        {ErrorKind::check_failed,
         fmt::format("job {} is still {} after {}", id, job.status.empty() ? "(no status)" : job.status,
                     util::format_duration(info.elapsed)),
         "raise --wait, or check that a worker listens on queue '" + job.origin + "' (rctl job queues)"});
  return exit_for(job, info);
}

// What `auto` picks for `job list` and `job status`: RQ when its keys are there (today's
// behaviour), else the first other system found, in the order Celery, Sidekiq, BullMQ; RQ
// when none is. Stops at the first found (BullMQ's detection is a bounded SCAN).
std::string auto_system(cluster::Client& target, const std::string& prefix) {
  if (rq_detected(target)) return "rq";
  if (celery_detected(target, prefix)) return "celery";
  if (sidekiq_detected(target)) return "sidekiq";
  if (bullmq_detected(target, prefix)) return "bullmq";
  return "rq";
}

// Refuses RQ's enqueue options (but `allowed`) for another system. `--timeout` after the
// command is RQ's job timeout, which is easy to take for the connection's.
void refuse_rq_options(const EnqueueFlags& f, std::string_view allowed = {}) {
  for (const auto* o : f.rq_only)
    if (o->count() > 0 && o->get_name() != allowed)
      throw Failure(ErrorKind::usage,
                    fmt::format("{} is an RQ option; --system {} does not take it", o->get_name(), f.system),
                    o->get_name() == "--timeout"
                        ? "the connection's --timeout goes before the command: rctl --timeout 5s job enqueue ..."
                        : "");
}

int run_enqueue(Context& ctx, const EnqueueFlags& f) {
  if (f.system != "bullmq")
    for (const auto* o : f.bullmq_only)
      if (o->count() > 0)
        throw Failure(ErrorKind::usage, fmt::format("{} is a BullMQ option; give --system bullmq", o->get_name()));
  if (f.system == "bullmq") {
    refuse_rq_options(f, "--job-id");
    BullmqEnqueueFlags b{f.func,      f.queue_option->count() > 0 ? f.queue : "",
                         f.prefix,    f.job_id,
                         f.delay,     f.wait,
                         f.args,      std::nullopt,
                         std::nullopt};
    if (f.priority_option->count() > 0) b.priority = f.priority;
    if (f.attempts_option->count() > 0) b.attempts = f.attempts;
    return run_bullmq_enqueue(ctx, b);
  }
  if (f.system == "celery" || f.system == "sidekiq") {
    refuse_rq_options(f);
    if (f.system == "sidekiq") {
      refuse_sidekiq_prefix(f.prefix);
      return run_sidekiq_enqueue(ctx, f.func, f.args, f.queue, f.wait);
    }
    return run_celery_enqueue(ctx, f.func, f.args, f.queue_option->count() > 0 ? f.queue : "celery", f.wait, f.prefix);
  }
  refuse_rq_prefix(f.prefix);
  job::rq::EnqueueRequest r;
  r.func = f.func;
  auto parsed = value_or_throw(job::rq::parse_job_arguments(f.args));
  r.args = std::move(parsed.args);
  r.kwargs = std::move(parsed.kwargs);
  r.queue = f.queue;
  r.timeout_s = seconds_flag(f.timeout, "--timeout");
  r.result_ttl_s = seconds_flag(f.result_ttl, "--result-ttl");
  r.failure_ttl_s = seconds_flag(f.failure_ttl, "--failure-ttl");
  r.ttl_s = seconds_flag(f.ttl, "--ttl");
  if (f.description_option && f.description_option->count() > 0) r.description = f.description;
  if (!f.job_id.empty()) r.job_id = f.job_id;
  r.at_front = f.at_front;
  if (!f.meta.empty()) r.meta = value_or_throw(job::rq::parse_json_argument(f.meta, "--meta"));
  r.serializer = f.serializer == "json" ? job::rq::Serializer::json : job::rq::Serializer::pickle;
  const auto now = std::chrono::system_clock::now();
  if (!f.schedule_in.empty() && !f.schedule_at.empty())
    throw Failure(ErrorKind::usage, "--schedule-in and --schedule-at exclude each other");
  if (!f.schedule_in.empty()) {
    const auto delay = duration_flag(f.schedule_in, "--schedule-in");
    r.schedule_at = job::rq::unix_seconds(now + delay);
  }
  if (!f.schedule_at.empty())
    r.schedule_at = value_or_throw(job::rq::parse_schedule_time(f.schedule_at, "--schedule-at"));
  if (!f.wait.empty()) (void)duration_flag(f.wait, "--wait");  // a bad --wait is a usage error before writing
  auto& target = ctx.connect(config::Role::queue);
  auto outcome = job::rq::enqueue_job(target, r, now);
  const auto& job = outcome.job;
  if (job.scheduled && job.schedule_at < job::rq::unix_seconds(now))
    ctx.printer().warning("the scheduled time is in the past: a worker's scheduler enqueues the job at once");
  if (f.wait.empty()) {
    ctx.printer().emit(job::render_enqueue(outcome));
    ctx.printer().note(fmt::format("{} job {} on queue '{}': {}", job.scheduled ? "scheduled" : "enqueued", job.id,
                                   job.queue, job.description));
    return 0;
  }
  ctx.printer().note(fmt::format("enqueued job {} on queue '{}'; waiting up to {}", job.id, job.queue, f.wait));
  return show_job(ctx, target, job.id, f.wait, true);
}

int run_status(Context& ctx, const StatusFlags& f) {
  if (!f.wait.empty()) (void)duration_flag(f.wait, "--wait");
  // BullMQ's ids are per queue: --queue names one, and says the job is BullMQ's.
  if (f.system == "bullmq" || (f.system == "auto" && !f.queue.empty()))
    return run_bullmq_status(ctx, f.id, f.queue, f.prefix, f.wait);
  if (!f.queue.empty()) throw Failure(ErrorKind::usage, "--queue is BullMQ's option for job status");
  auto& target = ctx.connect(config::Role::queue);
  // auto: Celery when RQ has no job of that id and Celery's result backend has a result (or,
  // with none yet, when the database holds Celery's keys and not RQ's).
  if (f.system == "celery" || (f.system == "auto" && celery_status_detected(target, f.id, f.prefix)))
    return run_celery_status(ctx, target, f.id, f.wait);
  // Sidekiq has no prefix: whether its keys are the ones found is asked without one.
  if (f.system == "sidekiq" || (f.system == "auto" && auto_system(target, "") == "sidekiq")) {
    refuse_sidekiq_prefix(f.prefix);
    return run_sidekiq_status(ctx, target, f.id, f.wait);
  }
  refuse_rq_prefix(f.prefix);
  return show_job(ctx, target, f.id, f.wait, false);
}

int run_list(Context& ctx, ListFlags f) {
  if (!f.queue_positional.empty()) {
    if (!f.queue.empty() && f.queue != f.queue_positional)
      throw Failure(ErrorKind::usage, fmt::format("two queues: '{}' and --queue '{}'", f.queue_positional, f.queue),
                    "give the queue once");
    f.queue = f.queue_positional;
  }
  auto& target = ctx.connect(config::Role::queue);
  const auto system = f.system == "auto" ? auto_system(target, f.prefix) : f.system;
  if (system != "rq" && f.offset > 0)
    throw Failure(ErrorKind::usage, fmt::format("--offset is an RQ option; --system {} takes --limit", system));
  if (system == "sidekiq") {
    refuse_sidekiq_prefix(f.prefix);
    return run_sidekiq_list(ctx, f.queue, f.state, f.limit);
  }
  if (system == "bullmq") return run_bullmq_list(ctx, f.queue, f.state, f.limit, f.prefix);
  if (system == "celery") {
    if (!f.state.empty())
      throw Failure(ErrorKind::usage, "--state is not Celery's: its broker keeps waiting messages only");
    return run_celery_list(ctx, f.queue, f.limit, f.prefix);
  }
  refuse_rq_prefix(f.prefix);
  if (const auto rq_states = job::rq::state_names();
      !f.state.empty() && std::find(rq_states.begin(), rq_states.end(), f.state) == rq_states.end())
    throw Failure(ErrorKind::usage, fmt::format("--state {} is not an RQ state", f.state),
                  "waiting, active, retry and dead are Sidekiq's, delayed and prioritized BullMQ's: give --system");
  job::rq::JobListOptions o;
  if (!f.queue.empty()) o.queue = f.queue;
  if (!f.state.empty()) o.state = f.state;
  o.limit = f.limit;
  o.offset = f.offset;
  ctx.printer().emit(job::render_job_list(job::rq::list_jobs(target, o), std::chrono::system_clock::now()));
  return 0;
}

int run_queues(Context& ctx, const QueuesFlags& f) {
  auto& target = ctx.connect(config::Role::queue);
  if (f.system == "auto") {
    // Several systems in one database: the common table; one: that system's own report.
    const auto present = job_systems_present(target, f.prefix);
    if (present.size() > 1 || (present.size() == 1 && present.front() != "rq"))
      return run_queue_summaries(ctx, target, present, f.queues, f.prefix);
  }
  if (f.system != "auto" && f.system != "rq") return run_queue_summaries(ctx, target, {f.system}, f.queues, f.prefix);
  refuse_rq_prefix(f.prefix);
  auto report = job::rq::read_queues(target, f.queues, std::chrono::system_clock::now());
  ctx.printer().emit(job::render_queues(report));
  return 0;
}

}  // namespace

void register_job(CLI::App& app, Context& ctx) {
  auto* job = app.add_subcommand(
      "job", "Enqueue RQ, Celery, Sidekiq or BullMQ jobs that their real workers run; show status, results, queues");
  job->require_subcommand(1);

  auto e = std::make_shared<EnqueueFlags>();
  auto* enqueue = job->add_subcommand(
      "enqueue", "Enqueue a job as RQ's Queue.enqueue (or Celery's, Sidekiq's, BullMQ's client) writes it");
  enqueue->add_option("func", e->func, "Dotted import path of the function, e.g. myapp.tasks.send_email")
      ->required()
      ->type_name("FUNC");
  enqueue
      ->add_option("args", e->args,
                   "Arguments as `rq enqueue` takes them: value, :json, key=value, key:=json, @file, key=@file "
                   "(for arguments that start with '-': options first, then -- FUNC ARGS...)")
      ->type_name("ARG");
  enqueue->add_option("--queue", e->queue, "Queue name (default: default)")->type_name("QUEUE");
  enqueue
      ->add_option("--timeout,--job-timeout", e->timeout,
                   "Job timeout: seconds or 10m/2h/1d, -1 for none (default 180). The connection's reply timeout "
                   "is the global --timeout, given before `job`")
      ->type_name("SECONDS");
  enqueue->add_option("--result-ttl", e->result_ttl, "Keep the result this long (default 500s; 0 none, -1 forever)")
      ->type_name("SECONDS");
  enqueue->add_option("--failure-ttl", e->failure_ttl, "Keep a failed job this long (default 1 year; -1 forever)")
      ->type_name("SECONDS");
  enqueue->add_option("--ttl", e->ttl, "Discard the job if it has not started within this time")->type_name("SECONDS");
  e->description_option =
      enqueue->add_option("--description", e->description, "Description (default: RQ's call string, func('a', k=1))")
          ->type_name("TEXT");
  enqueue->add_option("--job-id", e->job_id, "Job id ([A-Za-z0-9_-]+; default: a new uuid4); refused if taken")
      ->type_name("ID");
  enqueue->add_flag("--at-front", e->at_front, "Put the job at the front of the queue (LPUSH)");
  enqueue->add_option("--meta", e->meta, "Job meta, a JSON object (stored with the job's serializer)")
      ->type_name("JSON");
  enqueue
      ->add_option("--schedule-in", e->schedule_in, "Schedule instead of queueing: run after this delay (10s, 5m, 2h)")
      ->type_name("DUR");
  enqueue
      ->add_option("--schedule-at", e->schedule_at,
                   "Schedule for an ISO 8601 time (2026-05-27T21:45:00Z; without an offset: local time)")
      ->type_name("TIME");
  enqueue->add_option("--serializer", e->serializer, "pickle (RQ's default) or json (rq.serializers.JSONSerializer)")
      ->check(CLI::IsMember({"pickle", "json"}))
      ->type_name("NAME");
  enqueue->add_option("--wait", e->wait, "Wait this long for the job to end and show it (exit as job status)")
      ->type_name("DUR");
  enqueue
      ->add_option("--system", e->system,
                   "Queue system: rq, celery, sidekiq, bullmq, or auto (default; enqueue: rq unless --system is "
                   "given)")
      ->check(CLI::IsMember(job_system_names()))
      ->type_name("SYSTEM");
  enqueue->add_option("--priority", e->priority, "BullMQ: 1 (first) to 2097151; 0 none")->type_name("N");
  enqueue->add_option("--attempts", e->attempts, "BullMQ: tries before the job stays failed (default 0: one)")
      ->type_name("N");
  enqueue->add_option("--delay", e->delay, "BullMQ: run after this delay (10s, 5m, 2h)")->type_name("DUR");
  e->rq_only = {
      enqueue->get_option("--timeout"),     enqueue->get_option("--result-ttl"),  enqueue->get_option("--failure-ttl"),
      enqueue->get_option("--ttl"),         enqueue->get_option("--description"), enqueue->get_option("--job-id"),
      enqueue->get_option("--at-front"),    enqueue->get_option("--meta"),        enqueue->get_option("--schedule-in"),
      enqueue->get_option("--schedule-at"), enqueue->get_option("--serializer")};
  // --prefix is Celery's too (global_keyprefix): refused per system where it runs.
  e->priority_option = enqueue->get_option("--priority");
  e->attempts_option = enqueue->get_option("--attempts");
  e->bullmq_only = {e->priority_option, e->attempts_option, enqueue->get_option("--delay")};
  e->queue_option = enqueue->get_option("--queue");
  enqueue->add_option("--prefix", e->prefix, k_prefix_help)->type_name("PREFIX");
  enqueue->callback([&ctx, e] { ctx.run = [&ctx, e] { return run_enqueue(ctx, *e); }; });

  auto s = std::make_shared<StatusFlags>();
  auto* status = job->add_subcommand("status", "Show a job: status, times, worker, queue position, registries, result");
  status->add_option("id", s->id, "Job id")->required()->type_name("ID");
  status->add_option("--wait", s->wait, "Poll until the job ends or this much time has passed")->type_name("DUR");
  status
      ->add_option("--system", s->system,
                   "rq, celery, sidekiq, bullmq, or auto (default: Celery's celery-task-meta-ID when RQ has no "
                   "such job, Sidekiq when only its keys are there, BullMQ with --queue)")
      ->check(CLI::IsMember(job_system_names()))
      ->type_name("SYSTEM");
  status->add_option("--queue", s->queue, "BullMQ: the job's queue (BullMQ ids are per queue)")->type_name("QUEUE");
  status->add_option("--prefix", s->prefix, k_prefix_help)->type_name("PREFIX");
  status->callback([&ctx, s] { ctx.run = [&ctx, s] { return run_status(ctx, *s); }; });

  auto l = std::make_shared<ListFlags>();
  auto* list = job->add_subcommand("list", "List jobs of a queue (or all queues) and their registries, paginated");
  list->add_option("queue", l->queue_positional, "The queue (the same as --queue)")->type_name("QUEUE");
  list->add_option("--queue", l->queue, "Only this queue (default: every queue in rq:queues)")->type_name("QUEUE");
  list->add_option("--state", l->state,
                   "RQ: queued, started, finished, failed, deferred, scheduled or canceled; Sidekiq: waiting, "
                   "active, scheduled, retry or dead; BullMQ: waiting (default), active, delayed, prioritized, "
                   "completed, failed or waiting-children")
      ->type_name("STATE")
      ->check(CLI::IsMember(list_state_names()));
  list->add_option("--limit", l->limit, "Jobs per page (default 50)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, job::rq::k_max_list_limit));
  list->add_option("--offset", l->offset, "Jobs to skip (default 0)")->type_name("N");
  list->add_option("--system", l->system,
                   "rq, celery, sidekiq, bullmq, or auto (default: the system whose keys are there; rq first)")
      ->check(CLI::IsMember(job_system_names()))
      ->type_name("SYSTEM");
  list->add_option("--prefix", l->prefix, k_prefix_help)->type_name("PREFIX");
  list->callback([&ctx, l] { ctx.run = [&ctx, l] { return run_list(ctx, *l); }; });

  auto q = std::make_shared<QueuesFlags>();
  auto* queues = job->add_subcommand(
      "queues", "Queues per system: depth, oldest waiting job, in progress, failed, workers (like `rq info`)");
  queues->add_option("queues", q->queues, "Only these queues (default: all)")->type_name("QUEUE");
  queues
      ->add_option(
          "--system", q->system,
          "rq, celery, sidekiq, bullmq, or auto (default: the system whose keys are there; several: one table of all)")
      ->check(CLI::IsMember(job_system_names()))
      ->type_name("SYSTEM");
  queues->add_option("--prefix", q->prefix, k_prefix_help)->type_name("PREFIX");
  queues->callback([&ctx, q] { ctx.run = [&ctx, q] { return run_queues(ctx, *q); }; });

  register_job_admin(*job, ctx);
  register_job_bulk(*job, ctx);
}

}  // namespace rctl::commands
