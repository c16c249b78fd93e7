#include "keys/keys.hpp"
#include "keys/model.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace rctl::keys;

namespace {

KeyRecord key_record(std::string key, std::uint64_t bytes, std::uint64_t elements = 1,
                     std::optional<std::int64_t> ttl = std::nullopt) {
  KeyRecord r;
  r.key = std::move(key);
  r.type = "string";
  r.encoding = "raw";
  r.bytes = bytes;
  r.elements = elements;
  r.ttl_ms = ttl;
  return r;
}

}  // namespace

TEST_CASE("id segments: digits, uuids, long hex", "[keys][model]") {
  CHECK(is_id_segment("123"));
  CHECK(is_id_segment("0"));
  CHECK(is_id_segment("123e4567-e89b-12d3-a456-426614174000"));
  CHECK(is_id_segment("0123456789abcdef"));  // 16 hex: k_min_hex_id
  CHECK_FALSE(is_id_segment("0123456789abcde"));  // 15 hex: could be a word
  CHECK_FALSE(is_id_segment("cafe"));
  CHECK_FALSE(is_id_segment("profile"));
  CHECK_FALSE(is_id_segment(""));
  CHECK_FALSE(is_id_segment("12a"));
  CHECK_FALSE(is_id_segment("123e4567-e89b-12d3-a456-42661417400z"));
}

TEST_CASE("group_path collapses ids and stops at the depth", "[keys][model]") {
  CHECK(group_path("user:123:profile", ":", 3) == std::vector<std::string>{"user", "user:*", "user:*:profile"});
  CHECK(group_path("user:456:profile", ":", 3) == group_path("user:123:profile", ":", 3));
  CHECK(group_path("user:123:profile:x", ":", 2) == std::vector<std::string>{"user", "user:*"});
  CHECK(group_path("plain", ":", 3) == std::vector<std::string>{"plain"});
  CHECK(group_path("a/b/c", "/", 3) == std::vector<std::string>{"a", "a/b", "a/b/c"});
  CHECK(group_path("a::b", "::", 3) == std::vector<std::string>{"a", "a::b"});
  CHECK(group_path("a:b", "", 3) == std::vector<std::string>{"a:b"});
  CHECK(group_path("a:", ":", 3) == std::vector<std::string>{"a", "a:"});
}

TEST_CASE("key_shape is the whole key with ids as *", "[keys][model]") {
  CHECK(key_shape("user:123:profile", ":") == "user:*:profile");
  CHECK(key_shape("a:b:c:d:e:42", ":") == "a:b:c:d:e:*");
  CHECK(key_shape("plain", ":") == "plain");
  CHECK(key_shape("12345", "") == "*");
  CHECK(key_shape("a::1::b", "::") == "a::*::b");
  CHECK(key_shape("x:", ":") == "x:");
}

TEST_CASE("prefix tree: sums per level, bounded with the overflow as other", "[keys][model]") {
  PrefixTree tree(":", 2, 3);
  tree.add(key_record("user:1", 100));
  tree.add(key_record("user:2", 50, 1, 1000));
  tree.add(key_record("cache:x", 10));  // third group: cache
  tree.add(key_record("cache:y", 20));  // "cache:y" has no place: counted in cache's other
  tree.add(key_record("jobs:1", 7));  // no place at the top: the root's other
  REQUIRE(tree.groups().size() == 3);
  CHECK(tree.overflowed());
  const auto& user = tree.groups()[0];
  CHECK(user.name == "user");
  CHECK(user.tally.keys == 2);
  CHECK(user.tally.bytes == 150);
  CHECK(user.tally.with_ttl == 1);
  CHECK(tree.groups()[1].name == "user:*");
  CHECK(tree.groups()[1].parent == std::optional<std::size_t>(0));
  CHECK(tree.groups()[1].depth == 2);
  const auto& cache = tree.groups()[2];
  CHECK(cache.tally.keys == 2);
  CHECK(cache.tally.bytes == 30);
  CHECK(cache.other.keys == 2);  // neither cache:x nor cache:y found a place
  CHECK(tree.root_other().keys == 1);
  CHECK(tree.root_other().bytes == 7);
}

