#include "util/strings.hpp"

#include <catch2/catch.hpp>

#include <clocale>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace std::string_literals;
using namespace rctl::util;

namespace {

std::vector<std::string> split_strings(std::string_view text, char sep) {
  std::vector<std::string> out;
  for (auto part : split(text, sep)) out.emplace_back(part);
  return out;
}

// Restores the process locale when a test leaves, even on a failed REQUIRE.
struct LocaleGuard {
  std::string saved = std::setlocale(LC_ALL, nullptr);
  ~LocaleGuard() { std::setlocale(LC_ALL, saved.c_str()); }
};

}  // namespace

TEST_CASE("util strings: split keeps empty fields") {
  using V = std::vector<std::string>;
  CHECK(split_strings("a,b,c", ',') == V{"a", "b", "c"});
  CHECK(split_strings("a,,b", ',') == V{"a", "", "b"});
  CHECK(split_strings(",a,", ',') == V{"", "a", ""});
  CHECK(split_strings(",", ',') == V{"", ""});
  CHECK(split_strings("", ',') == V{""});
  CHECK(split_strings("abc", ',') == V{"abc"});
  CHECK(split_strings("a\0b\0"s, '\0') == V{"a", "b", ""});
}

TEST_CASE("util strings: trim, to_lower, join, starts_with") {
  CHECK(trim("  a b \t\r\n") == "a b");
  CHECK(trim("\f\vx\v") == "x");
  CHECK(trim("") == "");
  CHECK(trim(" \t\r\n") == "");
  CHECK(trim("x") == "x");
  CHECK(to_lower("ReDiS-7.0_ÄB") == "redis-7.0_Äb");  // ASCII only: UTF-8 bytes untouched
  CHECK(join({"a", "b", "c"}, ", ") == "a, b, c");
  CHECK(join({"only"}, ",") == "only");
  CHECK(join({}, ",").empty());
  CHECK(starts_with("cmdstat_get", "cmdstat_"));
  CHECK(starts_with("abc", ""));
  CHECK_FALSE(starts_with("cmd", "cmdstat_"));
  CHECK_FALSE(starts_with("Cmdstat_get", "cmdstat_"));
}

TEST_CASE("util strings: parse_int takes whole decimal integers only") {
  struct Case {
    const char* text;
    std::optional<std::int64_t> value;
  };
  const Case cases[] = {
      {"0", 0},
      {"42", 42},
      {"-42", -42},
      {"-0", 0},
      {"007", 7},
      {"9223372036854775807", std::numeric_limits<std::int64_t>::max()},
      {"-9223372036854775808", std::numeric_limits<std::int64_t>::min()},
      {"9223372036854775808", std::nullopt},  // overflow
      {"-9223372036854775809", std::nullopt},  // underflow
      {"99999999999999999999999", std::nullopt},
      {"", std::nullopt},
      {"-", std::nullopt},
      {"+1", std::nullopt},
      {" 1", std::nullopt},
      {"1 ", std::nullopt},
      {"1a", std::nullopt},
      {"0x10", std::nullopt},
      {"1.0", std::nullopt},
      {"--1", std::nullopt},
      {"1,000", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO("text: '" << c.text << "'");
    CHECK(parse_int(c.text) == c.value);
  }
  CHECK_FALSE(parse_int("12\0"s).has_value());
}

TEST_CASE("util strings: parse_double") {
  struct Case {
    const char* text;
    std::optional<double> value;
  };
  const Case cases[] = {
      {"3.14", 3.14},          {"-2.5", -2.5},          {"0", 0.0},
      {"1e3", 1000.0},         {"14.00", 14.0},         {".5", 0.5},
      {"", std::nullopt},      {"abc", std::nullopt},   {"3,14", std::nullopt},
      {" 1", std::nullopt},    {"1 ", std::nullopt},    {"+1", std::nullopt},
      {"1.2.3", std::nullopt}, {"1e999", std::nullopt},  // out of range
      {"5%", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO("text: '" << c.text << "'");
    CHECK(parse_double(c.text) == c.value);
  }
  // from_chars spells these; callers that need finite numbers must check (parse_duration does).
  REQUIRE(parse_double("nan").has_value());
  CHECK(std::isnan(*parse_double("nan")));
  CHECK(parse_double("inf") == std::numeric_limits<double>::infinity());
}

TEST_CASE("util strings: parse_double ignores the locale") {
  LocaleGuard guard;
  bool german = std::setlocale(LC_ALL, "de_DE.UTF-8") != nullptr;
  if (!german) WARN("de_DE.UTF-8 is not installed; checking under the current locale only");
  CHECK(parse_double("3.14") == 3.14);
  CHECK_FALSE(parse_double("3,14").has_value());
  CHECK(parse_double("-0.001") == -0.001);
}

TEST_CASE("util strings: escape_glob escapes exactly \\ * ? [ ]") {
  struct Case {
    std::string text;
    std::string escaped;
  };
  const Case cases[] = {
      {"", ""},
      {"user:1", "user:1"},
      {"a*b", R"(a\*b)"},
      {"a?b", R"(a\?b)"},
      {"[x]", R"(\[x\])"},
      {R"(a\b)", R"(a\\b)"},
      {R"(*?[]\)", R"(\*\?\[\]\\)"},
      {"^-!{}", "^-!{}"},  // special only inside [...], which is escaped already
      {"session:ключ", "session:ключ"},
      {"k\0\xff*"s, "k\0\xff\\*"s},
  };
  for (const auto& c : cases) {
    INFO("text: '" << c.text << "'");
    CHECK(escape_glob(c.text) == c.escaped);
  }
}

TEST_CASE("util strings: prefix_pattern matches every key starting with the prefix") {
  CHECK(prefix_pattern("user:") == "user:*");
  CHECK(prefix_pattern("") == "*");
  CHECK(prefix_pattern("a*") == R"(a\**)");
  CHECK(prefix_pattern(R"(x\)") == R"(x\\*)");
  CHECK(prefix_pattern("cache:[v2]?") == R"(cache:\[v2\]\?*)");
}
