#include "ratelimit/spec.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace rctl;
using ratelimit::Granularity;
using ratelimit::LimitItem;

namespace {

std::vector<LimitItem> parse_ok(std::string_view text) {
  INFO("limit: " << text);
  auto parsed = ratelimit::parse_limits(text);
  if (!parsed) FAIL("unexpected error: " << parsed.error().message);
  return *parsed;
}

}  // namespace

TEST_CASE("ops ratelimit spec: limits' string notation") {
  using V = std::vector<LimitItem>;
  CHECK(parse_ok("20/minute") == V{{20, 1, Granularity::minute}});
  CHECK(parse_ok("5 per 10 seconds") == V{{5, 10, Granularity::second}});
  CHECK(parse_ok("10/hour;100/day") == V{{10, 1, Granularity::hour}, {100, 1, Granularity::day}});
  CHECK(parse_ok("1/second, 5/minute | 10 per 2 HOURS") ==
        V{{1, 1, Granularity::second}, {5, 1, Granularity::minute}, {10, 2, Granularity::hour}});
  CHECK(parse_ok("  3 / 2 days ") == V{{3, 2, Granularity::day}});
  CHECK(parse_ok("5per minute") == V{{5, 1, Granularity::minute}});  // limits' regex allows it
  CHECK(parse_ok("7/10minutes") == V{{7, 10, Granularity::minute}});
  CHECK(parse_ok("1 PER Month") == V{{1, 1, Granularity::month}});
  CHECK(parse_ok("2/years") == V{{2, 1, Granularity::year}});
  CHECK(parse_ok("0/minute") == V{{0, 1, Granularity::minute}});  // a limit that blocks everything
  CHECK(parse_ok("007/minute") == V{{7, 1, Granularity::minute}});
  CHECK(parse_ok("1000000000/day") == V{{ratelimit::k_max_limit_amount, 1, Granularity::day}});
}

TEST_CASE("ops ratelimit spec: junk is a usage error naming the flag") {
  const char* bad[] = {"",
                       " ",
                       "abc",
                       "20",
                       "20/",
                       "/minute",
                       "20/fortnight",
                       "20/minutess",
                       "20 minute",
                       "20 per",
                       "5 per 0 minutes",
                       "-5/minute",
                       "5.5/minute",
                       "5/minute;",
                       ";5/minute",
                       "5/minute;;1/hour",
                       "5/minute extra",
                       "1000000001/day",
                       "99999999999999999999/day",
                       "5 per 1000001 seconds",
                       "5/min",
                       "5/mins",
                       "five/minute",
                       "5/minute\x1b[31m"};
  for (const char* text : bad) {
    INFO("limit: " << text);
    auto parsed = ratelimit::parse_limits(text, "--limit");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().kind == ErrorKind::usage);
    CHECK(parsed.error().message.find("--limit") != std::string::npos);
    CHECK_FALSE(parsed.error().hint.empty());
  }
}

TEST_CASE("ops ratelimit spec: windows, key suffixes and text") {
  LimitItem a{5, 10, Granularity::second};
  CHECK(a.window_seconds() == 10);
  CHECK(a.window_ms() == 10000);
  CHECK(a.key_suffix() == "5/10/second");
  CHECK(a.text() == "5 per 10 seconds");
  LimitItem b{20, 1, Granularity::minute};
  CHECK(b.key_suffix() == "20/1/minute");
  CHECK(b.text() == "20/minute");
  // limits' own lengths: a month is 30 days, a year 12 of those.
  CHECK(LimitItem{1, 1, Granularity::month}.window_seconds() == 2592000);
  CHECK(LimitItem{1, 1, Granularity::year}.window_seconds() == 31104000);
  CHECK(LimitItem{1, 2, Granularity::hour}.window_seconds() == 7200);
  CHECK(LimitItem{1, 1, Granularity::day}.window_seconds() == 86400);
  for (auto g : {Granularity::second, Granularity::minute, Granularity::hour, Granularity::day, Granularity::month,
                 Granularity::year})
    CHECK(ratelimit::parse_granularity(ratelimit::to_string(g)) == g);
  CHECK_FALSE(ratelimit::parse_granularity("Minute"));
  CHECK_FALSE(ratelimit::parse_granularity("minutes"));
  // The text parses back to the same limit.
  CHECK(parse_ok(a.text()) == std::vector<LimitItem>{a});
  CHECK(parse_ok(b.text()) == std::vector<LimitItem>{b});
}
