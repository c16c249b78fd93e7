#pragma once
// BullMQ 5.x on Redis, as its own Lua scripts (bullmq/dist/esm/commands) lay it out: every
// key of queue Q under prefix P is "P:Q:<type>" - wait and paused (lists, LPUSHed, the next
// job at the right end), active (list), delayed, prioritized, waiting-children, completed
// and failed (sorted sets), meta (hash: paused, opts.maxLenEvents, concurrency), id (the job
// counter), pc (the priority counter), marker (sorted set that wakes workers), events
// (stream) - and job J is the hash "P:Q:J" (name, data, opts, timestamp, delay, priority,
// atm, ats, processedOn, finishedOn, failedReason, stacktrace, returnvalue) with its log
// list "P:Q:J:logs". A Redis Cluster needs a hash-tagged prefix ({bull}), as BullMQ does.

#include "cluster/client.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rctl::job::bullmq {

using Json = nlohmann::ordered_json;
using SystemTime = std::chrono::system_clock::time_point;

inline constexpr std::string_view k_default_prefix = "bull";
// Queue discovery is a SCAN for P:*:meta: it stops after this many keys examined or this
// many queues found (name the queues to skip it).
inline constexpr std::size_t k_discovery_max_keys = 200000;
inline constexpr std::size_t k_discovery_max_queues = 1000;
// Detection (--system auto) looks at no more keys than this.
inline constexpr std::size_t k_detection_max_keys = 10000;
inline constexpr std::size_t k_default_list_limit = 50;
inline constexpr std::size_t k_max_list_limit = 10000;
// Jobs one `job retry` / `job purge` run handles (run it again for more).
inline constexpr std::size_t k_max_bulk_jobs = 10000;

// One queue's key names.
struct QueueRef {
  std::string prefix = std::string(k_default_prefix);
  std::string name;
  std::string base() const { return prefix + ":" + name + ":"; }  // job keys are base() + id
  std::string key(std::string_view type) const { return base() + std::string(type); }
  std::string job_key(std::string_view id) const { return base() + std::string(id); }
};

// The prefix given, or "bull" when empty.
std::string prefix_or_default(const std::string& prefix);

// The states `job list --state` and `job purge --state` take.
const std::vector<std::string>& state_names();
bool is_state(std::string_view state);

// True when a P:*:meta key exists among the first k_detection_max_keys keys SCAN returns
// (on a cluster: on the node serving a hash-tagged prefix's slot).
bool detected(cluster::Client& target, const std::string& prefix);

struct Discovery {
  std::vector<std::string> names;  // sorted
  bool complete = true;  // false when a bound stopped the SCAN
  std::size_t keys_examined = 0;
};
Discovery discover_queues(cluster::Client& target, const std::string& prefix);

// A job hash decoded; `exists` false when the key is gone.
struct JobRecord {
  bool exists = false;
  std::string id;
  std::string name;
  Json data;  // parsed JSON; the raw text as a string when it does not parse
  Json opts = Json::object();
  std::optional<std::int64_t> timestamp, delay, priority, processed_on, finished_on;
  std::int64_t attempts_made = 0, attempts_started = 0;
  std::string failed_reason;
  Json stacktrace = Json::array();
  Json returnvalue;  // null when unset
  Json progress;
  std::string processed_by;
  std::string parent_key;
};

// Builds a record from HGETALL's field/value pairs (empty: the job is gone).
JobRecord decode_job(const std::string& id, const std::vector<std::pair<std::string, std::string>>& fields);

// Getting a job's state as Job.getState does: completed, failed, delayed, prioritized,
// waiting-children, active, waiting (wait or paused list), or unknown.
struct JobView {
  JobRecord job;
  std::string state;
  std::int64_t logs = 0;
};
JobView read_job(cluster::Client& target, const QueueRef& queue, const std::string& id);

}  // namespace rctl::job::bullmq
