#include "util/duration.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <cmath>

namespace rctl::util {

namespace {

// Milliseconds per unit suffix; nullopt for an unknown suffix.
std::optional<double> unit_millis(std::string_view unit) {
  if (unit == "ms") return 1.0;
  if (unit == "s" || unit.empty()) return 1000.0;
  if (unit == "m" || unit == "min") return 60'000.0;
  if (unit == "h") return 3'600'000.0;
  if (unit == "d") return 86'400'000.0;
  return std::nullopt;
}

// The magnitude of `n` as unsigned: -n overflows for INT64_MIN, which INFO can carry.
std::uint64_t magnitude(std::int64_t n) {
  return n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
}

std::string format_millis(std::uint64_t ms) {
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms < 60'000) return fmt::format("{:.1f}s", static_cast<double>(ms) / 1000.0);
  auto s = ms / 1000;
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{}h", s / 86400, (s % 86400) / 3600);
}

}  // namespace

Expected<Millis> parse_duration(std::string_view text, std::string_view what) {
  auto ms = parse_duration_ms(text, what);
  if (!ms) return std::unexpected(ms.error());
  return Millis(static_cast<std::int64_t>(std::llround(*ms)));
}

Expected<double> parse_duration_ms(std::string_view text, std::string_view what) {
  auto bad = [&] {
    return fail(ErrorKind::usage, fmt::format("invalid {} '{}'", what, text),
                "use a number with a unit: 250ms, 5s, 2m, 1h, 1d");
  };
  auto rest = trim(text);
  if (rest.empty()) return bad();
  double total = 0;
  while (!rest.empty()) {
    std::size_t i = 0;
    while (i < rest.size() && ((rest[i] >= '0' && rest[i] <= '9') || rest[i] == '.')) ++i;
    std::size_t j = i;
    while (j < rest.size() && rest[j] >= 'a' && rest[j] <= 'z') ++j;
    auto number = parse_double(rest.substr(0, i));
    auto factor = unit_millis(rest.substr(i, j - i));
    if (!number || !factor || !std::isfinite(*number)) return bad();
    total += *number * *factor;
    rest = rest.substr(j);
  }
  if (total > 1e15) return bad();
  return total;
}

std::string format_duration(Millis duration) {
  auto ms = duration.count();
  // Appending rather than `"-" + string` sidesteps GCC 12's false -Wrestrict (PR 105329).
  std::string text = ms < 0 ? "-" : "";
  text += format_millis(magnitude(ms));
  return text;
}

std::string format_bytes(std::int64_t bytes) {
  const char* sign = bytes < 0 ? "-" : "";
  auto n = magnitude(bytes);
  if (n < 1024) return fmt::format("{}{} B", sign, n);
  static constexpr const char* k_units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(n);
  int unit = -1;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{}{:.1f} {}", sign, value, k_units[unit]);
}

std::string format_count(std::int64_t count) {
  auto digits = fmt::format("{}", magnitude(count));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return count < 0 ? "-" + out : out;
}

}  // namespace rctl::util
