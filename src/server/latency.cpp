#include "server/latency.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rctl::server {

LatencyStats summarize_latency(std::vector<double> samples) {
  LatencyStats s;
  s.samples = static_cast<int>(samples.size());
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  auto rank = [&](double p) {
    auto idx = static_cast<std::size_t>(std::ceil(p * static_cast<double>(samples.size())));
    return samples[std::min(samples.size() - 1, idx == 0 ? 0 : idx - 1)];
  };
  s.min_ms = samples.front();
  s.max_ms = samples.back();
  s.avg_ms = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
  s.p50_ms = rank(0.50);
  s.p99_ms = rank(0.99);
  return s;
}

void LatencyHistogram::add(double ms) {
  auto at = std::lower_bound(k_latency_bucket_ms.begin(), k_latency_bucket_ms.end(), ms);
  ++counts[static_cast<std::size_t>(at - k_latency_bucket_ms.begin())];
}

std::int64_t LatencyHistogram::total() const { return std::accumulate(counts.begin(), counts.end(), std::int64_t{0}); }

}  // namespace rctl::server
