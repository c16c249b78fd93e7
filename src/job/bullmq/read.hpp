#pragma once
// Reading BullMQ queues: the counts Queue.getJobCounts gives, the next job, the workers
// (CLIENT LIST names) and bounded job listings. Nothing here writes.

#include "job/bullmq/queue.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rctl::job::bullmq {

struct QueueCounts {
  std::string name;
  // As Queue.getJobCounts() names them; `waiting` leaves out a legacy "0:" marker at the
  // end of the wait list as getCounts.lua does.
  std::int64_t waiting = 0, paused = 0, active = 0, delayed = 0, prioritized = 0, waiting_children = 0, completed = 0,
               failed = 0;
  bool is_paused = false;  // meta has "paused" (Queue.pause)
  std::optional<std::string> next_id;  // the job a worker takes next: wait (or paused), else prioritized
  std::optional<std::int64_t> next_timestamp_ms;  // its creation timestamp
  std::optional<std::int64_t> workers;  // CLIENT LIST names of BullMQ workers; nullopt when not known
};

struct QueuesReport {
  std::string prefix;
  std::vector<QueueCounts> queues;
  Discovery discovery;  // empty names when the queues were given
  std::optional<std::string> workers_problem;  // why workers are not known (CLIENT LIST refused, cluster)
};

// `only` empty: every queue discovered. Three pipelined round trips plus the SCAN.
QueuesReport read_queues(cluster::Client& target, const std::string& prefix, const std::vector<std::string>& only);

// Workers per queue name from CLIENT LIST: connections named "P:<base64 name>" or
// "P:<base64 name>:w:<worker name>" (Queue.getWorkers). Throws on a refused CLIENT LIST.
std::map<std::string, std::int64_t> count_workers(std::string_view client_list, const std::string& prefix,
                                                  const std::vector<std::string>& names);

struct JobListing {
  QueueRef queue;
  std::string state;
  std::int64_t total = 0;
  std::vector<JobRecord> jobs;  // waiting, prioritized, delayed: next first; completed, failed: newest first
};

// Up to `limit` jobs of `state` (waiting includes the paused list).
JobListing list_jobs(cluster::Client& target, const QueueRef& queue, const std::string& state, std::size_t limit);

// The ids of up to `limit` jobs in `state`, in list order, and the state's size.
struct IdPage {
  std::vector<std::string> ids;
  std::int64_t total = 0;
};
IdPage state_ids(cluster::Client& target, const QueueRef& queue, const std::string& state, std::size_t limit);

// HGETALL of each id, pipelined.
std::vector<JobRecord> read_jobs(cluster::Client& target, const QueueRef& queue, const std::vector<std::string>& ids);

// True when `job` matches a --filter: its name equals it or its failedReason contains it.
bool matches_filter(const JobRecord& job, const std::string& filter);

}  // namespace rctl::job::bullmq
