#pragma once
// The server's own latency monitor (LATENCY LATEST): `rctl slowlog` shows its events beside
// the slow log, `rctl latency --doctor` with each event's history.

#include "resp/value.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rctl::server {

// Bytes kept of an event name: names are short ("command", "fork", "aof-fsync-always"); a
// hostile server's are cut.
inline constexpr std::size_t k_max_latency_event_name = 128;

struct LatencyEvent {
  std::string name;  // "command", "fast-command", "fork", "aof-fsync-always", ...
  std::int64_t time_s = 0;  // unix time of the latest spike
  std::int64_t latest_ms = 0;
  std::int64_t max_ms = 0;  // all-time maximum of this event
};

// Parses a LATENCY LATEST reply ([[event, unix time, latest ms, max ms], ...]); nullopt when
// it has another shape.
std::optional<std::vector<LatencyEvent>> parse_latency_latest(const resp::Value& reply);

}  // namespace rctl::server
