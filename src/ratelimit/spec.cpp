#include "ratelimit/spec.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <cctype>

namespace rctl::ratelimit {

namespace {

constexpr Granularity k_granularities[] = {Granularity::second, Granularity::minute, Granularity::hour,
                                           Granularity::day,    Granularity::month,  Granularity::year};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// A cursor over one limit expression; every step skips nothing it does not name.
struct Cursor {
  std::string_view text;
  std::size_t pos = 0;

  void skip_spaces() {
    while (pos < text.size() && is_space(text[pos])) ++pos;
  }
  std::optional<std::int64_t> number() {
    auto start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos == start) return std::nullopt;
    auto digits = text.substr(start, pos - start);
    // Leading zeros are fine ("007"); a value past the k_max_ limits is refused by the caller.
    while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
    if (digits.size() > 12) return k_max_limit_amount + 1;
    return util::parse_int(digits);
  }
  bool word(std::string_view w) {
    if (util::to_lower(text.substr(pos, w.size())) != w) return false;
    pos += w.size();
    return true;
  }
};

std::string usage_message(std::string_view flag, std::string_view text, std::string_view why) {
  return fmt::format("invalid {} '{}': {}", flag, text, why);
}

// One "N/unit" or "N per M units" expression.
Expected<LimitItem> parse_one(std::string_view part, std::string_view flag, std::string_view whole) {
  auto bad = [&](std::string_view why) {
    return fail(ErrorKind::usage, usage_message(flag, whole, why),
                "write limits as N/second|minute|hour|day|month|year or 'N per M minutes', several "
                "separated by ';' (e.g. \"10/hour;100/day\")");
  };
  Cursor c{part};
  c.skip_spaces();
  auto amount = c.number();
  if (!amount) return bad("expected a number of hits first");
  c.skip_spaces();
  if (!c.word("/") && !c.word("per")) return bad("expected '/' or 'per' after the amount");
  c.skip_spaces();
  auto multiples = c.number();
  c.skip_spaces();
  std::optional<Granularity> unit;
  for (auto g : k_granularities)
    if (c.word(to_string(g))) {
      unit = g;
      break;
    }
  if (!unit) return bad("expected a unit: second, minute, hour, day, month or year");
  c.word("s");
  c.skip_spaces();
  if (c.pos != part.size()) return bad(fmt::format("unexpected text '{}'", part.substr(c.pos)));
  if (*amount > k_max_limit_amount) return bad(fmt::format("the amount is above {}", k_max_limit_amount));
  if (multiples && *multiples == 0) return bad("a window of 0 units");
  if (multiples && *multiples > k_max_limit_multiples)
    return bad(fmt::format("the multiple is above {}", k_max_limit_multiples));
  return LimitItem{*amount, multiples.value_or(1), *unit};
}

}  // namespace

const char* to_string(Granularity g) {
  switch (g) {
    case Granularity::second: return "second";
    case Granularity::minute: return "minute";
    case Granularity::hour: return "hour";
    case Granularity::day: return "day";
    case Granularity::month: return "month";
    case Granularity::year: return "year";
  }
  return "second";
}

std::int64_t granularity_seconds(Granularity g) {
  switch (g) {
    case Granularity::second: return 1;
    case Granularity::minute: return 60;
    case Granularity::hour: return 3600;
    case Granularity::day: return 86400;
    case Granularity::month: return 86400 * 30;
    case Granularity::year: return 86400 * 30 * 12;
  }
  return 1;
}

std::optional<Granularity> parse_granularity(std::string_view name) {
  for (auto g : k_granularities)
    if (name == to_string(g)) return g;
  return std::nullopt;
}

std::string LimitItem::key_suffix() const { return fmt::format("{}/{}/{}", amount, multiples, to_string(granularity)); }

std::string LimitItem::text() const {
  if (multiples == 1) return fmt::format("{}/{}", amount, to_string(granularity));
  return fmt::format("{} per {} {}s", amount, multiples, to_string(granularity));
}

Expected<std::vector<LimitItem>> parse_limits(std::string_view text, std::string_view flag) {
  std::vector<LimitItem> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != ';' && text[i] != ',' && text[i] != '|') continue;
    auto item = parse_one(text.substr(start, i - start), flag, text);
    if (!item) return std::unexpected(item.error());
    out.push_back(*item);
    start = i + 1;
  }
  return out;
}

}  // namespace rctl::ratelimit
