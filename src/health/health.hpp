#pragma once
// `rctl health`: is this Redis reachable, authenticated, fast, replicated, within memory,
// and (on a cluster) complete? Uses only PING, INFO and CLUSTER INFO, so it works where
// CONFIG is disabled (ElastiCache).
//
// Domain health (namespace rctl::health, library rctl_health): may use server/ (INFO, provider,
// latency), cluster/, client/, decode/, util/; output/ only in its render*.cpp files
// (documents: health/render.hpp). Never commands/ nor another domain: src/CMakeLists.txt links
// by that table and tests/docs/check_layers.py fails on a wrong-way include.

#include "client/connection.hpp"
#include "cluster/client.hpp"
#include "server/info.hpp"
#include "server/latency.hpp"
#include "server/provider.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rctl::health {

enum class Level { ok, warning, critical };
const char* to_string(Level level);

struct HealthThresholds {
  double latency_warn_ms = 100;  // PING p99
  double latency_crit_ms = 500;
  double memory_warn_pct = 80;  // used_memory / maxmemory
  double memory_crit_pct = 95;
  double lag_warn_s = 10;  // replication lag
  double lag_crit_s = 60;
  double cert_warn_days = 21;  // TLS server certificate expires in fewer days
  double cert_crit_days = 7;
};

struct HealthOptions {
  int samples = 5;  // PINGs per node
  HealthThresholds thresholds;
  // When the check began, before connecting: "checked in" counts the connection too. Unset:
  // from the call of check_health.
  std::optional<std::chrono::steady_clock::time_point> started;
};

struct Check {
  std::string name;  // "reachable", "latency", "memory", "replication", "loading", ...
  Level level = Level::ok;
  std::string message;
  std::string node;  // empty for deployment-wide checks
};

struct NodeHealth {
  std::string address;
  std::string id;
  std::string role;  // "master" / "replica" as INFO says (or the topology when unreachable)
  std::string primary_address;  // for replicas
  bool reachable = false;
  std::optional<Error> error;
  client::HandshakeReport handshake;
  bool tls = false;
  server::LatencyStats latency;
  server::Info info;
  server::Info cluster_info;  // CLUSTER INFO, cluster nodes only
  std::vector<Check> checks;
};

struct ClusterSummary {
  std::string state;  // cluster_state from the seed's CLUSTER INFO
  int slots_covered = 0;  // slots with a primary in the topology
  std::int64_t slots_assigned = 0, slots_ok = 0, slots_pfail = 0, slots_fail = 0;
  std::int64_t known_nodes = 0, size = 0;
  bool failover_in_progress = false;
};

struct HealthReport {
  std::string target;  // redacted URL
  server::Provider provider;
  bool cluster = false;
  std::vector<NodeHealth> nodes;
  std::optional<ClusterSummary> cluster_summary;
  std::vector<Check> checks;  // every check, node ones included
  Level level = Level::ok;
  double duration_ms = 0;
};

// Days from `now` until `not_after` (fractional; negative once the certificate has expired).
double cert_days_left(std::chrono::system_clock::time_point not_after, std::chrono::system_clock::time_point now);

// Samples every node of `target` (all nodes on a cluster) and evaluates the checks.
HealthReport check_health(cluster::Client& target, const HealthOptions& options);

// The report for a deployment that could not be reached at all.
HealthReport unreachable_report(const client::ConnectionOptions& seed, const Error& error);

}  // namespace rctl::health
