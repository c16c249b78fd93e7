// Flag parsing of commands through their run-function seam: the command is registered with
// a run function that records the flags, so nothing connects and nothing is printed.
#include "commands/health.hpp"
#include "commands/stats.hpp"

#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

using namespace rctl::commands;

namespace {

// Parses `line` (without the program name) with only `register` on the root, then runs what
// parsing chose; returns the flags the fake run saw, or nothing when no run was chosen.
template <class Flags, class Register>
std::optional<Flags> parsed_flags(const std::string& line, Register reg) {
  GlobalOptions options;
  Context ctx(options);
  CLI::App app{"test"};
  std::optional<Flags> seen;
  reg(app, ctx, [&](Context&, const Flags& f) {
    seen = f;
    return 0;
  });
  app.parse(line, false);
  if (ctx.run) CHECK(ctx.run() == 0);
  return seen;
}

auto stats_flags(const std::string& line) {
  return parsed_flags<StatsFlags>(line, [](CLI::App& a, Context& c, StatsRun r) { register_stats(a, c, r); });
}

auto health_flags(const std::string& line) {
  return parsed_flags<HealthFlags>(line, [](CLI::App& a, Context& c, HealthRun r) { register_health(a, c, r); });
}

}  // namespace

TEST_CASE("commands parse: stats without flags is one report") {
  auto f = stats_flags("stats");
  REQUIRE(f);
  CHECK(f->watch.empty());
  CHECK(f->count == 0);
}

TEST_CASE("commands parse: stats --watch and --count reach the run function") {
  auto f = stats_flags("stats --watch 2s --count 3");
  REQUIRE(f);
  CHECK(f->watch == "2s");
  CHECK(f->count == 3);
}

TEST_CASE("commands parse: stats --count outside 1..1000000 is a parse error, nothing runs") {
  CHECK_THROWS_AS(stats_flags("stats --watch 1s --count 0"), CLI::ParseError);
  CHECK_THROWS_AS(stats_flags("stats --count many"), CLI::ParseError);
}

TEST_CASE("commands parse: health defaults") {
  auto f = health_flags("health");
  REQUIRE(f);
  CHECK(f->wait.empty());
  CHECK(f->samples == 5);
  CHECK(f->latency_warn == "100ms");
  CHECK(f->memory_crit == 95);
  CHECK_FALSE(f->strict);
}

TEST_CASE("commands parse: health thresholds and --strict") {
  auto f = health_flags("health --samples 7 --memory-warn 70 --lag-crit 2m --wait 30s --strict");
  REQUIRE(f);
  CHECK(f->samples == 7);
  CHECK(f->memory_warn == 70);
  CHECK(f->lag_crit == "2m");
  CHECK(f->wait == "30s");
  CHECK(f->strict);
}

TEST_CASE("commands parse: health percentages above 100 and zero samples are parse errors") {
  CHECK_THROWS_AS(health_flags("health --memory-warn 150"), CLI::ParseError);
  CHECK_THROWS_AS(health_flags("health --samples 0"), CLI::ParseError);
}
