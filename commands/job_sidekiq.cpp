// rctl job ... --system sidekiq: Sidekiq's side of enqueue, status, list, queues, retry and
// purge, and its detection for `auto`.

#include "confirm.hpp"
#include "job_poll.hpp"
#include "job_systems.hpp"

#include "client/options.hpp"
#include "job/job.hpp"
#include "job/render_sidekiq.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace rctl::commands {

namespace {

namespace sk = job::sidekiq;

// Polls where the job is (50 ms doubling to 1 s) until it fails (retry/dead set), ends, is
// known not to exist, or `budget` has passed. Sidekiq keeps no result, so "ended" is inferred: the job is in no
// queue, set or workers hash, and every live process has sent a heartbeat since it was last
// seen (a job taken from a queue shows in its process's workers hash only from the next
// heartbeat, every 5 s), and it is still nowhere one poll later (a failure's retry write
// comes right after the job leaves the workers state). A lost connection is noted and
// polling goes on until the deadline (poll_job), as for RQ and Celery.
job::SidekiqStatus wait_for_sidekiq(Context& ctx, cluster::Client& target, const std::string& jid, util::Millis budget,
                                    bool seen_before) {
  job::SidekiqStatus st;
  st.jid = jid;
  std::string last;
  double missing_since = 0;  // when the job was first not seen after being seen (0: it is seen)
  bool confirmed_once = false;
  sk::Location last_seen;
  const bool ended = poll_job(ctx, "job " + jid, budget, [&](util::Millis elapsed) {
    st.waited_ms = elapsed.count();
    sk::Heartbeats beats;
    auto loc = sk::locate_job(target, jid);
    if (loc.where.empty()) beats = sk::read_heartbeats(target, sk::now_seconds());
    if (!loc.where.empty()) {
      if (loc.where != last) ctx.printer().note(fmt::format("job {}: {}", jid, loc.where));
      last = loc.where;
      seen_before = true;
      missing_since = 0;
      confirmed_once = false;
      last_seen = loc;
      st.state = loc.where;
      st.location = loc;
      return loc.where == "retry" || loc.where == "dead";
    }
    if (!loc.incomplete.empty()) return false;
    // Not seen now. A job a process has just taken is in no key until that process's next
    // heartbeat, so neither "done" nor "not found" is concluded before that.
    const bool first_miss = missing_since == 0;
    if (first_miss) missing_since = sk::now_seconds();
    // With no live process the job was deleted, or taken by one whose first heartbeat is
    // still to come: wait two heartbeat intervals before believing the former.
    const bool beaten = !first_miss && (beats.alive == 0 ? sk::now_seconds() - missing_since > 10.0
                                                         : beats.oldest && *beats.oldest > missing_since);
    if (beaten && confirmed_once && !seen_before) {
      st.state = "not_seen";
      st.location = loc;
      return true;
    }
    if (beaten && confirmed_once) {
      st.state = "done";
      st.location = last_seen;
      st.location.where.clear();
      st.note =
          "the job left its queue and is in no workers hash, retry or dead set: it ran and did not fail (or was "
          "deleted). Sidekiq keeps no result to show";
      return true;
    }
    confirmed_once = beaten;
    return false;
  });
  if (!ended) {
    st.timed_out = true;
    if (st.state.empty()) st.state = "not_seen";
  }
  return st;
}

std::string sidekiq_state(std::string_view given, std::initializer_list<std::string_view> allowed,
                          std::string_view fallback, std::string_view command) {
  if (given.empty()) return std::string(fallback);
  for (auto a : allowed)
    if (a == given) return std::string(given);
  std::vector<std::string> names(allowed.begin(), allowed.end());
  throw Failure(ErrorKind::usage, fmt::format("--state {} is not a Sidekiq state for `job {}`", given, command),
                fmt::format("use one of: {}", fmt::join(names, ", ")));
}

int show_sidekiq_status(Context& ctx, const job::SidekiqStatus& st) {
  if (st.state == "not_seen" && !st.timed_out) {
    if (!st.location.incomplete.empty())
      throw Failure(ErrorKind::check_failed,
                    fmt::format("job {} was not seen, but the search stopped early in {}", st.jid,
                                fmt::join(st.location.incomplete, ", ")),
                    fmt::format("each list and set is read up to {} members", sk::k_max_search_elements));
    throw Failure(ErrorKind::not_found,
                  fmt::format("job {} is in no queue, workers hash, schedule, retry or dead set", st.jid),
                  "Sidekiq keeps no record of finished jobs: it may have run, or never existed");
  }
  ctx.printer().emit(job::render_sidekiq_status(st, sk::now_seconds()));
  if (st.timed_out) {
    ctx.printer().error_line({ErrorKind::check_failed,
                              fmt::format("job {} is still {} after {}", st.jid, st.state,
                                          util::format_duration(util::Millis(st.waited_ms.value_or(0)))),
                              "raise --wait, or check that a Sidekiq process works its queue (rctl job queues "
                              "--system sidekiq)"});
    return 1;
  }
  return st.state == "retry" || st.state == "dead" ? 1 : 0;
}

}  // namespace

