#pragma once
// Reading Sidekiq 6.x's keys (api.rb Queue, SortedSet, ProcessSet, Workers, Stats): the
// queues with their depth and latency, the processes and what they run, the schedule /
// retry / dead sets, and where one jid is. Every read is bounded: lists and sorted sets are
// read in pages up to a named limit, and a result says when a limit was reached.

#include "cluster/client.hpp"
#include "job/sidekiq/job.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rctl::job::sidekiq {

// Members of each of schedule/retry/dead decoded to count them per queue (`job queues`).
inline constexpr std::size_t k_max_set_members_counted = 10000;
// Elements a search for one jid (`job status`) or a filtered listing reads, per list or set.
inline constexpr std::size_t k_max_search_elements = 100000;
inline constexpr std::size_t k_search_page = 1000;
inline constexpr std::size_t k_default_list_limit = 50;
inline constexpr std::size_t k_max_list_limit = 10000;

// True when the database holds Sidekiq's keys: the `queues` or `processes` set, or a
// schedule/retry/dead sorted set whose first member is a job payload. One round trip.
bool sidekiq_present(cluster::Client& target);

// One job a process runs now (a field of `<identity>:workers`).
struct RunningJob {
  std::string identity, tid, queue;
  std::optional<std::int64_t> run_at;  // seconds since the epoch
  SidekiqJob job;
};

struct ProcessInfo {
  std::string identity, hostname, tag;
  std::vector<std::string> queues;
  std::optional<std::int64_t> concurrency, busy, pid;
  std::optional<double> beat;  // last heartbeat, seconds since the epoch
  bool quiet = false;
  bool alive = false;  // the process hash still exists (it expires 60 s after the last beat)
  bool stale = false;  // no heartbeat for k_stale_heartbeat_s
};

struct QueueStat {
  std::string name;
  std::int64_t depth = 0;
  std::optional<SidekiqJob> next;  // the job a worker takes next (the list's right end)
  std::int64_t in_progress = 0;
  std::int64_t scheduled = 0, retry = 0, dead = 0;  // members naming this queue
};

struct Overview {
  std::vector<QueueStat> queues;
  std::vector<ProcessInfo> processes;
  std::vector<RunningJob> running;
  std::int64_t scheduled_total = 0, retry_total = 0, dead_total = 0;
  bool per_queue_counts_complete = true;  // false when a set held more than k_max_set_members_counted
  std::optional<std::int64_t> processed, failed;  // stat:processed, stat:failed
};

// The queues in `queues` (or only `only`), every process in `processes`; `now_s` judges
// staleness.
Overview read_overview(cluster::Client& target, const std::vector<std::string>& only, double now_s);

// The jobs running now, from every process's workers hash.
std::vector<RunningJob> read_running(cluster::Client& target);

// The live processes' heartbeats (processes whose hash has expired are left out): a job
// taken from a queue shows in its process's workers hash only from the next heartbeat on,
// so "no longer running" is known only once every live process has beaten since.
struct Heartbeats {
  std::size_t alive = 0;
  std::optional<double> oldest;  // the oldest live heartbeat
};
// Beats older than k_stale_heartbeat_s at `now_s` are left out too.
Heartbeats read_heartbeats(cluster::Client& target, double now_s);

// Which jobs `job list` shows.
enum class ListState { waiting, active, scheduled, retry, dead };
std::optional<ListState> parse_list_state(std::string_view name);
std::string_view list_state_name(ListState state);
std::string_view set_key(ListState state);  // schedule/retry/dead

struct ListedJob {
  SidekiqJob job;
  std::optional<double> score;  // the set's score: run at, retry at, died at
  std::optional<std::int64_t> position;  // waiting: 0 = next to run
  std::string identity;  // active: the process
  std::optional<std::int64_t> run_at;  // active: started at
};

struct Listing {
  std::string queue;  // "" = every queue (sets and active only)
  ListState state = ListState::waiting;
  std::int64_t total = 0;  // the list's or set's size (every queue for sets)
  std::size_t scanned = 0;  // set members read to find them
  bool scan_limit_hit = false;  // a set held more than k_max_search_elements and not all matched
  std::vector<ListedJob> jobs;  // next to run first (dead: most recent first)
};

Listing list_jobs(cluster::Client& target, const std::string& queue, ListState state, std::size_t limit);

// Where one jid is, searched in order: running, each queue, schedule, retry, dead.
struct Location {
  std::string where;  // running, waiting, scheduled, retry, dead, or "" when not seen
  ListedJob found;
  std::string queue;
  std::vector<std::string> incomplete;  // lists/sets whose search stopped at k_max_search_elements
};
Location locate_job(cluster::Client& target, const std::string& jid);

}  // namespace rctl::job::sidekiq
