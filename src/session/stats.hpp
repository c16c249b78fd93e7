#pragma once
// The aggregates of `rctl session stats`, each in memory that does not grow with the number
// of sessions (the per-user counts are capped). Pure; no I/O.

#include "util/ttl_ranges.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rctl::session {

// Sizes below this are counted exactly, one bucket per byte count.
inline constexpr std::uint64_t k_size_exact_below = 64;
// Buckets per power of two above that: percentiles are at most 1/32 (3.2%) above exact.
inline constexpr std::uint64_t k_size_buckets_per_octave = 32;
// Users counted exactly; beyond this the Space-Saving algorithm keeps the heaviest ones.
inline constexpr std::size_t k_max_tracked_users = 100'000;

// Value sizes in log-linear buckets: exact below k_size_exact_below, then 32 buckets per
// power of two. count/min/max/total are exact.
class SizeHistogram {
 public:
  void add(std::uint64_t bytes);
  std::uint64_t count() const { return m_count; }
  std::uint64_t min() const { return m_count ? m_min : 0; }
  std::uint64_t max() const { return m_max; }
  std::uint64_t total() const { return m_total; }
  // Nearest-rank percentile (q in (0, 1]): the upper bound of the bucket holding the
  // ceil(q * count)-th smallest size, clamped to [min, max]. Never below the exact value,
  // at most 1/32 above it; exact below 64 bytes. 0 when empty.
  std::uint64_t percentile(double q) const;

  // Bucket index of `bytes` and the inclusive range of sizes a bucket holds (for tests).
  static std::size_t bucket_of(std::uint64_t bytes);
  static std::pair<std::uint64_t, std::uint64_t> bucket_range(std::size_t index);
  static constexpr std::size_t k_buckets = k_size_exact_below + (64 - 6) * k_size_buckets_per_octave;

 private:
  std::array<std::uint64_t, k_buckets> m_buckets{};
  std::uint64_t m_count = 0, m_min = 0, m_max = 0, m_total = 0;
};

// Remaining time to live in the ranges every TTL report shares (util/ttl_ranges.hpp).
using util::TtlHistogram;

// Sessions per user, heaviest first, in at most `capacity` counters (Space-Saving, Metwally
// et al. 2005): while fewer than `capacity` users were seen every count is exact; after
// that a new user takes over the smallest counter (count = that minimum + 1, overcount =
// that minimum). Any user with more than total/capacity sessions is guaranteed to be kept,
// and a kept user's true count lies in [sessions - overcount, sessions].
class TopUsers {
 public:
  struct Entry {
    std::string user;
    std::uint64_t sessions = 0;
    std::uint64_t overcount = 0;  // 0 while exact
  };
  explicit TopUsers(std::size_t capacity = k_max_tracked_users);
  void add(std::string_view user);
  // The `n` largest counters, by sessions descending then user ascending.
  std::vector<Entry> top(std::size_t n) const;
  std::uint64_t total() const { return m_total; }  // sessions added
  bool exact() const { return !m_evicted; }  // every count exact, distinct() too
  std::size_t distinct() const { return m_counts.size(); }  // users tracked (all of them while exact)

 private:
  struct Counter {
    std::uint64_t sessions = 0;
    std::uint64_t overcount = 0;
  };
  // Hashing that finds a std::string key from a string_view without building a string.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void build_ranks();

  std::size_t m_capacity;
  std::uint64_t m_total = 0;
  bool m_evicted = false;
  std::unordered_map<std::string, Counter, Hash, std::equal_to<>> m_counts;
  // (sessions, user) ordered by count then name, for finding the smallest counter
  // deterministically; points at m_counts' keys, which stay put. Built only once the table
  // is full (until then counting is a hash-map increment), kept up to date afterwards.
  using Rank = std::pair<std::uint64_t, const std::string*>;
  struct RankLess {
    bool operator()(const Rank& a, const Rank& b) const {
      return a.first != b.first ? a.first < b.first : *a.second < *b.second;
    }
  };
  std::set<Rank, RankLess> m_by_count;
  bool m_ranked = false;
};

}  // namespace rctl::session
