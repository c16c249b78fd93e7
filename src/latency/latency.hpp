#pragma once
// `rctl latency`: round-trip latency of every node, interval by interval, like redis-cli
// --latency-history and --latency-dist but across a cluster at once; and `--doctor`, what the
// server's own latency monitor recorded (LATENCY DOCTOR, LATEST, HISTORY).
//
// Domain latency (namespace rctl::latency, library rctl_latency): may use server/ (latency
// summaries), cluster/, client/, net/, util/; output/ only in its render*.cpp files.

#include "cluster/client.hpp"
#include "server/latency.hpp"
#include "server/latency_monitor.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace rctl::latency {

// Pause between one node's reply and its next PING (redis-cli --latency waits 10 ms too):
// about 100 samples a second per node, a load no server notices.
inline constexpr std::chrono::milliseconds k_ping_gap{10};

// Samples kept per node for the final percentiles: beyond this a uniform reservoir stands in
// for them (the histogram, min, max and mean still count every sample).
inline constexpr std::size_t k_max_summary_samples = 100000;

// One node over one interval (or, in the summary, over the whole run).
struct NodeLatency {
  std::string node;  // "host:port"
  std::string role;  // "primary" or "replica"
  server::LatencyStats stats;
  std::int64_t errors = 0;  // PINGs that failed or got an error reply
  std::optional<Error> error;  // the last failure, when the node could not be measured
  server::LatencyHistogram histogram;  // summary only
};

struct IntervalReport {
  std::chrono::system_clock::time_point taken;  // end of the interval
  double seconds = 0;
  std::vector<NodeLatency> nodes;
};

struct LatencySummary {
  int intervals = 0;
  double seconds = 0;
  bool interrupted = false;
  std::vector<NodeLatency> nodes;
};

// PINGs every node (primaries and replicas) on its own connection, each node at its own pace,
// and keeps what the summary needs. Opening fails with the first node's error only when no
// node can be reached.
class Sampler {
 public:
  explicit Sampler(cluster::Client& client);
  ~Sampler();

  // Measures for `interval` (less when Ctrl-C arrives). A node whose connection was lost is
  // reconnected at the start of the next interval.
  IntervalReport sample(util::Millis interval);

  // Everything measured so far; `interrupted` as the caller saw it.
  LatencySummary summary(bool interrupted) const;

  // Implementation detail, defined in sampler.cpp.
  struct Probe;

 private:
  cluster::Client& m_client;
  std::vector<std::unique_ptr<Probe>> m_probes;
  int m_intervals = 0;
  double m_seconds = 0;
};

// What the latency monitor of one node says.
// A latency-monitor event with its LATENCY HISTORY.
struct LatencyEvent : server::LatencyEvent {
  std::vector<std::pair<std::int64_t, std::int64_t>> history;  // (unix time, ms), oldest first
};

struct NodeDoctor {
  std::string node;
  std::string role;
  std::optional<std::int64_t> threshold_ms;  // latency-monitor-threshold; none when CONFIG is refused
  std::string doctor;  // LATENCY DOCTOR's text (when the monitor is on)
  std::vector<LatencyEvent> events;
  std::optional<Error> error;
};

struct DoctorReport {
  std::vector<NodeDoctor> nodes;
};

// LATENCY DOCTOR, LATEST and HISTORY on every node whose latency monitor is on (threshold > 0,
// or CONFIG refused and LATENCY answering). Nodes that fail carry their error.
DoctorReport doctor(cluster::Client& client);

}  // namespace rctl::latency
