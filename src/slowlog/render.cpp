// Slow log as JSON (the contract) and as tables for people.

#include "slowlog/render.hpp"

#include "decode/bytes.hpp"
#include "output/render_helpers.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace rctl::slowlog {

namespace {

using Json = nlohmann::ordered_json;

std::string slowlog_iso(std::int64_t unix_s) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(static_cast<std::time_t>(unix_s)));
}

Json slowlog_error_json(const std::optional<Error>& e) {
  if (!e) return nullptr;
  return {{"kind", rctl::to_string(e->kind)}, {"message", e->message}, {"hint", e->hint}};
}

// Microseconds for people: "850us", "12.4ms", "1.50s".
std::string micros_text(double us) {
  if (us < 1000) return fmt::format("{:.0f}us", us);
  if (us < 1'000'000) return fmt::format("{:.1f}ms", us / 1000);
  return fmt::format("{:.2f}s", us / 1'000'000);
}

Json entry_json(const Entry& e) {
  Json args = Json::array();
  for (const auto& a : e.args) args.push_back(decode::json_bytes(a));
  return {{"node", e.node},
          {"id", e.id},
          {"time", slowlog_iso(e.time_s)},
          {"timestamp_s", e.time_s},
          {"duration_us", e.duration_us},
          {"command", e.args.empty() ? Json(nullptr) : decode::json_bytes(util::to_lower(e.args[0]))},
          {"args", std::move(args)},
          {"client_addr", output::text_or_null(e.client_addr)},
          {"client_name", output::text_or_null(e.client_name)}};
}

Json entries_json(const std::vector<Entry>& entries) {
  Json out = Json::array();
  for (const auto& e : entries) out.push_back(entry_json(e));
  return out;
}

output::Table entries_table(const std::vector<Entry>& entries, bool full, std::string title) {
  output::Table t;
  t.title = std::move(title);
  t.columns = {"TIME (UTC)", "NODE", "DURATION", "COMMAND", "CLIENT", "NAME"};
  t.numeric = {false, false, true, false, false, false};
  for (const auto& e : entries)
    t.rows.push_back({slowlog_iso(e.time_s), e.node, micros_text(static_cast<double>(e.duration_us)),
                      command_text(e, full), e.client_addr, e.client_name});
  return t;
}

}  // namespace

output::Document render_report(const Report& r, const RenderOptions& options) {
  output::Document doc;
  auto groups = group_by_command(r.entries);
  Json nodes = Json::array();
  for (const auto& n : r.nodes)
    nodes.push_back({{"address", n.address},
                     {"role", n.role},
                     {"error", slowlog_error_json(n.error)},
                     {"entries_read", n.entries_read},
                     {"latency_error", slowlog_error_json(n.latency_error)},
                     {"reset", n.reset},
                     {"reset_error", slowlog_error_json(n.reset_error)}});
  Json groups_json = Json::array();
  for (const auto& g : groups)
    groups_json.push_back({{"command", decode::json_bytes(g.command)},
                           {"count", g.count},
                           {"total_us", g.total_us},
                           {"p99_us", g.p99_us},
                           {"max_us", g.max_us},
                           {"nodes", g.nodes}});
  Json latency = Json::array();
  for (const auto& l : r.latency)
    latency.push_back({{"node", l.node},
                       {"event", decode::json_bytes(l.name)},
                       {"time", slowlog_iso(l.time_s)},
                       {"timestamp_s", l.time_s},
                       {"latest_ms", l.latest_ms},
                       {"max_ms", l.max_ms}});
  doc.json = {{"target", r.target},
              {"cluster", r.cluster},
              {"sampled_at", slowlog_iso(std::chrono::system_clock::to_time_t(r.taken))},
              {"nodes", std::move(nodes)},
              {"entries", entries_json(r.entries)},
              {"groups", std::move(groups_json)},
              {"latency_events", std::move(latency)}};

  output::Fields summary;
  summary.add("target", r.target);
  std::size_t answered = 0;
  for (const auto& n : r.nodes) answered += n.error ? 0 : 1;
  summary.add("nodes", fmt::format("{} of {} answered SLOWLOG", answered, r.nodes.size()));
  summary.add("entries", util::format_count(static_cast<std::int64_t>(r.entries.size())));
  doc.blocks.emplace_back(std::move(summary));

  if (options.group) {
    output::Table t;
    t.title = "Slow commands by name";
    t.columns = {"COMMAND", "COUNT", "TOTAL", "P99", "MAX", "NODES"};
    t.numeric = {false, true, true, true, true, true};
    for (const auto& g : groups)
      t.rows.push_back({g.command, util::format_count(g.count), micros_text(static_cast<double>(g.total_us)),
                        micros_text(g.p99_us), micros_text(static_cast<double>(g.max_us)), std::to_string(g.nodes)});
    if (t.rows.empty()) doc.blocks.emplace_back(output::Text{"No slow log entries.", output::Tone::dim});
    else doc.blocks.emplace_back(std::move(t));
  } else if (r.entries.empty()) {
    doc.blocks.emplace_back(output::Text{"No slow log entries.", output::Tone::dim});
  } else {
    doc.blocks.emplace_back(entries_table(r.entries, options.full, "Slow log"));
  }

  if (!r.latency.empty()) {
    output::Table t;
    t.title = "Latency monitor (LATENCY LATEST)";
    t.columns = {"NODE", "EVENT", "LATEST (UTC)", "LATEST MS", "MAX MS"};
    t.numeric = {false, false, false, true, true};
    for (const auto& l : r.latency)
      t.rows.push_back({l.node, l.name, slowlog_iso(l.time_s), std::to_string(l.latest_ms), std::to_string(l.max_ms)});
    doc.blocks.emplace_back(std::move(t));
  }

  output::Table problems;
  problems.title = "Nodes with problems";
  problems.columns = {"NODE", "ROLE", "PROBLEM"};
  problems.numeric = {false, false, false};
  for (const auto& n : r.nodes) {
    if (n.error) problems.rows.push_back({n.address, n.role, output::Cell(n.error->message, output::Tone::bad)});
    if (n.latency_error)
      problems.rows.push_back({n.address, n.role, output::Cell(n.latency_error->message, output::Tone::warn)});
    if (n.reset_error)
      problems.rows.push_back({n.address, n.role, output::Cell(n.reset_error->message, output::Tone::bad)});
  }
  if (!problems.rows.empty()) doc.blocks.emplace_back(std::move(problems));
  std::size_t reset = 0;
  for (const auto& n : r.nodes) reset += n.reset ? 1 : 0;
  if (reset)
    doc.blocks.emplace_back(output::Text{fmt::format("Slow log reset on {} node(s).", reset), output::Tone::dim});
  return doc;
}

output::Document render_poll(const WatchPoll& poll, std::chrono::system_clock::time_point at,
                             const RenderOptions& options) {
  output::Document doc;
  auto missed = Json::object();
  for (const auto& [node, count] : poll.missed) missed[node] = count;
  auto failed = Json::array();
  for (const auto& n : poll.failed) failed.push_back({{"node", n.address}, {"error", slowlog_error_json(n.error)}});
  doc.json = {{"time", slowlog_iso(std::chrono::system_clock::to_time_t(at))},
              {"entries", entries_json(poll.entries)},
              {"missed", std::move(missed)},
              {"failed_nodes", std::move(failed)},
              {"recovered_nodes", poll.recovered}};
  doc.blocks.emplace_back(entries_table(poll.entries, options.full, ""));
  return doc;
}

}  // namespace rctl::slowlog
