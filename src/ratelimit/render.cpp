// Documents for `ratelimit list`, `show` and `reset`.

#include "ratelimit/render.hpp"
#include "output/render_helpers.hpp"
#include "decode/bytes.hpp"
#include "ratelimit/ratelimit.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

namespace rctl::ratelimit {

namespace {

using Json = nlohmann::ordered_json;

using output::number_or_null;
using output::round3;

Json limit_json(const std::optional<LimitItem>& l) {
  if (!l) return nullptr;
  return {{"amount", l->amount},
          {"multiples", l->multiples},
          {"granularity", to_string(l->granularity)},
          {"window_seconds", l->window_seconds()},
          {"text", l->text()}};
}

// "2026-11-22T03:12:29.967Z"
std::string iso_time(double unix_seconds) {
  if (!std::isfinite(unix_seconds)) return "-";
  auto whole = static_cast<std::time_t>(std::floor(unix_seconds));
  auto ms = static_cast<int>(std::floor((unix_seconds - static_cast<double>(whole)) * 1000.0));
  std::tm tm{};
  gmtime_r(&whole, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

std::string ms_text(const std::optional<std::int64_t>& ms) {
  return ms ? util::format_duration(util::Millis(*ms)) : std::string("-");
}

std::string limit_text(const Limiter& l) { return l.limit ? l.limit->text() : std::string("-"); }

std::string count_text(const std::optional<std::int64_t>& n) { return n ? util::format_count(*n) : std::string("-"); }

output::Cell remaining_cell(const Limiter& l) {
  if (!l.usage.remaining) return output::Cell("-", output::Tone::dim);
  return output::Cell(util::format_count(*l.usage.remaining),
                      *l.usage.remaining == 0 ? output::Tone::bad : output::Tone::plain);
}

Json limiter_json(const Limiter& l) {
  bool limits = l.layout == LimiterLayout::limits || l.layout == LimiterLayout::limits_prefixed ||
                l.layout == LimiterLayout::limits_sliding;
  const auto& u = l.usage;
  return {{"key", decode::json_bytes(l.key)},
          {"previous_key", l.previous_key.empty() ? Json(nullptr) : decode::json_bytes(l.previous_key)},
          {"layout", to_string(l.layout)},
          {"strategy", to_string(l.strategy)},
          {"identity", limits ? decode::json_bytes(l.identity) : Json(nullptr)},
          {"scope", limits ? decode::json_bytes(l.scope) : Json(nullptr)},
          {"limit", limit_json(l.limit)},
          {"limit_source", !l.limit ? Json(nullptr) : Json(l.limit_from_key ? "key" : "--limit")},
          {"max_burst", number_or_null(l.max_burst)},
          {"used", number_or_null(u.used)},
          {"remaining", number_or_null(u.remaining)},
          {"reset_at", u.reset_at ? Json(round3(*u.reset_at)) : Json(nullptr)},
          {"reset_in_ms", number_or_null(u.reset_in_ms)},
          {"retry_after_ms", number_or_null(u.retry_after_ms)},
          {"ttl_ms", l.ttl_ms >= 0 ? Json(l.ttl_ms) : Json(nullptr)},
          {"node", l.node}};
}

std::string who_text(const Limiter& l) {
  bool limits = l.layout == LimiterLayout::limits || l.layout == LimiterLayout::limits_prefixed ||
                l.layout == LimiterLayout::limits_sliding;
  return limits ? l.identity : std::string("-");
}

}  // namespace

output::Document render_list(const ListReport& r) {
  output::Document doc;
  Json rows = Json::array();
  output::Table t;
  t.columns = {"IDENTITY", "SCOPE", "LIMIT", "STRATEGY", "USED", "REMAINING", "RESETS IN", "KEY"};
  t.numeric = {false, false, false, false, true, true, true, false};
  for (const auto& l : r.limiters) {
    rows.push_back(limiter_json(l));
    bool limits = l.layout == LimiterLayout::limits || l.layout == LimiterLayout::limits_prefixed ||
                  l.layout == LimiterLayout::limits_sliding;
    t.rows.push_back({who_text(l), limits ? l.scope : std::string("-"), limit_text(l), to_string(l.strategy),
                      count_text(l.usage.used), remaining_cell(l), ms_text(l.usage.reset_in_ms), l.key});
  }
  Json nodes = Json::array();
  for (const auto& n : r.nodes)
    nodes.push_back({{"address", n.address},
                     {"scan_calls", n.scan_calls},
                     {"keys_seen", n.keys_seen},
                     {"complete", n.complete},
                     {"error", n.error ? Json{{"kind", rctl::to_string(n.error->kind)}, {"message", n.error->message}}
                                       : Json(nullptr)}});
  doc.json = {{"target", r.target},
              {"pattern", decode::json_bytes(r.pattern)},
              {"client", r.client ? decode::json_bytes(*r.client) : Json(nullptr)},
              {"keys_seen", r.keys_seen()},
              {"skipped", r.skipped},
              {"limiters_total", r.limiters_total},
              {"count", r.limiters.size()},
              {"truncated", r.truncated},
              {"interrupted", r.interrupted},
              {"seconds", round3(r.seconds)},
              {"nodes", nodes},
              {"limiters", rows}};
  doc.blocks.emplace_back(std::move(t));
  auto summary =
      fmt::format("{} limiter{}{}; {} key{} matched {} on {} primar{}",
                  util::format_count(static_cast<std::int64_t>(r.limiters_total)), r.limiters_total == 1 ? "" : "s",
                  r.truncated ? fmt::format(" ({} most used shown; raise --max for more)", r.limiters.size()) : "",
                  util::format_count(static_cast<std::int64_t>(r.keys_seen())), r.keys_seen() == 1 ? "" : "s",
                  r.pattern, r.nodes.size(), r.nodes.size() == 1 ? "y" : "ies");
  if (r.skipped) summary += fmt::format(", {} not limiters", util::format_count(static_cast<std::int64_t>(r.skipped)));
  doc.blocks.emplace_back(output::Text{summary, output::Tone::dim, false, true});  // quotes a glob
  return doc;
}

output::Document render_show(const Limiter& l) {
  output::Document doc;
  doc.json = limiter_json(l);
  const auto& u = l.usage;
  Json state = Json::object();
  if (l.count && l.strategy == LimiterStrategy::fixed_window) state["count"] = *l.count;
  if (l.sliding)
    state = {{"previous_count", l.sliding->previous_count},
             {"previous_ttl_ms", l.sliding->previous_pttl_ms >= 0 ? Json(l.sliding->previous_pttl_ms) : Json(nullptr)},
             {"current_count", l.sliding->current_count},
             {"current_ttl_ms", l.sliding->current_pttl_ms >= 0 ? Json(l.sliding->current_pttl_ms) : Json(nullptr)}};
  if (l.tat_ns) state["tat_ns"] = *l.tat_ns;
  doc.json["state"] = state;
  bool log = l.strategy == LimiterStrategy::moving_window || l.strategy == LimiterStrategy::sliding_log;
  if (log) {
    Json entries = Json::array();
    for (const auto& e : l.entries)
      entries.push_back({{"value", decode::json_bytes(e.value)},
                         {"timestamp", std::isfinite(e.timestamp) ? Json(e.timestamp) : Json(nullptr)},
                         {"in_window", e.in_window}});
    doc.json["entries_total"] = l.entries_total;
    doc.json["entries_truncated"] = static_cast<std::int64_t>(l.entries.size()) < l.entries_total;
    doc.json["entries"] = entries;
  }

  output::Fields f;
  f.title = l.key;
  if (!l.previous_key.empty()) f.add("previous window", l.previous_key);
  f.add("layout", fmt::format("{} ({})", to_string(l.layout), to_string(l.strategy)));
  if (!who_text(l).empty() && who_text(l) != "-") f.add("identity", l.identity);
  if (!l.scope.empty()) f.add("scope", l.scope);
  f.add("limit", l.limit ? fmt::format("{} (from {})", l.limit->text(), l.limit_from_key ? "the key" : "--limit")
                         : std::string("unknown: pass --limit"));
  if (l.max_burst) f.add("max burst", std::to_string(*l.max_burst));
  f.add("used", count_text(u.used));
  f.add("remaining", remaining_cell(l));
  if (u.reset_at) f.add("resets", fmt::format("in {} ({})", ms_text(u.reset_in_ms), iso_time(*u.reset_at)));
  if (u.remaining)
    f.add("next hit", !u.retry_after_ms ? output::Cell("never (nothing frees the limit)", output::Tone::bad)
                      : *u.retry_after_ms == 0
                          ? output::Cell("allowed now", output::Tone::good)
                          : output::Cell(fmt::format("allowed in {}", ms_text(u.retry_after_ms)), output::Tone::warn));
  f.add("ttl", l.ttl_ms >= 0 ? ms_text(l.ttl_ms) : std::string(l.ttl_ms == -1 ? "none" : "-"));
  f.add("node", l.node);
  doc.blocks.emplace_back(std::move(f));

  if (l.sliding) {
    output::Table t;
    t.title = "Windows";
    t.columns = {"WINDOW", "COUNT", "TTL"};
    t.numeric = {false, true, true};
    auto ttl = [](std::int64_t ms) { return ms >= 0 ? util::format_duration(util::Millis(ms)) : std::string("-"); };
    t.rows.push_back({"previous", util::format_count(l.sliding->previous_count), ttl(l.sliding->previous_pttl_ms)});
    t.rows.push_back({"current", util::format_count(l.sliding->current_count), ttl(l.sliding->current_pttl_ms)});
    doc.blocks.emplace_back(std::move(t));
  }
  if (log) {
    output::Table t;
    t.title = "Entries (newest first)";
    t.columns = {l.strategy == LimiterStrategy::sliding_log ? "MEMBER" : "VALUE", "TIME", "IN WINDOW"};
    for (const auto& e : l.entries)
      t.rows.push_back(
          {e.value, iso_time(e.timestamp),
           output::Cell(e.in_window ? "yes" : "no", e.in_window ? output::Tone::plain : output::Tone::dim)});
    doc.blocks.emplace_back(std::move(t));
    if (static_cast<std::int64_t>(l.entries.size()) < l.entries_total)
      doc.blocks.emplace_back(output::Text{
          fmt::format("... {} of {} entries shown (--entries)", l.entries.size(), l.entries_total), output::Tone::dim});
  }
  return doc;
}

output::Document render_reset(const ResetReport& r) {
  output::Document doc;
  Json rows = Json::array();
  output::Table t;
  t.columns = {"KEY", "IDENTITY", "SCOPE", "LIMIT", "USED"};
  t.numeric = {false, false, false, false, true};
  for (const auto& l : r.limiters) {
    rows.push_back(limiter_json(l));
    t.rows.push_back(
        {l.key, who_text(l), l.scope.empty() ? std::string("-") : l.scope, limit_text(l), count_text(l.usage.used)});
  }
  Json missing = Json::array();
  for (const auto& k : r.missing) missing.push_back(decode::json_bytes(k));
  auto keys = limiter_keys(r.limiters);
  doc.json = {{"target", r.target},
              {"dry_run", r.dry_run},
              {"client", r.client ? decode::json_bytes(*r.client) : Json(nullptr)},
              {"limiters_count", r.limiters.size()},
              {"keys_count", keys.size()},
              {"keys_deleted", r.keys_deleted},
              {"outcome_unknown", r.outcome_unknown},
              {"missing", missing},
              {"limiters", rows}};
  doc.blocks.emplace_back(std::move(t));
  std::string text = r.dry_run ? fmt::format("dry run: would delete {} key(s) of {} limiter(s); nothing deleted",
                                             keys.size(), r.limiters.size())
                               : fmt::format("deleted {} key(s) of {} limiter(s)", r.keys_deleted, r.limiters.size());
  if (!r.missing.empty()) text += fmt::format("; {} named key(s) did not exist", r.missing.size());
  doc.blocks.emplace_back(output::Text{text, r.dry_run ? output::Tone::dim : output::Tone::good});
  return doc;
}

}  // namespace rctl::ratelimit
