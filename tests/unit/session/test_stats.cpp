#include "session/stats.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace rctl;
using session::SizeHistogram;

namespace {

// The nearest-rank percentile of a sorted list, as SizeHistogram approximates it.
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, double q) {
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

TEST_CASE("size buckets tile the integers with at most 1/32 relative width", "[ops][session][stats]") {
  CHECK(SizeHistogram::bucket_of(0) == 0);
  CHECK(SizeHistogram::bucket_of(63) == 63);
  CHECK(SizeHistogram::bucket_of(64) == 64);
  CHECK(SizeHistogram::bucket_of(65) == 64);  // buckets of width 2 in [64, 128)
  CHECK(SizeHistogram::bucket_of(66) == 65);
  CHECK(SizeHistogram::bucket_of(127) == 95);
  CHECK(SizeHistogram::bucket_of(128) == 96);
  CHECK(SizeHistogram::bucket_of(131) == 96);  // width 4 in [128, 256)
  CHECK(SizeHistogram::bucket_of(132) == 97);
  CHECK(SizeHistogram::bucket_of(UINT64_MAX) == SizeHistogram::k_buckets - 1);
  std::uint64_t next = 0;
  for (std::size_t i = 0; i < SizeHistogram::k_buckets; ++i) {
    auto [low, high] = SizeHistogram::bucket_range(i);
    INFO(i);
    REQUIRE(low == next);  // contiguous, no gaps or overlaps
    REQUIRE(high >= low);
    REQUIRE(SizeHistogram::bucket_of(low) == i);
    REQUIRE(SizeHistogram::bucket_of(high) == i);
    REQUIRE(static_cast<double>(high - low) <= static_cast<double>(low) / 32.0);
    next = high + 1;  // wraps to 0 after the last bucket
  }
  CHECK(next == 0);
}

TEST_CASE("size percentiles: exact for small sizes, bounded error above", "[ops][session][stats]") {
  SizeHistogram empty;
  CHECK(empty.percentile(0.5) == 0);
  CHECK(empty.min() == 0);
  CHECK(empty.max() == 0);

  SizeHistogram small;
  for (std::uint64_t v = 1; v <= 50; ++v) small.add(v);
  CHECK(small.count() == 50);
  CHECK(small.min() == 1);
  CHECK(small.max() == 50);
  CHECK(small.total() == 1275);
  CHECK(small.percentile(0.5) == 25);
  CHECK(small.percentile(0.9) == 45);
  CHECK(small.percentile(0.99) == 50);
  CHECK(small.percentile(1.0) == 50);

  SizeHistogram one;
  one.add(123456);
  CHECK(one.percentile(0.5) == 123456);  // clamped to the exact min/max

  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> sizes(7.0, 1.5);  // session-like: a few hundred bytes to megabytes
  SizeHistogram h;
  std::vector<std::uint64_t> all;
  for (int i = 0; i < 20000; ++i) {
    auto v = static_cast<std::uint64_t>(sizes(rng));
    h.add(v);
    all.push_back(v);
  }
  std::sort(all.begin(), all.end());
  CHECK(h.min() == all.front());
  CHECK(h.max() == all.back());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    INFO(q);
    auto exact = exact_percentile(all, q);
    auto approx = h.percentile(q);
    CHECK(approx >= exact);
    CHECK(static_cast<double>(approx) <= static_cast<double>(exact) * (1.0 + 1.0 / 32.0) + 1.0);
  }
}

TEST_CASE("TopUsers: exact while under capacity", "[ops][session][stats]") {
  session::TopUsers users(10);
  for (int i = 0; i < 5; ++i) users.add("alice");
  for (int i = 0; i < 3; ++i) users.add("bob");
  for (int i = 0; i < 3; ++i) users.add("aaron");
  users.add("carol");
  CHECK(users.total() == 12);
  CHECK(users.exact());
  CHECK(users.distinct() == 4);
  auto top = users.top(3);
  REQUIRE(top.size() == 3);
  CHECK(top[0].user == "alice");
  CHECK(top[0].sessions == 5);
  CHECK(top[0].overcount == 0);
  CHECK(top[1].user == "aaron");  // ties by name
  CHECK(top[2].user == "bob");
  CHECK(users.top(0).empty());
  CHECK(users.top(100).size() == 4);
}

TEST_CASE("TopUsers: heavy users survive a full table (Space-Saving)", "[ops][session][stats]") {
  session::TopUsers users(4);
  // 1000 distinct one-session users fill and churn the table, then a heavy user arrives late,
  // then 1000 more one-session users. The heavy one has more than total/capacity sessions
  // (700 > 2700/4), which is what guarantees it a counter.
  for (int i = 0; i < 1000; ++i) users.add("u" + std::to_string(i));
  for (int i = 0; i < 700; ++i) users.add("bot");
  for (int i = 0; i < 1000; ++i) users.add("v" + std::to_string(i));
  CHECK_FALSE(users.exact());
  CHECK(users.total() == 2700);
  CHECK(users.distinct() == 4);
  auto top = users.top(4);
  auto bot = std::find_if(top.begin(), top.end(), [](const session::TopUsers::Entry& e) { return e.user == "bot"; });
  REQUIRE(bot != top.end());
  // The true count (700) lies within [sessions - overcount, sessions], and the overcount is
  // at most total / capacity.
  CHECK(bot->sessions >= 700);
  CHECK(bot->sessions - bot->overcount <= 700);
  CHECK(bot->overcount <= users.total() / 4);
  // Every counter's lower bound is honest: one-session users never claim more than one for sure.
  for (const auto& e : top)
    if (e.user != "bot") CHECK(e.sessions - e.overcount <= 1);
}
