#pragma once
// Internal to the job renderers: the pieces job/render*.cpp share.

#include "decode/bytes.hpp"
#include "output/render_helpers.hpp"
#include "job/rq/time.hpp"
#include "output/document.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rctl::job::render {

using Json = nlohmann::ordered_json;

// How a job status stands out in a table.
inline output::Tone status_tone(std::string_view status) {
  if (status == "finished") return output::Tone::good;
  if (status == "failed" || status == "stopped" || status == "canceled") return output::Tone::bad;
  if (status == "started") return output::Tone::strong;
  return output::Tone::plain;
}

// A stored string as JSON: null when empty (RQ writes "" for unset fields).
using output::text_or_null;

// "3m05s ago" / "in 10s" for an RQ timestamp, relative to `now`; "" when it does not parse.
inline std::string relative(std::string_view rq_time, rq::SystemTime now) {
  auto t = rq::parse_rq_timestamp(rq_time);
  if (!t) return "";
  auto delta = std::chrono::duration_cast<util::Millis>(now - *t);
  return delta.count() >= 0 ? util::format_duration(delta) + " ago" : "in " + util::format_duration(-delta);
}

// "2026-11-22T03:12:29.967737Z (5s ago)", or "-" when unset.
inline std::string time_cell(std::string_view rq_time, rq::SystemTime now) {
  if (rq_time.empty()) return "-";
  auto rel = relative(rq_time, now);
  return rel.empty() ? std::string(rq_time) : fmt::format("{} ({})", rq_time, rel);
}

// A seconds setting as people read it: "180s (3m)", "-1 (never)".
inline std::string seconds_cell(std::string_view stored, std::string_view unset, std::string_view minus_one) {
  if (stored.empty()) return std::string(unset);
  if (stored == "-1") return fmt::format("-1 ({})", minus_one);
  return std::string(stored) + "s";
}

}  // namespace rctl::job::render
