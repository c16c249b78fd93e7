#pragma once
// `rctl job list` and `rctl job queues`: RQ's queues, registries and workers as `rq info`
// and RQ's Queue/Registry/Worker classes see them - read-only (where `rq info` first
// cleans registries, these counts leave out expired entries instead). Every command is
// keyed, so both work on a cluster.

#include "cluster/client.hpp"
#include "job/rq/keys.hpp"
#include "job/rq/time.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rctl::job::rq {

// `job list --limit`: the default page size and the largest one.
inline constexpr std::size_t k_default_list_limit = 50;
inline constexpr std::size_t k_max_list_limit = 10000;

// Where a job was found: its queue's list ("queued") or one of the registries.
struct JobSource {
  std::string queue;
  std::optional<Registry> registry;  // nullopt: the queue itself
  std::string state() const { return registry ? to_string(*registry) : "queued"; }
};

// What `job list` asked for.
struct JobListOptions {
  std::optional<std::string> queue;  // nullopt: every queue in rq:queues
  std::optional<std::string> state;  // "queued" or a registry name; nullopt: all of them
  std::size_t limit = k_default_list_limit;
  std::size_t offset = 0;
};

// One listed job.
struct JobRow {
  std::string id;
  std::string execution_id;  // RQ 2.x started-registry member suffix
  JobSource source;
  bool exists = false;  // the hash is still there (registries outlive expired jobs)
  std::string status, origin, func, description, created_at, enqueued_at, ended_at;
};

// One page of jobs.
struct JobListing {
  std::vector<std::string> queues;
  std::optional<std::string> state;
  std::size_t offset = 0, limit = 0;
  std::int64_t total = 0;  // jobs in all the sources listed, before paging
  std::vector<JobRow> jobs;
};

// Queue names from rq:queues (which holds queue keys), sorted.
std::vector<std::string> queue_names(cluster::Client& target);

// The states --state accepts: "queued", then the registries ("started", ...).
std::vector<std::string> state_names();

// Lists jobs: per queue (by name), the queue in order, then the registries (started,
// finished, failed, deferred, scheduled, canceled) by score; `offset`/`limit` page
// through that sequence.
JobListing list_jobs(cluster::Client& target, const JobListOptions& options);

// One queue in `job queues`.
struct QueueSummary {
  std::string name;
  std::int64_t queued = 0;
  std::array<std::int64_t, k_registries.size()> registries{};  // by k_registries order
  std::array<std::int64_t, k_registries.size()> expired{};  // entries RQ's cleanup would drop
  std::vector<std::string> workers;  // names, from rq:workers:<q>
};

// One live worker (its rq:worker:<name> hash), as `rq info` shows it.
struct WorkerSummary {
  std::string name;
  std::string state;  // "?" when the hash has none, as `rq info` shows it
  std::vector<std::string> queues;
  std::string current_job, last_heartbeat, birth, hostname, ip_address, pid, version, python_version;
  std::optional<std::int64_t> heartbeat_age_ms;
  std::optional<std::int64_t> ttl_ms;
  std::int64_t successful_jobs = 0, failed_jobs = 0;
  double total_working_time_s = 0;
};

// Everything `job queues` shows.
struct QueuesReport {
  std::vector<QueueSummary> queues;
  std::vector<WorkerSummary> workers;
  std::int64_t stale_workers = 0;  // registered, but their hash expired (a dead worker)
  std::int64_t total_queued() const;
};

// Reads `only` (or every queue in rq:queues) and the workers (of those queues, or all).
QueuesReport read_queues(cluster::Client& target, const std::vector<std::string>& only, SystemTime now);

}  // namespace rctl::job::rq
