// Documents for `session list`, `show`, `stats` and `revoke`: the JSON contract (README
// "rctl session") and the tables people read.

#include "session/render.hpp"
#include "output/render_helpers.hpp"
#include "decode/bytes.hpp"
#include "session/session.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <cmath>

namespace rctl::session {

namespace {

using Json = nlohmann::ordered_json;
using output::Cell;
using output::Tone;

using output::ttl_text;
// A TTL in JSON: milliseconds, or null for a key that does not expire.
Json ttl_json(const std::optional<std::int64_t>& ttl_ms) { return output::number_or_null(ttl_ms); }

std::string count_text(std::uint64_t n) { return util::format_count(static_cast<std::int64_t>(n)); }

std::string bytes_text(std::uint64_t n) { return util::format_bytes(static_cast<std::int64_t>(n)); }

// A last-activity value for a table cell: strings as they are, numbers and others as JSON.
std::string activity_text(const std::optional<Json>& v) {
  if (!v) return "-";
  if (v->is_string()) return v->get<std::string>();
  return v->dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json summary_json(const SessionSummary& s) {
  return {{"id", decode::json_bytes(s.id)},
          {"key", decode::json_bytes(s.key)},
          {"node", s.node},
          {"ttl_ms", ttl_json(s.ttl_ms)},
          {"size_bytes", s.size_bytes},
          {"format", decode::to_string(s.format)},
          {"store", to_string(s.store)},
          {"user", s.user ? Json(s.user->id) : Json(nullptr)},
          {"user_field", s.user ? Json(s.user->field) : Json(nullptr)},
          {"last_activity", s.last_activity ? *s.last_activity : Json(nullptr)}};
}

Json scan_json(const SessionScanReport& r) {
  Json nodes = Json::array();
  for (const auto& n : r.nodes)
    nodes.push_back({{"address", n.address},
                     {"scan_calls", n.scan_calls},
                     {"keys", n.keys},
                     {"sessions", n.sessions},
                     {"not_strings", n.not_strings},
                     {"vanished", n.vanished},
                     {"complete", n.complete},
                     {"cursor", n.cursor},
                     {"error", output::error_or_null(n.error)}});
  Json prefixes = Json::array();
  for (const auto& p : r.prefixes) prefixes.push_back(decode::json_bytes(p));
  return {{"pattern", decode::json_bytes(r.pattern)},
          {"prefixes", prefixes},
          {"complete", r.complete()},
          {"interrupted", r.interrupted},
          {"keys", r.keys()},
          {"sessions", r.sessions()},
          {"scan_calls", r.scan_calls()},
          {"seconds", std::round(r.seconds * 1000) / 1000},
          {"nodes", nodes}};
}

// A dim line saying what was scanned, and a warning line when the scan was incomplete.
void add_scan_footer(output::Document& doc, const SessionScanReport& r, const std::string& lead) {
  doc.blocks.emplace_back(output::Text{
      fmt::format("{}; scanned {} on {} primar{} ({} key{}, {:.2f}s)", lead, r.pattern, r.nodes.size(),
                  r.nodes.size() == 1 ? "y" : "ies", count_text(r.keys()), r.keys() == 1 ? "" : "s", r.seconds),
      Tone::dim, false, true});  // quotes a glob
  for (const auto& n : r.nodes)
    if (n.error)
      doc.blocks.emplace_back(output::Text{fmt::format("incomplete: {}: {}", n.address, n.error->message), Tone::bad});
  if (r.interrupted) doc.blocks.emplace_back(output::Text{"interrupted: partial results", Tone::warn});
}

std::vector<Cell> summary_row(const SessionSummary& s) {
  return {s.id,
          s.user ? Cell(s.user->id) : Cell("-", Tone::dim),
          ttl_text(s.ttl_ms),
          bytes_text(s.size_bytes),
          decode::to_string(s.format),
          to_string(s.store),
          activity_text(s.last_activity),
          s.node};
}

const char* sort_name(SessionSort s) {
  switch (s) {
    case SessionSort::ttl: return "ttl";
    case SessionSort::size: return "size";
    case SessionSort::id: return "id";
  }
  return "id";
}

}  // namespace

output::Document render_session_list(const SessionListing& l) {
  output::Document doc;
  Json sessions = Json::array();
  output::Table t;
  t.columns = {"ID", "USER", "TTL", "SIZE", "FORMAT", "STORE", "LAST ACTIVITY", "NODE"};
  t.numeric = {false, false, true, true, false, false, false, false};
  for (const auto& s : l.sessions) {
    sessions.push_back(summary_json(s));
    t.rows.push_back(summary_row(s));
  }
  doc.json = {{"sort", sort_name(l.options.sort)},
              {"limit", l.options.limit},
              {"user_filter", l.options.user ? Json(*l.options.user) : Json(nullptr)},
              {"count", l.sessions.size()},
              {"matched", l.matched},
              {"truncated", l.truncated()},
              {"complete", l.scan.complete()},
              {"sessions", sessions},
              {"scan", scan_json(l.scan)}};
  doc.blocks.emplace_back(std::move(t));
  std::string lead = fmt::format("{} session{}", count_text(l.matched), l.matched == 1 ? "" : "s");
  if (l.options.user) lead += fmt::format(" of user {}", decode::escape_for_terminal(*l.options.user));
  if (l.truncated()) lead += fmt::format(", {} shown (--limit)", l.sessions.size());
  lead += fmt::format(", sorted by {}", sort_name(l.options.sort));
  add_scan_footer(doc, l.scan, lead);
  return doc;
}

output::Document render_session_show(const SessionLookup& lookup) {
  output::Document doc;
  const auto& d = lookup.found.front();
  const auto& s = d.summary;
  Json masked = Json::array();
  for (const auto& m : d.masked) masked.push_back(m);
  Json also = Json::array();
  for (std::size_t i = 1; i < lookup.found.size(); ++i) also.push_back(decode::json_bytes(lookup.found[i].summary.key));
  doc.json = summary_json(s);
  doc.json["compressed"] = d.compressed;
  doc.json["note"] = d.note;
  doc.json["cookie"] =
      lookup.cookie ? Json{{"signed", lookup.cookie->signed_cookie}, {"signature_valid", lookup.cookie->signed_cookie}}
                    : Json(nullptr);
  doc.json["revealed"] = d.revealed;
  doc.json["masked"] = masked;
  doc.json["also_found"] = also;
  doc.json["data"] = d.data;

  output::Fields f;
  f.title = "session " + s.id;
  f.add("key", s.key);
  f.add("store", to_string(s.store));
  f.add("format", d.note.empty() ? std::string(decode::to_string(s.format))
                                 : fmt::format("{} ({})", decode::to_string(s.format), d.note));
  f.add("ttl", s.ttl_ms ? fmt::format("{} ({} ms)", ttl_text(s.ttl_ms), *s.ttl_ms) : "none (no expiry)");
  f.add("size", bytes_text(s.size_bytes));
  f.add("user", s.user ? fmt::format("{} (from {})", s.user->id, s.user->field) : "-");
  if (s.last_activity) f.add("last activity", activity_text(s.last_activity));
  f.add("node", s.node);
  if (lookup.cookie)
    f.add("cookie", lookup.cookie->signed_cookie ? Cell("signed, signature valid", Tone::good)
                                                 : Cell("unsigned (bare session id)"));
  if (!d.masked.empty())
    f.add("masked", Cell(fmt::format("{} (--reveal to show)", util::join(d.masked, ", ")), Tone::warn));
  else if (d.revealed) f.add("masked", Cell("nothing (--reveal)", Tone::warn));
  doc.blocks.emplace_back(std::move(f));
  bool text = s.format == decode::Format::utf8_text && d.data.is_string();
  doc.blocks.emplace_back(
      output::Text{text ? d.data.get<std::string>() : d.data.dump(2, ' ', false, Json::error_handler_t::replace),
                   Tone::plain, true, !text});
  if (lookup.found.size() > 1) {
    std::vector<std::string> keys;
    for (std::size_t i = 1; i < lookup.found.size(); ++i) keys.push_back(lookup.found[i].summary.key);
    doc.blocks.emplace_back(output::Text{"the same id also exists as: " + util::join(keys, ", "), Tone::warn});
  }
  return doc;
}

output::Document render_session_stats(const SessionStatsReport& r) {
  output::Document doc;
  const double n = static_cast<double>(std::max<std::uint64_t>(1, r.sessions));
  auto share = [&](std::uint64_t k) { return fmt::format("{:.1f}%", 100.0 * static_cast<double>(k) / n); };

  Json ttl = Json::array();
  output::Table tt;
  tt.title = "TTL";
  tt.columns = {"REMAINING", "SESSIONS", "SHARE"};
  tt.numeric = {false, true, true};
  for (const auto& b : r.ttl.buckets()) {
    ttl.push_back({{"range", b.label},
                   {"min_ms", b.from_ms ? Json(*b.from_ms) : Json(nullptr)},
                   {"max_ms", b.to_ms ? Json(*b.to_ms) : Json(nullptr)},
                   {"sessions", b.count}});
    tt.rows.push_back({b.label, count_text(b.count), share(b.count)});
  }

  const auto& z = r.sizes;
  Json sizes{{"min", z.min()},
             {"p50", z.percentile(0.50)},
             {"p90", z.percentile(0.90)},
             {"p99", z.percentile(0.99)},
             {"max", z.max()},
             {"total", z.total()},
             {"percentile_max_error_ratio", 1.0 / k_size_buckets_per_octave}};

  auto counts = [&](const std::map<std::string, std::uint64_t>& m, const char* title, const char* column, Json& out) {
    output::Table t;
    t.title = title;
    t.columns = {column, "SESSIONS", "SHARE"};
    t.numeric = {false, true, true};
    out = Json::object();
    for (const auto& [name, k] : m) {
      out[name] = k;
      t.rows.push_back({name, count_text(k), share(k)});
    }
    return t;
  };
  Json formats, stores;
  auto format_table = counts(r.formats, "Formats", "FORMAT", formats);
  auto store_table = counts(r.stores, "Stores", "STORE", stores);

  Json top = Json::array();
  output::Table ut;
  ut.title = fmt::format("Top users (of {} with a user)", count_text(r.users.total()));
  ut.columns = {"USER", "SESSIONS", "SHARE"};
  ut.numeric = {false, true, true};
  std::uint64_t in_top = 0;
  for (const auto& e : r.users.top(r.top)) {
    in_top += e.sessions;
    top.push_back({{"user", e.user}, {"sessions", e.sessions}, {"overcount", e.overcount}});
    ut.rows.push_back({e.user,
                       e.overcount ? fmt::format("{} (-{} at most)", count_text(e.sessions), count_text(e.overcount))
                                   : count_text(e.sessions),
                       share(e.sessions)});
  }
  const std::uint64_t others = r.users.total() > in_top ? r.users.total() - in_top : 0;
  if (others > 0) ut.rows.push_back({Cell("(others)", Tone::dim), count_text(others), share(others)});
  Json users{{"with_user", r.users.total()},
             {"anonymous", r.anonymous},
             {"distinct", r.users.distinct()},
             {"distinct_exact", r.users.exact()},
             {"top", top},
             {"others_sessions", others}};

  doc.json = {{"sessions", r.sessions}, {"complete", r.scan.complete()},
              {"ttl_histogram", ttl},   {"size_bytes", sizes},
              {"formats", formats},     {"stores", stores},
              {"users", users},         {"scan", scan_json(r.scan)}};

  output::Fields f;
  f.add("sessions", Cell(count_text(r.sessions), Tone::strong));
  f.add("with a user", fmt::format("{} ({} distinct{})", count_text(r.users.total()), count_text(r.users.distinct()),
                                   r.users.exact() ? "" : "+, counts approximate"));
  f.add("without a user", count_text(r.anonymous));
  f.add("size", r.sessions ? fmt::format("min {}, p50 {}, p90 {}, p99 {}, max {}, total {}", bytes_text(z.min()),
                                         bytes_text(z.percentile(0.5)), bytes_text(z.percentile(0.9)),
                                         bytes_text(z.percentile(0.99)), bytes_text(z.max()), bytes_text(z.total()))
                           : std::string("-"));
  doc.blocks.emplace_back(std::move(f));
  doc.blocks.emplace_back(std::move(tt));
  doc.blocks.emplace_back(std::move(format_table));
  doc.blocks.emplace_back(std::move(store_table));
  if (!ut.rows.empty()) doc.blocks.emplace_back(std::move(ut));
  add_scan_footer(doc, r.scan, fmt::format("{} sessions", count_text(r.sessions)));
  return doc;
}

output::Document render_session_revoke(const RevokeReport& r) {
  output::Document doc;
  Json sessions = Json::array();
  output::Table t;
  t.columns = {"ID", "USER", "TTL", "SIZE", "STORE", "OUTCOME", "NODE"};
  t.numeric = {false, false, true, true, false, false, false};
  for (const auto& s : r.sessions) {
    Json j = summary_json(s.summary);
    j["outcome"] = to_string(s.outcome);
    sessions.push_back(std::move(j));
    auto tone = s.outcome == RevokeOutcome::deleted   ? Tone::good
                : s.outcome == RevokeOutcome::changed ? Tone::warn
                                                      : Tone::plain;
    t.rows.push_back({s.summary.id, s.summary.user ? Cell(s.summary.user->id) : Cell("-", Tone::dim),
                      ttl_text(s.summary.ttl_ms), bytes_text(s.summary.size_bytes), to_string(s.summary.store),
                      Cell(to_string(s.outcome), tone), s.summary.node});
  }
  Json sids = Json::array(), missing = Json::array();
  for (const auto& s : r.sids) sids.push_back(decode::json_bytes(s));
  for (const auto& s : r.missing_sids) missing.push_back(decode::json_bytes(s));
  doc.json = {{"user", r.user ? Json(*r.user) : Json(nullptr)},
              {"sids", sids},
              {"missing_sids", missing},
              {"dry_run", r.dry_run},
              {"found", r.found},
              {"deleted", r.deleted},
              {"outcome_unknown", r.outcome_unknown},
              {"changed", r.changed},
              {"gone", r.gone},
              {"interrupted", r.interrupted},
              {"error", output::error_or_null(r.error)},
              {"listed", r.sessions.size()},
              {"sessions", sessions},
              {"scan", r.scan ? scan_json(*r.scan) : Json(nullptr)}};

  output::Fields f;
  if (r.user) f.add("user", *r.user);
  else f.add("sessions", util::join(r.sids, ", "));
  f.add("found", Cell(count_text(r.found), Tone::strong));
  if (r.dry_run) {
    f.add("would delete", Cell(count_text(r.found), Tone::strong));
    f.add("status", Cell("dry run: nothing deleted", Tone::good));
  } else {
    f.add("deleted", Cell(count_text(r.deleted), Tone::strong));
    if (r.outcome_unknown)
      f.add("outcome unknown",
            Cell(fmt::format("{} more (sent, connection lost before the reply)", count_text(r.outcome_unknown)),
                 Tone::warn));
    if (r.changed)
      f.add("kept", Cell(fmt::format("{} (changed owner or kept changing)", count_text(r.changed)), Tone::warn));
    if (r.gone) f.add("already gone", count_text(r.gone));
  }
  if (!r.missing_sids.empty()) f.add("not found", Cell(util::join(r.missing_sids, ", "), Tone::warn));
  if (r.interrupted) f.add("status", Cell(r.deleted ? "interrupted" : "interrupted: nothing deleted", Tone::warn));
  else if (r.error && r.error->kind != ErrorKind::not_found)
    f.add("status", Cell("incomplete: " + r.error->message, Tone::bad));
  doc.blocks.emplace_back(std::move(f));
  if (!t.rows.empty()) doc.blocks.emplace_back(std::move(t));
  if (r.sessions.size() < r.found)
    doc.blocks.emplace_back(
        output::Text{fmt::format("... {} of {} listed", r.sessions.size(), count_text(r.found)), Tone::dim});
  if (r.scan)
    add_scan_footer(doc, *r.scan, fmt::format("{} matching session{}", count_text(r.found), r.found == 1 ? "" : "s"));
  return doc;
}

}  // namespace rctl::session
