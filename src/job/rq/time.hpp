#pragma once
// Times and durations as RQ writes and reads them: job timestamps in UTC as
// "%Y-%m-%dT%H:%M:%S.%fZ" (rq/utils.py utcformat/utcparse), timeouts and TTLs as RQ's
// parse_timeout accepts them, and the ISO 8601 times of --schedule-at.

#include "util/error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rctl::job::rq {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-11-22T03:12:29.967737Z": UTC, always six fraction digits (Python's %f).
std::string rq_timestamp(SystemTime time);

// Reads an RQ timestamp: "%Y-%m-%dT%H:%M:%S.%fZ" (1-6 fraction digits, as strptime's %f
// takes them) or "%Y-%m-%dT%H:%M:%SZ"; nullopt for anything else (including "").
std::optional<SystemTime> parse_rq_timestamp(std::string_view text);

// RQ's parse_timeout: a whole number of seconds ("180", "-1") or digits with one unit
// d/h/m/s in either case ("10m", "2D"). Fails (ErrorKind::usage) naming `flag`.
Expected<std::int64_t> parse_rq_seconds(std::string_view text, std::string_view flag);

// An ISO 8601 date-time for --schedule-at: "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" (a space may
// replace the T) with "Z" or "+HH:MM"/"-HH:MM", or without an offset, which means local
// time, as RQ reads a naive datetime. Returns whole seconds since the epoch (RQ stores
// scheduled times truncated to seconds). Fails (ErrorKind::usage) naming `flag`.
Expected<std::int64_t> parse_schedule_time(std::string_view text, std::string_view flag);

// Whole seconds since the epoch (truncated, as calendar.timegm does).
std::int64_t unix_seconds(SystemTime time);

}  // namespace rctl::job::rq
