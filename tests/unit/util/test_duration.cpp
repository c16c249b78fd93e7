#include "util/duration.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <string>

using namespace rctl;
using util::Millis;

TEST_CASE("util duration: parse_duration accepts units and bare seconds") {
  struct Case {
    const char* text;
    std::int64_t ms;
  };
  const Case cases[] = {
      {"250ms", 250},
      {"5s", 5000},
      {"1.5s", 1500},
      {"2m", 120'000},
      {"2min", 120'000},
      {"1h", 3'600'000},
      {"1h30m", 5'400'000},
      {"1d", 86'400'000},
      {"3", 3000},
      {"0.25", 250},
      {" 5s ", 5000},
      {"0.5ms", 1},
      {"1h30m15s500ms", 5'415'500},
      {"0", 0},
      {"90s", 90'000},
  };
  for (const auto& c : cases) {
    INFO("text: '" << c.text << "'");
    auto d = util::parse_duration(c.text, "--timeout");
    REQUIRE(d.has_value());
    CHECK(d->count() == c.ms);
  }
}

TEST_CASE("util duration: parse_duration rejects junk with a usage error naming the flag") {
  const char* bad[] = {
      "",
      " ",
      "junk",
      "5x",
      "-5s",
      "-1",
      "s",
      "ms",
      "5 s",
      "1h 30m",
      "5S",
      "1.5.5s",
      ".",
      "1e3",
      "+5s",
      "inf",
      "nan",
      "5s-",
      "1,5s",
      "99999999999999999999d",
      "9999999999999999999999",
  };
  for (const char* text : bad) {
    INFO("text: '" << text << "'");
    auto d = util::parse_duration(text, "--wait");
    REQUIRE_FALSE(d.has_value());
    CHECK(d.error().kind == ErrorKind::usage);
    CHECK_THAT(d.error().message, Catch::Contains("--wait"));
    CHECK_FALSE(d.error().hint.empty());
  }
  auto unnamed = util::parse_duration("5x");
  REQUIRE_FALSE(unnamed.has_value());
  CHECK(unnamed.error().message == "invalid duration '5x'");
}

TEST_CASE("util duration: format_duration") {
  struct Case {
    std::int64_t ms;
    const char* text;
  };
  const Case cases[] = {
      {0, "0ms"},
      {850, "850ms"},
      {999, "999ms"},
      {1000, "1.0s"},
      {12'345, "12.3s"},
      {60'000, "1m00s"},
      {245'000, "4m05s"},
      {3'599'999, "59m59s"},
      {3'600'000, "1h00m"},
      {7'800'000, "2h10m"},
      {86'400'000, "1d0h"},
      {273'600'000, "3d4h"},
      {-850, "-850ms"},
      {-245'000, "-4m05s"},
      {std::numeric_limits<std::int64_t>::max(), "106751991167d7h"},
      {std::numeric_limits<std::int64_t>::min(), "-106751991167d7h"},
  };
  for (const auto& c : cases) {
    INFO("ms: " << c.ms);
    CHECK(util::format_duration(Millis(c.ms)) == c.text);
  }
}

TEST_CASE("util duration: format_bytes uses binary units") {
  struct Case {
    std::int64_t bytes;
    const char* text;
  };
  const Case cases[] = {
      {0, "0 B"},
      {512, "512 B"},
      {1023, "1023 B"},
      {1024, "1.0 KiB"},
      {1536, "1.5 KiB"},
      {1'140'888, "1.1 MiB"},  // used_memory of a fresh 7.0 server
      {12LL * 1024 * 1024, "12.0 MiB"},
      {25'276'530'688, "23.5 GiB"},
      {1LL << 40, "1.0 TiB"},
      {1LL << 50, "1.0 PiB"},
      {1LL << 60, "1024.0 PiB"},  // PiB is the largest unit
      {-1536, "-1.5 KiB"},
      {-1, "-1 B"},
      {std::numeric_limits<std::int64_t>::max(), "8192.0 PiB"},
      {std::numeric_limits<std::int64_t>::min(), "-8192.0 PiB"},
  };
  for (const auto& c : cases) {
    INFO("bytes: " << c.bytes);
    CHECK(util::format_bytes(c.bytes) == c.text);
  }
}

TEST_CASE("util duration: format_count groups thousands") {
  struct Case {
    std::int64_t count;
    const char* text;
  };
  const Case cases[] = {
      {0, "0"},
      {7, "7"},
      {999, "999"},
      {1000, "1,000"},
      {12'345, "12,345"},
      {123'456, "123,456"},
      {1'234'567, "1,234,567"},
      {-1, "-1"},
      {-999, "-999"},
      {-1000, "-1,000"},
      {-1'234'567, "-1,234,567"},
      {std::numeric_limits<std::int64_t>::max(), "9,223,372,036,854,775,807"},
      {std::numeric_limits<std::int64_t>::min(), "-9,223,372,036,854,775,808"},
  };
  for (const auto& c : cases) {
    INFO("count: " << c.count);
    CHECK(util::format_count(c.count) == c.text);
  }
}
