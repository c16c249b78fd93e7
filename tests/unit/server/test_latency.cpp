#include "server/latency.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace rctl;

TEST_CASE("ops health: summarize_latency uses nearest-rank percentiles") {
  struct Case {
    std::vector<double> samples;
    double min, p50, p99, max;
  };
  auto range = [](int n) {
    std::vector<double> v;
    for (int i = n; i >= 1; --i) v.push_back(i);  // descending: summarize_latency sorts
    return v;
  };
  const Case cases[] = {
      {{3.5}, 3.5, 3.5, 3.5, 3.5},    {{20, 10}, 10, 10, 20, 20},
      {{5, 1, 4, 2, 3}, 1, 3, 5, 5},  {range(10), 1, 5, 10, 10},
      {range(100), 1, 50, 99, 100},   {range(101), 1, 51, 100, 101},
      {range(200), 1, 100, 198, 200}, {{0.25, 0.25, 0.25, 9.0}, 0.25, 0.25, 9.0, 9.0},
  };
  for (const auto& c : cases) {
    INFO(c.samples.size() << " samples");
    auto s = server::summarize_latency(c.samples);
    CHECK(s.samples == static_cast<int>(c.samples.size()));
    CHECK(s.min_ms == c.min);
    CHECK(s.p50_ms == c.p50);
    CHECK(s.p99_ms == c.p99);
    CHECK(s.max_ms == c.max);
  }
}

TEST_CASE("ops health: summarize_latency of no samples is all zero") {
  auto s = server::summarize_latency({});
  CHECK(s.samples == 0);
  CHECK(s.min_ms == 0);
  CHECK(s.p50_ms == 0);
  CHECK(s.p99_ms == 0);
  CHECK(s.max_ms == 0);
}

TEST_CASE("latency summary: the mean of the samples") {
  CHECK(server::summarize_latency({1, 2, 6}).avg_ms == 3);
  CHECK(server::summarize_latency({}).avg_ms == 0);
}

TEST_CASE("latency histogram: bucket bounds are inclusive, the last bucket takes the rest") {
  server::LatencyHistogram h;
  h.add(0.05);
  h.add(0.1);  // on the bound: still the first bucket
  h.add(0.11);
  h.add(1000);
  h.add(1000.5);
  h.add(1e9);
  CHECK(h.counts[0] == 2);
  CHECK(h.counts[1] == 1);
  CHECK(h.counts[server::k_latency_bucket_ms.size() - 1] == 1);
  CHECK(h.counts[server::k_latency_bucket_ms.size()] == 2);
  CHECK(h.total() == 6);
}
