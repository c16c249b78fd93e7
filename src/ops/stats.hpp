#pragma once
// `rctl stats`: INFO made readable. One sample per node (all nodes of a cluster), whole-
// deployment totals, and rates between two samples for --watch.

#include "cluster/client.hpp"
#include "ops/info.hpp"
#include "output/document.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace rctl::ops {

struct NodeStats {
  std::string address;
  std::string role;                  // "master" / "replica"
  std::optional<Error> error;        // unreachable or INFO refused
  Info info;
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
std::vector<CommandStat> command_stats(const Info& info);

struct KeyspaceStat {
  int db = 0;
  std::int64_t keys = 0, expires = 0, avg_ttl_ms = 0;
};
std::vector<KeyspaceStat> keyspace_stats(const Info& info);

// Rates between two samples of the same deployment (nodes matched by address).
struct Rates {
  double seconds = 0;
  double ops_per_sec = 0;
  std::optional<double> hit_rate;    // hits / (hits + misses) in the interval
  double net_in_bytes_per_sec = 0, net_out_bytes_per_sec = 0;
  double expired_per_sec = 0, evicted_per_sec = 0;
  std::int64_t used_memory_bytes = 0, connected_clients = 0, keys = 0;
};
Rates compute_rates(const StatsReport& before, const StatsReport& after);

// The full report: JSON, tables, and Prometheus exposition text.
output::Document render_stats(const StatsReport& report);

// One watch-mode line (table) or JSON object per interval.
output::Document render_watch(const Rates& rates, std::chrono::system_clock::time_point at);

// Prometheus text exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/),
// metric names in the style of oliver006/redis_exporter.
std::string prometheus_text(const StatsReport& report);

}  // namespace rctl::ops
