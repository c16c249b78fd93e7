#include "session/stats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace rctl::session {

namespace {

// log2 of k_size_buckets_per_octave and of k_size_exact_below.
constexpr int k_sub_bits = 5;
constexpr int k_exact_bits = 6;
static_assert(std::uint64_t{1} << k_sub_bits == k_size_buckets_per_octave);
static_assert(std::uint64_t{1} << k_exact_bits == k_size_exact_below);

}  // namespace

std::size_t SizeHistogram::bucket_of(std::uint64_t bytes) {
  if (bytes < k_size_exact_below) return static_cast<std::size_t>(bytes);
  const int e = std::bit_width(bytes) - 1;  // >= k_exact_bits
  const int shift = e - k_sub_bits;
  const std::uint64_t sub = (bytes >> shift) - k_size_buckets_per_octave;
  return static_cast<std::size_t>(k_size_exact_below +
                                  static_cast<std::uint64_t>(e - k_exact_bits) * k_size_buckets_per_octave + sub);
}

std::pair<std::uint64_t, std::uint64_t> SizeHistogram::bucket_range(std::size_t index) {
  if (index < k_size_exact_below) return {index, index};
  const std::uint64_t rel = index - k_size_exact_below;
  const int e = k_exact_bits + static_cast<int>(rel / k_size_buckets_per_octave);
  const std::uint64_t sub = rel % k_size_buckets_per_octave;
  const int shift = e - k_sub_bits;
  const std::uint64_t low = (k_size_buckets_per_octave + sub) << shift;
  // The top bucket's end wraps to 2^64 - 1, which is what it should be.
  const std::uint64_t high = ((k_size_buckets_per_octave + sub + 1) << shift) - 1;
  return {low, high};
}

void SizeHistogram::add(std::uint64_t bytes) {
  ++m_buckets[bucket_of(bytes)];
  m_min = m_count == 0 ? bytes : std::min(m_min, bytes);
  m_max = std::max(m_max, bytes);
  m_total += bytes;
  ++m_count;
}

std::uint64_t SizeHistogram::percentile(double q) const {
  if (m_count == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(m_count)));
  rank = std::clamp<std::uint64_t>(rank, 1, m_count);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < k_buckets; ++i) {
    seen += m_buckets[i];
    if (seen >= rank) return std::clamp(bucket_range(i).second, m_min, m_max);
  }
  return m_max;
}

TopUsers::TopUsers(std::size_t capacity) : m_capacity(std::max<std::size_t>(1, capacity)) {}

void TopUsers::build_ranks() {
  for (const auto& [user, counter] : m_counts) m_by_count.insert({counter.sessions, &user});
  m_ranked = true;
}

void TopUsers::add(std::string_view user) {
  ++m_total;
  auto it = m_counts.find(user);
  if (it != m_counts.end()) {
    if (m_ranked) m_by_count.erase({it->second.sessions, &it->first});
    ++it->second.sessions;
    if (m_ranked) m_by_count.insert({it->second.sessions, &it->first});
    return;
  }
  Counter counter{1, 0};
  if (m_counts.size() >= m_capacity) {
    if (!m_ranked) build_ranks();
    // Space-Saving: the newcomer inherits the smallest counter.
    auto smallest = m_by_count.begin();
    const std::uint64_t floor = smallest->first;
    const std::string* victim = smallest->second;
    m_by_count.erase(smallest);
    m_counts.erase(m_counts.find(*victim));
    counter = {floor + 1, floor};
    m_evicted = true;
  }
  auto [pos, inserted] = m_counts.emplace(std::string(user), counter);
  (void)inserted;
  if (m_ranked) m_by_count.insert({pos->second.sessions, &pos->first});
}

std::vector<TopUsers::Entry> TopUsers::top(std::size_t n) const {
  auto heavier = [](const Entry& a, const Entry& b) {
    return a.sessions != b.sessions ? a.sessions > b.sessions : a.user < b.user;
  };
  std::vector<Entry> out;
  out.reserve(m_counts.size());
  for (const auto& [user, c] : m_counts) out.push_back({user, c.sessions, c.overcount});
  const auto keep = std::min(n, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end(), heavier);
  out.resize(keep);
  return out;
}

}  // namespace rctl::session
