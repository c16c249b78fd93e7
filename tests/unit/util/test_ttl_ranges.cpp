#include "util/ttl_ranges.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace rctl;

TEST_CASE("TTL histogram ranges", "[util][ttl]") {
  util::TtlHistogram t;
  const std::int64_t minute = 60'000, hour = 60 * minute, day = 24 * hour;
  for (std::optional<std::int64_t> ttl :
       std::vector<std::optional<std::int64_t>>{0, minute - 1, minute, hour - 1, hour, day, 7 * day - 1, 7 * day,
                                                14 * day, 30 * day, 31 * day, std::nullopt, std::nullopt, -5})
    t.add(ttl);
  std::vector<std::uint64_t> counts;
  for (const auto& b : t.buckets()) counts.push_back(b.count);
  CHECK(counts == std::vector<std::uint64_t>{3, 2, 1, 2, 2, 2, 2});
  CHECK(std::string(t.buckets().front().label) == "< 1m");
  CHECK(std::string(t.buckets().back().label) == "no expiry");
  CHECK_FALSE(t.buckets().back().from_ms);
}

TEST_CASE("TTL histogram merge adds range by range", "[util][ttl]") {
  util::TtlHistogram a, b;
  a.add(1'000);
  a.add(std::nullopt);
  b.add(2'000);
  b.add(120'000);
  a.merge(b);
  CHECK(a.buckets()[0].count == 2);
  CHECK(a.buckets()[1].count == 1);
  CHECK(a.buckets().back().count == 1);
}