bool sidekiq_detected(cluster::Client& target) { return sk::sidekiq_present(target); }

std::vector<job::QueueSummary> sidekiq_queue_summaries(cluster::Client& target, const std::vector<std::string>& only) {
  const double now = sk::now_seconds();
  auto o = sk::read_overview(target, only, now);
  std::vector<job::QueueSummary> rows;
  for (const auto& q : o.queues) {
    job::QueueSummary s;
    s.system = "sidekiq";
    s.name = q.name;
    s.waiting = q.depth;
    if (q.next) {
      const auto at = q.next->enqueued_at ? q.next->enqueued_at : q.next->created_at;
      if (at) s.oldest_waiting_age_s = std::max(0.0, now - *at);
    }
    s.active = q.in_progress;
    s.scheduled = q.scheduled;
    s.retry = q.retry;
    s.dead = q.dead;
    std::int64_t workers = 0;
    for (const auto& p : o.processes)
      if (!p.stale && std::find(p.queues.begin(), p.queues.end(), q.name) != p.queues.end())
        workers += p.concurrency.value_or(1);
    s.workers = workers;
    rows.push_back(std::move(s));
  }
  return rows;
}

int run_sidekiq_queues(Context& ctx, cluster::Client& target, const std::vector<std::string>& only) {
  const double now = sk::now_seconds();
  ctx.printer().emit(job::render_sidekiq_queues(sk::read_overview(target, only, now), now));
  return 0;
}

int run_sidekiq_list(Context& ctx, const std::string& queue, const std::string& state, std::size_t limit) {
  const auto name = sidekiq_state(state, {"waiting", "active", "scheduled", "retry", "dead"}, "waiting", "list");
  const auto s = *sk::parse_list_state(name);
  if (limit > sk::k_max_list_limit)
    throw Failure(ErrorKind::usage, fmt::format("--limit is at most {} for Sidekiq", sk::k_max_list_limit));
  // A queue's list for waiting jobs; the sets and running jobs span queues.
  const std::string q = queue.empty() && s == sk::ListState::waiting ? std::string(sk::k_default_queue) : queue;
  ctx.printer().emit(
      job::render_sidekiq_list(sk::list_jobs(ctx.connect(config::Role::queue), q, s, limit), limit, sk::now_seconds()));
  return 0;
}

int run_sidekiq_status(Context& ctx, cluster::Client& target, const std::string& jid, const std::string& wait) {
  if (!wait.empty())
    return show_sidekiq_status(ctx, wait_for_sidekiq(ctx, target, jid, duration_flag(wait, "--wait"), false));
  job::SidekiqStatus st;
  st.jid = jid;
  st.location = sk::locate_job(target, jid);
  st.state = st.location.where.empty() ? "not_seen" : st.location.where;
  return show_sidekiq_status(ctx, st);
}

