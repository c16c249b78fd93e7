#pragma once
// Small pieces the domains' renderers share: JSON null for what is absent, rounding for JSON
// figures, TTLs as people read them. Header-only: each is a line or two.

#include "decode/bytes.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rctl::output {

// A number, or JSON null when there is none (a key without TTL, a count not read).
inline nlohmann::ordered_json number_or_null(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

// Stored bytes as JSON (decode::json_bytes), or null when empty (fields left unset).
inline nlohmann::ordered_json text_or_null(std::string_view s) {
  return s.empty() ? nlohmann::ordered_json(nullptr) : decode::json_bytes(s);
}

// An error as JSON ({"kind", "message"}; the message through decode::json_bytes, since it
// may quote bytes from Redis), or null when there is none.
inline nlohmann::ordered_json error_or_null(const std::optional<Error>& e) {
  if (!e) return nullptr;
  return {{"kind", rctl::to_string(e->kind)}, {"message", decode::json_bytes(e->message)}};
}

// Three decimals: milliseconds and seconds in JSON without floating-point noise.
inline double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

// A TTL for tables: a duration, or "none" for a key that does not expire.
inline std::string ttl_text(const std::optional<std::int64_t>& ttl_ms) {
  return ttl_ms ? util::format_duration(util::Millis(*ttl_ms)) : std::string("none");
}

}  // namespace rctl::output
