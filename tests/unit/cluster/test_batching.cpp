#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "cluster/batching.hpp"
#include "cluster/slot.hpp"

using rctl::cluster::batch_by_slot;
using rctl::cluster::group_by_slot;
using rctl::cluster::key_slot;
using rctl::cluster::SlotBatch;
using Keys = std::vector<std::string>;

TEST_CASE("batch_by_slot groups hash-tagged keys and cuts at max_batch", "[cluster][batching]") {
  // key_slot("b") == 3300, key_slot("a") == 15495 (CLUSTER KEYSLOT).
  auto batches = batch_by_slot({"{a}1", "b", "{a}2", "{b}x", "{a}3"}, 2);
  REQUIRE(batches.size() == 3);
  CHECK(batches[0].slot == 3300);
  CHECK(batches[0].keys == Keys{"b", "{b}x"});
  CHECK(batches[1].slot == 15495);
  CHECK(batches[1].keys == Keys{"{a}1", "{a}2"});
  CHECK(batches[2].slot == 15495);
  CHECK(batches[2].keys == Keys{"{a}3"});
}

TEST_CASE("batch_by_slot edge cases", "[cluster][batching]") {
  CHECK(batch_by_slot({}, 10).empty());
  CHECK(group_by_slot({}, 10).empty());
  // 0 counts as 1: a batch never exceeds what was asked.
  auto ones = batch_by_slot({"x", "{x}", "x"}, 0);
  REQUIRE(ones.size() == 3);
  for (const auto& b : ones) CHECK(b.keys.size() == 1);
  // Duplicates are kept (UNLINK counts each existing key once anyway).
  auto dup = group_by_slot({"k", "k", "k"}, 10);
  REQUIRE(dup.size() == 1);
  CHECK(dup[0] == Keys{"k", "k", "k"});
  // Binary keys.
  using namespace std::string_literals;
  auto bin = batch_by_slot({"\x00"s, "{\x00}"s, "\xff"s}, 5);
  REQUIRE(bin.size() == 2);
  CHECK(bin[0].slot == 0);
  CHECK(bin[0].keys == Keys{"\x00"s, "{\x00}"s});
  CHECK(bin[1].slot == 7920);
}

TEST_CASE("batch_by_slot keeps every key, once, in order within its slot", "[cluster][batching]") {
  Keys keys;
  for (int i = 0; i < 20000; ++i) {
    // A mix of many slots and a few hot tags.
    keys.push_back(i % 3 == 0 ? "{tag" + std::to_string(i % 7) + "}:" + std::to_string(i) : "key:" + std::to_string(i));
  }
  for (std::size_t max_batch : {std::size_t{1}, std::size_t{7}, std::size_t{100}, std::size_t{5000}}) {
    INFO("max_batch " << max_batch);
    auto batches = batch_by_slot(keys, max_batch);
    std::map<int, Keys> expected;  // slot -> keys in input order
    for (const auto& k : keys) expected[key_slot(k)].push_back(k);
    std::size_t expected_batches = 0;
    for (const auto& [slot, ks] : expected) expected_batches += (ks.size() + max_batch - 1) / max_batch;
    CHECK(batches.size() == expected_batches);

    std::map<int, Keys> seen;
    int previous_slot = -1;
    bool sizes_ok = true;
    bool slots_ok = true;
    bool ascending = true;
    for (const auto& batch : batches) {
      sizes_ok = sizes_ok && !batch.keys.empty() && batch.keys.size() <= max_batch;
      ascending = ascending && batch.slot >= previous_slot;
      previous_slot = batch.slot;
      for (const auto& k : batch.keys) {
        slots_ok = slots_ok && key_slot(k) == batch.slot;
        seen[batch.slot].push_back(k);
      }
    }
    CHECK(sizes_ok);
    CHECK(slots_ok);
    CHECK(ascending);
    CHECK(seen == expected);

    auto plain = group_by_slot(keys, max_batch);
    REQUIRE(plain.size() == batches.size());
    CHECK(std::equal(plain.begin(), plain.end(), batches.begin(),
                     [](const Keys& a, const SlotBatch& b) { return a == b.keys; }));
  }
}