TEST_CASE("top keys: bounded, largest first, ties by name", "[keys][model]") {
  TopKeys top(TopKeys::By::bytes, 3);
  for (int i = 0; i < 100; ++i) top.add(key_record("k" + std::to_string(i), static_cast<std::uint64_t>(i % 50)));
  auto sorted = top.sorted();
  REQUIRE(sorted.size() == 3);
  CHECK(sorted[0].bytes == 49u);
  CHECK(sorted[0].key == "k49");
  CHECK(sorted[1].key == "k99");
  CHECK(sorted[2].bytes == 48u);
  TopKeys by_elements(TopKeys::By::elements, 1);
  auto few = key_record("few", 1000, 2), many = key_record("many", 10, 2000);
  few.type = many.type = "hash";
  by_elements.add(few);
  by_elements.add(many);
  KeyRecord unknown = key_record("unknown", 5);
  unknown.elements.reset();
  by_elements.add(unknown);
  auto long_string = key_record("long", 10, 100'000);
  by_elements.add(long_string);  // its length is bytes, not elements
  CHECK(by_elements.sorted().front().key == "many");
  TopKeys none(TopKeys::By::bytes, 0);
  none.add(key_record("a", 1));
  CHECK(none.sorted().empty());
}

TEST_CASE("frequency ranges and aggregates", "[keys][model]") {
  Aggregates a(":", 3, 100, 5);
  auto r = key_record("s:1", 64, 3, 30'000);
  r.freq = 7;
  a.add(r);
  auto h = key_record("h:1", 200, 10);
  h.type = "hash";
  h.encoding = "listpack";
  h.idle_s = 7200;
  a.add(h);
  CHECK(a.total.keys == 2);
  CHECK(a.total.bytes == 264);
  CHECK(a.keys_without_ttl == 1);
  CHECK(a.by_type.at("hash").bytes == 200);
  CHECK(a.by_encoding.at("raw").keys == 1);
  CHECK(a.ttl.buckets()[0].count == 1);  // < 1m
  CHECK(a.idle.buckets()[2].count == 1);  // 1h-1d
  CHECK(a.freq.buckets()[2].count == 1);  // 5-9
  FreqHistogram f;
  for (int v : {0, 1, 4, 5, 255, 300}) f.add(v);
  CHECK(f.buckets()[0].count == 1);
  CHECK(f.buckets()[1].count == 2);
  CHECK(f.buckets().back().count == 2);
}

TEST_CASE("types beyond k_max_kinds count as other", "[keys][model]") {
  Aggregates a(":", 1, 10, 1);
  for (std::size_t i = 0; i < k_max_kinds + 10; ++i) {
    auto r = key_record("k", 1);
    r.type = "module-" + std::to_string(i);
    a.add(r);
  }
  CHECK(a.by_type.size() == k_max_kinds);
  CHECK(a.by_type.at("other").keys == 11);
}

TEST_CASE("INFO KEYSIZES: parsed and summed over nodes", "[keys][info]") {
  auto one = parse_keysizes("# Keysizes\r\ndb0_distrib_strings_sizes:2=1,4=3,1K=2\r\ndb0_distrib_hashes_items:8=5\r\n");
  REQUIRE(one.size() == 2);
  CHECK(one[0].name == "db0_distrib_strings_sizes");
  CHECK(one[0].bins == std::vector<std::pair<std::string, std::uint64_t>>{{"2", 1}, {"4", 3}, {"1K", 2}});
  auto two = parse_keysizes("# Keysizes\r\ndb0_distrib_strings_sizes:4=1,8=1\r\n");
  merge_keysizes(one, two);
  CHECK(one[0].bins == std::vector<std::pair<std::string, std::uint64_t>>{{"2", 1}, {"4", 4}, {"1K", 2}, {"8", 1}});
  CHECK(parse_keysizes("").empty());
  CHECK(parse_keysizes("# Memory\r\nused_memory:1\r\n").empty());
}

TEST_CASE("report: estimate and scale factor", "[keys][report]") {
  AnalyzeOptions o;
  AnalyzeReport full(o);
  full.nodes.resize(1);
  full.nodes[0].scanned = 100;
  full.nodes[0].analyzed = 100;
  CHECK_FALSE(full.estimate());
  CHECK(full.scale() == 1.0);
  o.sample = 0.25;
  AnalyzeReport sampled(o);
  sampled.nodes.resize(2);
  sampled.nodes[0].scanned = 60, sampled.nodes[0].analyzed = 15;
  sampled.nodes[1].scanned = 40, sampled.nodes[1].analyzed = 10;
  CHECK(sampled.estimate());
  CHECK(sampled.scale() == Approx(4.0));
  AnalyzeOptions m;
  m.max_keys = 50;
  AnalyzeReport stopped(m);
  stopped.nodes.resize(1);
  stopped.nodes[0].dbsize = 1000, stopped.nodes[0].scanned = 50, stopped.nodes[0].analyzed = 50;
  stopped.stopped_at_max_keys = true;
  CHECK(stopped.scale() == Approx(20.0));
  CHECK_FALSE(stopped.complete());
}
