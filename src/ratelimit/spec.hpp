#pragma once
// Rate limits in the string notation of the Python `limits` library (what Flask-Limiter's
// decorators take): "20/minute", "5 per 10 seconds", "10/hour;100/day". Parsed the way
// limits 2.8 parses them (limits/util.py SINGLE_EXPR/SEPARATORS): an amount, "/" or "per",
// an optional multiple, a granularity with an optional plural "s", any case; several limits
// separated by ';', ',' or '|'.

#include "util/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::ratelimit {

// Largest amount and multiple accepted; beyond these a limit is a typo, not a policy.
inline constexpr std::int64_t k_max_limit_amount = 1'000'000'000;
inline constexpr std::int64_t k_max_limit_multiples = 1'000'000;

// limits' granularities, with limits' own lengths (a month is 30 days, a year 360).
enum class Granularity { second, minute, hour, day, month, year };

// "second", "minute", ... as limits writes them into keys.
const char* to_string(Granularity granularity);

// Seconds in one unit of `granularity`.
std::int64_t granularity_seconds(Granularity granularity);

// Parses a granularity name as written in keys (exactly "second" ... "year").
std::optional<Granularity> parse_granularity(std::string_view name);

// One limit: `amount` hits per `multiples` x `granularity`.
struct LimitItem {
  std::int64_t amount = 0;
  std::int64_t multiples = 1;
  Granularity granularity = Granularity::minute;

  std::int64_t window_seconds() const { return granularity_seconds(granularity) * multiples; }
  std::int64_t window_ms() const { return window_seconds() * 1000; }
  // The "amount/multiples/granularity" tail limits puts at the end of its keys.
  std::string key_suffix() const;
  // "20/minute" or "5 per 10 seconds".
  std::string text() const;

  bool operator==(const LimitItem&) const = default;
};

// Parses limit notation; fails with ErrorKind::usage naming `flag` on anything else (empty
// parts, unknown units, a multiple of 0, numbers above the k_max_ limits).
Expected<std::vector<LimitItem>> parse_limits(std::string_view text, std::string_view flag = "--limit");

}  // namespace rctl::ratelimit
