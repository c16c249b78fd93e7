// The pure parts of `rctl call`: which commands are refused, the wait of blocking commands,
// the CROSSSLOT check.
#include "call/call.hpp"

#include <catch2/catch.hpp>

using namespace rctl::call;
using CallArgs = std::vector<std::string>;

TEST_CASE("call: subscriptions and MONITOR are refused with a usage error") {
  for (const char* name : {"SUBSCRIBE", "psubscribe", "SSUBSCRIBE", "monitor", "SYNC", "PSYNC"}) {
    auto refused = refusal(CallArgs{name, "x"});
    REQUIRE(refused);
    CHECK(refused->kind == rctl::ErrorKind::usage);
  }
  CHECK_FALSE(refusal(CallArgs{"GET", "k"}));
  CHECK(refusal(CallArgs{}));
}

TEST_CASE("call: a blocking command with timeout 0 is refused, one with a timeout waits that long more") {
  CHECK(refusal(CallArgs{"BLPOP", "k", "0"}));
  CHECK(refusal(CallArgs{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}));
  CHECK_FALSE(refusal(CallArgs{"BLPOP", "k", "1.5"}));
  CHECK(blocking_wait(CallArgs{"BLPOP", "a", "b", "1.5"}) == std::chrono::milliseconds{1500});
  CHECK(blocking_wait(CallArgs{"blmpop", "2", "1", "k", "LEFT"}) == std::chrono::milliseconds{2000});
  CHECK(blocking_wait(CallArgs{"XREAD", "block", "250", "STREAMS", "s", "$"}) == std::chrono::milliseconds{250});
  CHECK(blocking_wait(CallArgs{"WAIT", "1", "100"}) == std::chrono::milliseconds{100});
  CHECK(blocking_wait(CallArgs{"GET", "k"}) == std::chrono::milliseconds{0});
  CHECK(blocking_wait(CallArgs{"BLPOP", "k", "soon"}) == std::chrono::milliseconds{0});
}

TEST_CASE("call: keys in different slots are CROSSSLOT before anything is sent") {
  auto same = common_slot(CallArgs{"{u1}a", "{u1}b"});
  REQUIRE(same);
  CHECK(*same == common_slot(CallArgs{"u1"}).value());
  auto cross = common_slot(CallArgs{"a", "b"});
  REQUIRE_FALSE(cross);
  CHECK(cross.error().kind == rctl::ErrorKind::usage);
  CHECK(cross.error().message.find("CROSSSLOT") != std::string::npos);
}
