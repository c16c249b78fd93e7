// The document for `ratelimit probe`.

#include "ratelimit/render.hpp"
#include "decode/bytes.hpp"
#include "ratelimit/probe.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace rctl::ratelimit {

namespace {

using Json = nlohmann::ordered_json;

// Sub-millisecond precision: a probe of a few dozen hits on a local server takes about 1 ms.
std::string elapsed_text(double ms) {
  if (ms < 1000) return fmt::format("{:.1f}ms", ms);
  return util::format_duration(util::Millis(static_cast<std::int64_t>(ms)));
}

// One line on what a verdict means.
std::string verdict_text(const ProbeResult& r) {
  switch (r.verdict) {
    case ProbeVerdict::pass: return fmt::format("pass: exactly {} of {} hits got through", r.allowed, r.plan.hits);
    case ProbeVerdict::too_many:
      return fmt::format(
          "FAIL: {} hits got through where the budget allowed {}: the limiter did not hold under "
          "concurrency",
          r.allowed, r.expected_allowed);
    case ProbeVerdict::too_few:
      return fmt::format("FAIL: only {} hits got through where the budget allowed {}{}", r.allowed, r.expected_allowed,
                         r.plan.scratch ? "" : " (the application may have used the key during the probe)");
    case ProbeVerdict::inconclusive:
      return fmt::format(
          "inconclusive: {} hits got through where {} were expected, but the budget could grow after "
          "{} and the probe took {}; use a longer window",
          r.allowed, r.expected_allowed, util::format_duration(util::Millis(r.stable_ms)), elapsed_text(r.elapsed_ms));
    case ProbeVerdict::unknown:
    case ProbeVerdict::error: return r.error ? r.error->message : std::string("error");
    case ProbeVerdict::interrupted: return fmt::format("interrupted: {} hits not sent", r.not_run);
    case ProbeVerdict::dry_run:
      return fmt::format("dry run: {} of {} hits would get through; nothing was sent", r.allowed, r.plan.hits);
  }
  return {};
}

output::Tone verdict_tone(ProbeVerdict v) {
  switch (v) {
    case ProbeVerdict::pass: return output::Tone::good;
    case ProbeVerdict::dry_run: return output::Tone::plain;
    case ProbeVerdict::inconclusive:
    case ProbeVerdict::interrupted: return output::Tone::warn;
    default: return output::Tone::bad;
  }
}

}  // namespace

output::Document render_probe(const ProbeReport& report) {
  output::Document doc;
  Json probes = Json::array();
  output::Table t;
  t.columns = {"KEY", "LIMIT", "STRATEGY", "HITS", "CONNS", "EXPECTED", "ALLOWED", "DENIED", "UNKNOWN", "VERDICT"};
  t.numeric = {false, false, false, true, true, true, true, true, true, false};
  for (const auto& r : report.probes) {
    const auto& p = r.plan;
    bool forever = r.stable_ms == std::numeric_limits<std::int64_t>::max();
    Json after = nullptr;
    if (r.usage_after)
      after = {{"used", r.usage_after->used ? Json(*r.usage_after->used) : Json(nullptr)},
               {"remaining", r.usage_after->remaining ? Json(*r.usage_after->remaining) : Json(nullptr)},
               {"reset_in_ms", r.usage_after->reset_in_ms ? Json(*r.usage_after->reset_in_ms) : Json(nullptr)}};
    probes.push_back({{"key", decode::json_bytes(p.key)},
                      {"previous_key", p.previous_key.empty() ? Json(nullptr) : decode::json_bytes(p.previous_key)},
                      {"scratch", p.scratch},
                      {"strategy", to_string(p.strategy)},
                      {"limit",
                       {{"amount", p.limit.amount},
                        {"multiples", p.limit.multiples},
                        {"granularity", to_string(p.limit.granularity)},
                        {"window_seconds", p.limit.window_seconds()},
                        {"text", p.limit.text()}}},
                      {"node", r.node},
                      {"hits", p.hits},
                      {"connections", r.connections},
                      {"remaining_before", r.remaining_before ? Json(*r.remaining_before) : Json(nullptr)},
                      {"stable_ms", forever ? Json(nullptr) : Json(r.stable_ms)},
                      {"expected_allowed", r.expected_allowed},
                      {"allowed", r.allowed},
                      {"denied", r.denied},
                      {"unknown", r.unknown},
                      {"not_run", r.not_run},
                      {"resent_eval", r.resent_eval},
                      {"rerouted", r.rerouted},
                      {"elapsed_ms", std::round(r.elapsed_ms * 1000) / 1000},
                      {"after", after},
                      {"verdict", to_string(r.verdict)},
                      {"message", verdict_text(r)},
                      {"error", r.error ? Json{{"kind", rctl::to_string(r.error->kind)}, {"message", r.error->message}}
                                        : Json(nullptr)},
                      {"cleanup", p.scratch ? Json(r.cleanup) : Json(nullptr)}});
    t.rows.push_back({p.key, p.limit.text(), to_string(p.strategy), util::format_count(p.hits),
                      std::to_string(r.connections), util::format_count(r.expected_allowed),
                      util::format_count(r.allowed), util::format_count(r.denied), util::format_count(r.unknown),
                      output::Cell(to_string(r.verdict), verdict_tone(r.verdict))});
  }
  doc.json = {{"target", report.target},
              {"dry_run", report.dry_run},
              {"interrupted", report.interrupted},
              {"passed", report.passed()},
              {"probes", probes}};
  doc.blocks.emplace_back(std::move(t));
  for (const auto& r : report.probes) {
    doc.blocks.emplace_back(output::Text{verdict_text(r), verdict_tone(r.verdict)});
    std::string details =
        fmt::format("{} on {}, {} over {} connection(s)", r.plan.scratch ? "scratch key" : "the application's key",
                    r.node, elapsed_text(r.elapsed_ms), r.connections);
    if (r.usage_after && r.usage_after->remaining)
      details += fmt::format("; {} remaining after", *r.usage_after->remaining);
    if (r.resent_eval) details += fmt::format("; {} sent again as EVAL (NOSCRIPT)", r.resent_eval);
    if (r.rerouted) details += fmt::format("; {} rerouted (MOVED/ASK)", r.rerouted);
    if (r.plan.scratch && !report.dry_run) details += "; scratch key " + r.cleanup;
    if (!report.dry_run) doc.blocks.emplace_back(output::Text{details, output::Tone::dim});
  }
  return doc;
}

}  // namespace rctl::ratelimit
