#pragma once
// Remaining time to live in the fixed ranges people think in. One definition for every
// report that shows a TTL distribution (session stats, keys analyze), so that their ranges
// always agree.

#include <cstdint>
#include <optional>
#include <vector>

namespace rctl::util {

// Counts in fixed ranges: < 1m, 1m-1h, 1h-1d, 1d-7d, 7d-30d, >= 30d, and keys without expiry.
class TtlHistogram {
 public:
  struct Bucket {
    const char* label;  // "< 1m", "1m-1h", ..., "no expiry"
    std::optional<std::int64_t> from_ms;  // inclusive; nullopt for "no expiry"
    std::optional<std::int64_t> to_ms;  // exclusive; nullopt for the open-ended ones
    std::uint64_t count = 0;
  };
  TtlHistogram();
  // `ttl_ms` nullopt = no expiry; negative values count as < 1m.
  void add(std::optional<std::int64_t> ttl_ms);
  // Adds `other`'s counts (the same ranges) to these.
  void merge(const TtlHistogram& other);
  const std::vector<Bucket>& buckets() const { return m_buckets; }

 private:
  std::vector<Bucket> m_buckets;
};

}  // namespace rctl::util
