#pragma once
// Durations and sizes as people type and read them: "250ms", "5s", "2m", "1h30m", "1.2 MiB".

#include "util/error.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace rctl::util {

using Millis = std::chrono::milliseconds;

// Parses "250ms", "5s", "1.5s", "2m", "1h", "1d", "1h30m" or a bare number of seconds.
// Fails with ErrorKind::usage naming `what` (the flag) on junk or negative values.
Expected<Millis> parse_duration(std::string_view text, std::string_view what = "duration");
// The same, unrounded: thresholds below a millisecond (`--latency-warn 0.01ms`) keep their value.
Expected<double> parse_duration_ms(std::string_view text, std::string_view what = "duration");

// Formats a duration compactly: "850ms", "12.3s", "4m05s", "2h10m", "3d4h".
std::string format_duration(Millis duration);

// Formats a byte count with binary units: "512 B", "1.5 KiB", "12.0 MiB".
std::string format_bytes(std::int64_t bytes);

// Formats a count with thousands separators: 1234567 -> "1,234,567".
std::string format_count(std::int64_t count);

}  // namespace rctl::util
