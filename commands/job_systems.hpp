#pragma once
// The queue systems `rctl job` speaks (RQ, Celery, Sidekiq, BullMQ) as the job commands see
// them: the `--system` choices, detection from the keys present (for `auto`), and each
// system's side of the bulk commands `job retry` and `job purge`. Each system's entry
// points live in its own file (job.cpp/job_admin.cpp for RQ, job_celery.cpp,
// job_sidekiq.cpp, job_bullmq.cpp); job_bulk.cpp registers the commands and dispatches.

#include "context.hpp"

#include "job/render_bulk.hpp"
#include "job/summary.hpp"

#include <string>
#include <vector>

namespace rctl::commands {

// Every --system value, `auto` first.
std::vector<std::string> job_system_names();

// What `job retry` and `job purge` were asked to do.
struct JobBulkFlags {
  std::string queue;  // the queue the jobs belong to (or are moved back to)
  std::string state;  // retry: failed (default) or dead or retry; purge: required
  std::string filter;  // only jobs whose task/class name equals it or whose last error contains it
  std::string system = "auto";
  std::string prefix;  // the system's key prefix: BullMQ's prefix (default bull), Celery's global_keyprefix
  bool dry_run = false;  // list what would change, change nothing
  bool yes = false;  // do not ask
};

// Detection from keys, one round trip or few, never a keyspace walk: true when the
// system's keys are present (which system a command prefers is the command's choice).
bool rq_detected(cluster::Client& target);
bool celery_detected(cluster::Client& target, const std::string& prefix = "");
bool sidekiq_detected(cluster::Client& target);
bool bullmq_detected(cluster::Client& target, const std::string& prefix);

// The systems whose keys are present, in job_system_names() order (without auto).
std::vector<std::string> job_systems_present(cluster::Client& target, const std::string& prefix);

// The common rows of `job queues` (only: these queues; empty: every queue found).
std::vector<job::QueueSummary> rq_queue_summaries(cluster::Client& target, const std::vector<std::string>& only);
std::vector<job::QueueSummary> celery_queue_summaries(cluster::Client& target, const std::vector<std::string>& only,
                                                      const std::string& prefix);
std::vector<job::QueueSummary> sidekiq_queue_summaries(cluster::Client& target, const std::vector<std::string>& only);
std::vector<job::QueueSummary> bullmq_queue_summaries(cluster::Client& target, const std::vector<std::string>& only,
                                                      const std::string& prefix);

// The report of a retry/purge, before its jobs: system, queue, state, filter, dry run.
job::BulkReport start_bulk_report(std::string_view system, const JobBulkFlags& f, std::string_view verb,
                                  const std::string& state);

// Each returns the command's exit status; the flags were checked against the system's
// states by the caller only for being non-empty.
int run_rq_retry(Context& ctx, const JobBulkFlags& f);
int run_rq_purge(Context& ctx, const JobBulkFlags& f);
int run_celery_retry(Context& ctx, const JobBulkFlags& f);
int run_celery_purge(Context& ctx, const JobBulkFlags& f);
int run_sidekiq_retry(Context& ctx, const JobBulkFlags& f);
int run_sidekiq_purge(Context& ctx, const JobBulkFlags& f);
int run_bullmq_retry(Context& ctx, const JobBulkFlags& f);
int run_bullmq_purge(Context& ctx, const JobBulkFlags& f);

}  // namespace rctl::commands
