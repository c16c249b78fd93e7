// rctl job queues when several queue systems share a database: which systems are present,
// each system's common rows (RQ's and Celery's here; Sidekiq's and BullMQ's in their files)
// and the one table.

#include "job_systems.hpp"

#include "job/job.hpp"
#include "job/render_summary.hpp"

#include <chrono>

namespace rctl::commands {

int run_celery_queues(Context& ctx, cluster::Client& target, const std::vector<std::string>& only,
                      const std::string& prefix);
int run_sidekiq_queues(Context& ctx, cluster::Client& target, const std::vector<std::string>& only);
int run_bullmq_queues(Context& ctx, const std::vector<std::string>& only, const std::string& prefix);

std::vector<std::string> job_systems_present(cluster::Client& target, const std::string& prefix) {
  std::vector<std::string> present;
  if (rq_detected(target)) present.push_back("rq");
  if (celery_detected(target, prefix)) present.push_back("celery");
  if (sidekiq_detected(target)) present.push_back("sidekiq");
  if (bullmq_detected(target, prefix)) present.push_back("bullmq");
  return present;
}

std::vector<job::QueueSummary> rq_queue_summaries(cluster::Client& target, const std::vector<std::string>& only) {
  namespace rq = job::rq;
  const auto now = std::chrono::system_clock::now();
  const auto report = rq::read_queues(target, only, now);
  // The oldest waiting job is the head of the list (RQ RPUSHes, workers LPOP).
  std::vector<client::Command> heads;
  for (const auto& q : report.queues) heads.push_back(client::keyed({"LINDEX", rq::queue_key(q.name), "0"}));
  auto head_ids = value_or_throw(target.exec_all(std::move(heads)));
  std::vector<client::Command> times;
  for (const auto& h : head_ids)
    times.push_back(client::keyed({"HGET", rq::job_key(h.is_string() ? h.str : std::string{}), "enqueued_at"}));
  auto enqueued = value_or_throw(target.exec_all(std::move(times)));
  auto index_of = [](rq::Registry r) {
    for (std::size_t i = 0; i < rq::k_registries.size(); ++i)
      if (rq::k_registries[i] == r) return i;
    return std::size_t{0};
  };
  std::vector<job::QueueSummary> rows;
  for (std::size_t i = 0; i < report.queues.size(); ++i) {
    const auto& q = report.queues[i];
    job::QueueSummary s;
    s.system = "rq";
    s.name = q.name;
    s.waiting = q.queued;
    if (head_ids[i].is_string() && enqueued[i].is_string())
      if (auto t = rq::parse_rq_timestamp(enqueued[i].str))
        s.oldest_waiting_age_s = std::chrono::duration<double>(now - *t).count();
    auto live = [&](rq::Registry r) { return q.registries[index_of(r)] - q.expired[index_of(r)]; };
    s.active = live(rq::Registry::started);
    s.scheduled = live(rq::Registry::scheduled);
    s.failed = live(rq::Registry::failed);
    s.completed = live(rq::Registry::finished);
    s.workers = static_cast<std::int64_t>(q.workers.size());
    rows.push_back(std::move(s));
  }
  return rows;
}

std::vector<job::QueueSummary> celery_queue_summaries(cluster::Client& target, const std::vector<std::string>& only,
                                                      const std::string& prefix) {
  const auto report = job::celery::read_queues(target, only, prefix);
  std::vector<job::QueueSummary> rows;
  for (const auto& q : report.queues) {
    job::QueueSummary s;
    s.system = "celery";
    s.name = q.name;
    s.waiting = q.depth;
    // Protocol 2 messages carry no sent time; failures live in the result backend, not per
    // queue; workers bind a remote-control queue, not the queues they consume.
    s.active = q.unacked;
    rows.push_back(std::move(s));
  }
  return rows;
}

int run_queue_summaries(Context& ctx, cluster::Client& target, const std::vector<std::string>& systems,
                        const std::vector<std::string>& only, const std::string& prefix) {
  // One system: its own report, which says more than the common row.
  if (systems.size() == 1 && systems.front() == "celery") return run_celery_queues(ctx, target, only, prefix);
  if (systems.size() == 1 && systems.front() == "sidekiq") return run_sidekiq_queues(ctx, target, only);
  if (systems.size() == 1 && systems.front() == "bullmq") return run_bullmq_queues(ctx, only, prefix);
  std::vector<job::QueueSummary> rows;
  auto add = [&rows](std::vector<job::QueueSummary> more) {
    for (auto& r : more) rows.push_back(std::move(r));
  };
  for (const auto& s : systems) {
    if (s == "rq") add(rq_queue_summaries(target, only));
    else if (s == "celery") add(celery_queue_summaries(target, only, prefix));
    else if (s == "sidekiq") add(sidekiq_queue_summaries(target, only));
    else if (s == "bullmq") add(bullmq_queue_summaries(target, only, prefix));
  }
  ctx.printer().emit(job::render_queue_summaries(systems, rows));
  return 0;
}

}  // namespace rctl::commands
