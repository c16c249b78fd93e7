#include "ratelimit/probe.hpp"
#include "ratelimit/scripts.hpp"
#include "util/sha1.hpp"

#include <catch2/catch.hpp>

using namespace rctl;
using ratelimit::ProbeVerdict;

namespace {

ratelimit::ProbeResult result(std::int64_t expected, std::int64_t allowed, double elapsed_ms, std::int64_t stable_ms) {
  ratelimit::ProbeResult r;
  r.plan.hits = 50;
  r.expected_allowed = expected;
  r.allowed = allowed;
  r.denied = r.plan.hits - allowed;
  r.elapsed_ms = elapsed_ms;
  r.stable_ms = stable_ms;
  return r;
}

ProbeVerdict judged(ratelimit::ProbeResult r) {
  ratelimit::judge_probe(r);
  return r.verdict;
}

}  // namespace

TEST_CASE("ops ratelimit probe: verdicts") {
  CHECK(judged(result(20, 20, 35, 60000)) == ProbeVerdict::pass);
  CHECK(judged(result(20, 21, 35, 60000)) == ProbeVerdict::too_many);
  // The window could have freed budget during the probe: more is not proof of a race.
  CHECK(judged(result(20, 21, 60000, 60000)) == ProbeVerdict::inconclusive);
  CHECK(judged(result(20, 19, 35, 60000)) == ProbeVerdict::too_few);
  CHECK(judged(result(20, 19, 90000, 60000)) == ProbeVerdict::too_few);

  auto unknown = result(20, 10, 35, 60000);
  unknown.unknown = 3;
  CHECK(judged(unknown) == ProbeVerdict::unknown);
  unknown.error = Error{ErrorKind::outcome_unknown, "outcome unknown", {}};
  CHECK(judged(unknown) == ProbeVerdict::unknown);

  auto refused = result(20, 0, 1, 60000);
  refused.not_run = 50;
  refused.error = Error{ErrorKind::permission, "scripting is denied", {}};
  CHECK(judged(refused) == ProbeVerdict::error);

  auto stopped = result(20, 20, 35, 60000);
  stopped.not_run = 30;  // Ctrl-C
  CHECK(judged(stopped) == ProbeVerdict::interrupted);
}

TEST_CASE("ops ratelimit probe: strategy names") {
  CHECK(ratelimit::parse_probe_strategy("fixed") == ratelimit::ProbeStrategy::fixed);
  CHECK(ratelimit::parse_probe_strategy("moving-window") == ratelimit::ProbeStrategy::moving);
  CHECK(ratelimit::parse_probe_strategy("sliding-window-counter") == ratelimit::ProbeStrategy::sliding);
  CHECK_FALSE(ratelimit::parse_probe_strategy("leaky-bucket"));
  CHECK_FALSE(ratelimit::parse_probe_strategy("Fixed"));
  for (auto s : {ratelimit::ProbeStrategy::fixed, ratelimit::ProbeStrategy::moving, ratelimit::ProbeStrategy::sliding})
    CHECK(ratelimit::parse_probe_strategy(ratelimit::to_string(s)) == s);
}

TEST_CASE("ops ratelimit probe: scripts are named by the SHA-1 EVALSHA takes") {
  for (const auto* s :
       {&ratelimit::fixed_window_script(), &ratelimit::moving_window_script(), &ratelimit::sliding_window_script()}) {
    CHECK(s->sha1 == util::sha1_hex(s->text));
    CHECK(s->sha1.size() == 40);
  }
  CHECK(ratelimit::fixed_window_script().sha1 != ratelimit::moving_window_script().sha1);
}