int run_sidekiq_enqueue(Context& ctx, const std::string& klass, const std::vector<std::string>& args,
                        const std::string& queue, const std::string& wait) {
  sk::PushRequest r;
  r.klass = klass;
  r.args = sk::sidekiq_args(value_or_throw(job::rq::parse_job_arguments(args)));
  r.queue = queue;
  if (!wait.empty()) (void)duration_flag(wait, "--wait");
  auto& target = ctx.connect(config::Role::queue);
  auto outcome = sk::enqueue_job(target, std::move(r));
  if (wait.empty()) {
    ctx.printer().emit(job::render_sidekiq_enqueue(outcome));
    ctx.printer().note(fmt::format("enqueued Sidekiq job {} ({}) on queue '{}'", outcome.jid, outcome.request.klass,
                                   outcome.request.queue));
    return 0;
  }
  ctx.printer().note(
      fmt::format("enqueued Sidekiq job {} on queue '{}'; waiting up to {}", outcome.jid, outcome.request.queue, wait));
  return show_sidekiq_status(ctx, wait_for_sidekiq(ctx, target, outcome.jid, duration_flag(wait, "--wait"), true));
}

int run_sidekiq_retry(Context& ctx, const JobBulkFlags& f) {
  const auto state = sidekiq_state(f.state, {"retry", "dead", "scheduled"}, "retry", "retry");
  auto& target = ctx.connect(config::Role::queue);
  job::rq::require_standalone(target, "job retry --system sidekiq");
  auto sel = sk::select_jobs(target, f.queue, *sk::parse_list_state(state), f.filter);
  if (f.dry_run || sel.jobs.empty()) {
    ctx.printer().emit(
        job::render_sidekiq_bulk("retry", sel, f.dry_run ? std::nullopt : std::optional(sk::BulkOutcome{})));
    return 0;
  }
  confirm_destructive(
      fmt::format("move {} job{} of queue '{}' from the {} set back to the queue on {}", sel.jobs.size(),
                  sel.jobs.size() == 1 ? "" : "s", f.queue, state, client::describe(target.seed_options())),
      f.yes);
  // SortedEntry#retry takes one off retry_count (the next failure adds it back); dead and
  // scheduled jobs go back as #add_to_queue does, unchanged.
  auto outcome = sk::retry_jobs(target, sel, state == "retry");
  // One document on stdout: the error alone when the outcome is unknown (it has the counts).
  if (outcome.unknown == 0) ctx.printer().emit(job::render_sidekiq_bulk("retry", sel, outcome));
  if (outcome.unknown > 0)
    throw Failure(ErrorKind::outcome_unknown,
                  fmt::format("outcome unknown for {} job{}: the connection failed after they were sent ({}); {} "
                              "moved before that",
                              outcome.unknown, outcome.unknown == 1 ? "" : "s", outcome.lost_error, outcome.done),
                  "run the same command again: a job already moved is no longer in the set, so nothing doubles");
  return 0;
}

int run_sidekiq_purge(Context& ctx, const JobBulkFlags& f) {
  const auto state = sidekiq_state(f.state, {"waiting", "scheduled", "retry", "dead"}, "", "purge");
  auto& target = ctx.connect(config::Role::queue);
  job::rq::require_standalone(target, "job purge --system sidekiq");
  auto sel = sk::select_jobs(target, f.queue, *sk::parse_list_state(state), f.filter);
  const auto n = sel.whole_queue ? sel.total : static_cast<std::int64_t>(sel.jobs.size());
  if (f.dry_run || n == 0) {
    ctx.printer().emit(
        job::render_sidekiq_bulk("purge", sel, f.dry_run ? std::nullopt : std::optional(sk::BulkOutcome{})));
    return 0;
  }
  confirm_destructive(fmt::format("delete {} {} job{} of queue '{}' on {}", n, state, n == 1 ? "" : "s", f.queue,
                                  client::describe(target.seed_options())),
                      f.yes);
  auto outcome = sk::purge_jobs(target, sel);
  if (outcome.unknown == 0) ctx.printer().emit(job::render_sidekiq_bulk("purge", sel, outcome));
  if (outcome.unknown > 0)
    throw Failure(ErrorKind::outcome_unknown,
                  fmt::format("outcome unknown for {} job{}: the connection failed after the delete was sent ({}); {} "
                              "deleted before that",
                              outcome.unknown, outcome.unknown == 1 ? "" : "s", outcome.lost_error, outcome.done),
                  "check with `rctl job list --system sidekiq` before running it again");
  return 0;
}

}  // namespace rctl::commands
