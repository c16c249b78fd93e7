#pragma once
// Latency summaries of timed round trips (PING in `rctl health`, each operation in
// `rctl test`): nearest-rank percentiles over a handful of samples.

#include <vector>

namespace rctl::server {

struct LatencyStats {
  int samples = 0;
  double min_ms = 0, p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// Nearest-rank percentiles of `samples_ms` (which it sorts).
LatencyStats summarize_latency(std::vector<double> samples_ms);

}  // namespace rctl::server
