#pragma once
// Latency summaries of timed round trips (PING in `rctl health` and `rctl latency`, each
// operation in `rctl test`): nearest-rank percentiles, and a fixed-bucket histogram for
// distributions too long to keep sample by sample.

#include <array>
#include <cstdint>
#include <vector>

namespace rctl::server {

struct LatencyStats {
  int samples = 0;
  double min_ms = 0, avg_ms = 0, p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// Nearest-rank percentiles and the mean of `samples_ms` (which it sorts).
LatencyStats summarize_latency(std::vector<double> samples_ms);

// Upper bounds (inclusive, ms) of the histogram buckets; one more bucket holds the rest.
inline constexpr std::array<double, 13> k_latency_bucket_ms = {0.1, 0.25, 0.5, 1,   2.5, 5,   10,
                                                               25,  50,   100, 250, 500, 1000};

// Counts of round trips per bucket of k_latency_bucket_ms, plus the overflow bucket.
struct LatencyHistogram {
  std::array<std::int64_t, k_latency_bucket_ms.size() + 1> counts{};

  // Counts one round trip of `ms` milliseconds.
  void add(double ms);
  // The number of round trips counted.
  std::int64_t total() const;
};

}  // namespace rctl::server
