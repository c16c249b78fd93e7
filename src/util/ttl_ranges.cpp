#include "util/ttl_ranges.hpp"

namespace rctl::util {

namespace {

constexpr std::int64_t k_ttl_minute_ms = 60'000;
constexpr std::int64_t k_ttl_hour_ms = 60 * k_ttl_minute_ms;
constexpr std::int64_t k_ttl_day_ms = 24 * k_ttl_hour_ms;

}  // namespace

TtlHistogram::TtlHistogram() {
  m_buckets = {
      {"< 1m", 0, k_ttl_minute_ms},
      {"1m-1h", k_ttl_minute_ms, k_ttl_hour_ms},
      {"1h-1d", k_ttl_hour_ms, k_ttl_day_ms},
      {"1d-7d", k_ttl_day_ms, 7 * k_ttl_day_ms},
      {"7d-30d", 7 * k_ttl_day_ms, 30 * k_ttl_day_ms},
      {">= 30d", 30 * k_ttl_day_ms, std::nullopt},
      {"no expiry", std::nullopt, std::nullopt},
  };
}

void TtlHistogram::add(std::optional<std::int64_t> ttl_ms) {
  if (!ttl_ms) {
    ++m_buckets.back().count;
    return;
  }
  for (std::size_t i = 0; i + 1 < m_buckets.size(); ++i) {
    auto& b = m_buckets[i];
    if (!b.to_ms || *ttl_ms < *b.to_ms) {
      ++b.count;
      return;
    }
  }
}

void TtlHistogram::merge(const TtlHistogram& other) {
  for (std::size_t i = 0; i < m_buckets.size() && i < other.m_buckets.size(); ++i)
    m_buckets[i].count += other.m_buckets[i].count;
}

}  // namespace rctl::util
