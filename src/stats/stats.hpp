#pragma once
// `rctl stats`: INFO made readable. One sample per node (all nodes of a cluster), whole-
// deployment totals, and rates between two samples for --watch.
//
// Domain stats (namespace rctl::stats, library rctl_stats): may use server/ (INFO), cluster/,
// client/, decode/, util/; output/ only in its render*.cpp files (documents: stats/render.hpp).
// Never commands/ nor another domain: src/CMakeLists.txt links by that table and
// tests/docs/check_layers.py fails on a wrong-way include.

#include "cluster/client.hpp"
#include "server/info.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace rctl::stats {

struct NodeStats {
  std::string address;
  std::string role;  // "master" / "replica"
  std::optional<Error> error;  // unreachable or INFO refused
  server::Info info;
  std::chrono::steady_clock::time_point sampled;  // for rates
};

struct StatsReport {
  std::string target;
  bool cluster = false;
  std::vector<NodeStats> nodes;
  std::chrono::system_clock::time_point taken;
};

// Reads `INFO all` from every node concurrently.
StatsReport collect_stats(cluster::Client& target);

// Per-command figures parsed from INFO commandstats / latencystats.
struct CommandStat {
  std::string name;
  std::int64_t calls = 0, usec = 0, rejected = 0, failed = 0;
  double usec_per_call = 0;
  std::optional<double> p50_us, p99_us, p999_us;
};
std::vector<CommandStat> command_stats(const server::Info& info);

struct KeyspaceStat {
  int db = 0;
  std::int64_t keys = 0, expires = 0, avg_ttl_ms = 0;
};
std::vector<KeyspaceStat> keyspace_stats(const server::Info& info);

// Rates between two samples of the same deployment (nodes matched by address).
struct Rates {
  double seconds = 0;
  double ops_per_sec = 0;
  std::optional<double> hit_rate;  // hits / (hits + misses) in the interval
  double net_in_bytes_per_sec = 0, net_out_bytes_per_sec = 0;
  double expired_per_sec = 0, evicted_per_sec = 0;
  std::int64_t used_memory_bytes = 0, connected_clients = 0, keys = 0;
};
Rates compute_rates(const StatsReport& before, const StatsReport& after);

}  // namespace rctl::stats
