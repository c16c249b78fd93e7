#include "job/rq/time.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace rctl::job::rq {

namespace {

using namespace std::chrono;

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  long micros = 0;
};

// "YYYY-MM-DD?HH:MM[:SS[.f{1,6}]]" where ? is one of `separators`; leaves pos after it.
bool read_date_time(std::string_view s, std::size_t& pos, Fields& f, std::string_view separators,
                    bool seconds_required) {
  if (!digits(s, pos, 4, f.year) || !expect(s, pos, '-') || !digits(s, pos, 2, f.month) || !expect(s, pos, '-') ||
      !digits(s, pos, 2, f.day))
    return false;
  if (pos >= s.size() || separators.find(s[pos]) == std::string_view::npos) return false;
  ++pos;
  if (!digits(s, pos, 2, f.hour) || !expect(s, pos, ':') || !digits(s, pos, 2, f.minute)) return false;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!digits(s, pos, 2, f.second)) return false;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      std::size_t n = 0;
      long value = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && n < 6) {
        value = value * 10 + (s[pos] - '0');
        ++pos;
        ++n;
      }
      if (n == 0) return false;
      for (; n < 6; ++n) value *= 10;
      f.micros = value;
    }
  } else if (seconds_required) {
    return false;
  }
  const year_month_day ymd{year{f.year}, month{static_cast<unsigned>(f.month)}, day{static_cast<unsigned>(f.day)}};
  return ymd.ok() && f.hour < 24 && f.minute < 60 && f.second < 60;
}

sys_time<microseconds> utc_of(const Fields& f) {
  const sys_days date{
      year_month_day{year{f.year}, month{static_cast<unsigned>(f.month)}, day{static_cast<unsigned>(f.day)}}};
  return date + hours{f.hour} + minutes{f.minute} + seconds{f.second} + microseconds{f.micros};
}

}  // namespace

std::string rq_timestamp(SystemTime time) {
  const auto us = floor<microseconds>(time);
  const auto date = floor<days>(us);
  const year_month_day ymd{date};
  const hh_mm_ss tod{us - date};
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), tod.hours().count(),
                     tod.minutes().count(), tod.seconds().count(), tod.subseconds().count());
}

std::optional<SystemTime> parse_rq_timestamp(std::string_view text) {
  std::size_t pos = 0;
  Fields f;
  if (!read_date_time(text, pos, f, "T", true) || pos + 1 != text.size() || text[pos] != 'Z') return std::nullopt;
  return time_point_cast<SystemTime::duration>(utc_of(f));
}

Expected<std::int64_t> parse_rq_seconds(std::string_view text, std::string_view flag) {
  auto bad = [&] {
    return fail(ErrorKind::usage,
                fmt::format("{}: '{}' is not a number of seconds or digits with a unit (d, h, m, s)", flag, text),
                "for example 180, 10m, 2h or 1d");
  };
  if (text.empty()) return bad();
  std::int64_t value = 0;
  const char* first = text.data() + (text.front() == '+' ? 1 : 0);
  const char* last = text.data() + text.size();
  if (auto [ptr, ec] = std::from_chars(first, last, value); ec == std::errc() && ptr == last) return value;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 'd':
    case 'D': unit = 86400; break;
    case 'h':
    case 'H': unit = 3600; break;
    case 'm':
    case 'M': unit = 60; break;
    case 's':
    case 'S': unit = 1; break;
    default: return bad();
  }
  last -= 1;
  if (auto [ptr, ec] = std::from_chars(first, last, value); ec != std::errc() || ptr != last || first == last)
    return bad();
  if (value > INT64_MAX / unit || value < INT64_MIN / unit) return bad();
  return value * unit;
}

Expected<std::int64_t> parse_schedule_time(std::string_view text, std::string_view flag) {
  auto bad = [&] {
    return fail(ErrorKind::usage, fmt::format("{}: '{}' is not an ISO 8601 date and time", flag, text),
                "for example 2026-05-27T21:45:00Z, 2026-05-27T23:45:00+02:00 or 2026-05-27T21:45 (local time)");
  };
  std::size_t pos = 0;
  Fields f;
  if (!read_date_time(text, pos, f, "T ", false)) return bad();
  const std::string_view zone = text.substr(pos);
  if (zone.empty()) {
    // Local time, as RQ reads a datetime without tzinfo; mktime resolves DST.
    std::tm tm{};
    tm.tm_year = f.year - 1900;
    tm.tm_mon = f.month - 1;
    tm.tm_mday = f.day;
    tm.tm_hour = f.hour;
    tm.tm_min = f.minute;
    tm.tm_sec = f.second;
    tm.tm_isdst = -1;
    const std::time_t t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1)) return bad();
    return static_cast<std::int64_t>(t);
  }
  std::int64_t offset_s = 0;
  if (zone != "Z" && zone != "z") {
    std::size_t zpos = 1;
    int hh = 0, mm = 0;
    if ((zone[0] != '+' && zone[0] != '-') || !digits(zone, zpos, 2, hh)) return bad();
    if (zpos < zone.size() && zone[zpos] == ':') ++zpos;
    if (!digits(zone, zpos, 2, mm) || zpos != zone.size() || hh > 23 || mm > 59) return bad();
    offset_s = (hh * 3600 + mm * 60) * (zone[0] == '-' ? -1 : 1);
  }
  return floor<seconds>(utc_of(f)).time_since_epoch().count() - offset_s;
}

std::int64_t unix_seconds(SystemTime time) { return floor<seconds>(time).time_since_epoch().count(); }

}  // namespace rctl::job::rq
