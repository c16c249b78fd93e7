#include <catch2/catch.hpp>

#include <string>

#include "cluster/slot.hpp"

using rctl::cluster::crc16_xmodem;
using rctl::cluster::hash_tag;
using rctl::cluster::k_slot_count;
using rctl::cluster::key_slot;
using namespace std::string_literals;

TEST_CASE("crc16_xmodem matches the XMODEM check value", "[cluster][slot]") {
  CHECK(crc16_xmodem("123456789") == 0x31C3);
  CHECK(crc16_xmodem("") == 0);
  CHECK(crc16_xmodem("\x00"s) == 0);
  CHECK(crc16_xmodem("A") == 0x58E5);
}

TEST_CASE("key_slot agrees with CLUSTER KEYSLOT of Redis 7.0.15", "[cluster][slot]") {
  // Expected values were produced by `CLUSTER KEYSLOT <key>` on a redis-server 7.0.15
  // cluster node (binary keys sent as raw RESP bulk strings), then hardcoded.
  struct Case {
    std::string key;
    int slot;
  };
  const Case cases[] = {
      {""s, 0},
      {"foo"s, 12182},
      {"bar"s, 5061},
      {"123456789"s, 12739},
      {"{user1000}.following"s, 3443},
      {"{user1000}.followers"s, 3443},
      {"user1000"s, 3443},
      {"foo{}{bar}"s, 8363},  // empty first tag: whole key
      {"foo{{bar}}zap"s, 4015},  // tag is "{bar"
      {"{bar"s, 4015},
      {"foo{bar}{zap}"s, 5061},  // only the first tag counts: "bar"
      {"{}"s, 15257},
      {"{"s, 4092},
      {"}"s, 12090},
      {"}{"s, 12793},
      {"}{x}"s, 16287},  // '}' before the first '{' is ignored: tag "x"
      {"{}x}"s, 10489},  // first '}' after '{' closes an empty tag: whole key
      {"a{b}c"s, 3300},
      {"b"s, 3300},
      {"{a}{b}"s, 15495},
      {"x{a}y{b}"s, 15495},
      {"{{}}"s, 4092},  // tag is "{"
      {"{ }"s, 9314},
      {"session:abc123"s, 11692},
      {"rl:{tenant42}:minute"s, 14826},
      {"\x00"s, 0},
      {"\x00\x00\x00"s, 0},
      {"a\x00"s
       "b"s,
       8383},
      {"{\x00}"s, 0},  // tag is one NUL byte
      {"\xff"s, 7920},
      {"\xff\xfe\xfd\x80"s, 2021},
      {"caf\xc3\xa9"s, 5735},
      {"{\xc3\xa9}x"s, 10180},
      {"k\x00{tag}\xff"s, 8338},
      {std::string(1000, 'x'), 3195},
  };
  for (const auto& c : cases) {
    INFO("key size " << c.key.size() << ": " << c.key);
    CHECK(key_slot(c.key) == c.slot);
  }
}

TEST_CASE("hash_tag picks the first non-empty {...}", "[cluster][slot]") {
  CHECK(hash_tag("{user1000}.following") == "user1000");
  CHECK(hash_tag("foo{}{bar}") == "foo{}{bar}");
  CHECK(hash_tag("foo{{bar}}zap") == "{bar");
  CHECK(hash_tag("foo{bar}{zap}") == "bar");
  CHECK(hash_tag("{") == "{");
  CHECK(hash_tag("}{") == "}{");
  CHECK(hash_tag("no tag") == "no tag");
}

TEST_CASE("key_slot stays in range and tagged keys share a slot", "[cluster][slot]") {
  for (int i = 0; i < 2000; ++i) {
    auto key = "key:" + std::to_string(i);
    int slot = key_slot(key);
    REQUIRE(slot >= 0);
    REQUIRE(slot < k_slot_count);
    CHECK(key_slot("{" + key + "}:a") == slot);
    CHECK(key_slot("prefix{" + key + "}suffix") == slot);
  }
}
