#pragma once
// The captured `redis-cli info all` of redis-server 7.0.15 (tests/data/info/info_all_7.0.txt,
// CRLF line endings as the server sent them): 20 keys in db0 (one with a TTL), 2 in db3, and
// a handful of commands in commandstats/latencystats.

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace info_support {

inline std::string info_all_7_0() {
  std::ifstream in(RCTL_TEST_DATA_DIR "/info/info_all_7.0.txt", std::ios::binary);
  REQUIRE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace info_support
