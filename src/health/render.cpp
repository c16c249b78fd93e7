// The three faces of a health report: JSON (the contract), a table, and a nagios line.

#include "health/render.hpp"
#include "output/render_helpers.hpp"
#include "decode/bytes.hpp"
#include "health/health.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cmath>

namespace rctl::health {

namespace {

using Json = nlohmann::ordered_json;

using output::round3;

Json optional_int(const server::Info& info, std::string_view key) {
  auto v = info.integer(key);
  return v ? Json(*v) : Json(nullptr);
}

// null where INFO did not say (refused by ACL, or an old server), never an invented "".
Json optional_text(const server::Info& info, std::string_view key) {
  auto v = info.get(key);
  return v ? Json(std::string(*v)) : Json(nullptr);
}

// The negotiated TLS and the server certificate's expiry (null when the server sent none).
Json tls_json(const net::ConnectReport& c) {
  Json j{{"version", c.tls_version}, {"cipher", c.tls_cipher}};
  if (!c.tls_not_after) {
    j["certificate_not_after"] = nullptr;
    j["certificate_expires_in_days"] = nullptr;
    return j;
  }
  j["certificate_not_after"] =
      fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(*c.tls_not_after)));
  j["certificate_expires_in_days"] =
      std::floor(cert_days_left(*c.tls_not_after, std::chrono::system_clock::now()) * 10.0) / 10.0;
  return j;
}

Json check_json(const Check& c) {
  Json j{{"name", c.name}, {"status", to_string(c.level)}, {"message", decode::json_bytes(c.message)}};
  if (!c.node.empty()) j["node"] = c.node;
  return j;
}

Json replication_json(const NodeHealth& n) {
  const auto& i = n.info;
  Json j{{"role", n.role}};
  if (n.role == "replica") {
    j["primary"] = fmt::format("{}:{}", i.get_or("master_host", "?"), i.get_or("master_port", "?"));
    j["link_status"] = std::string(i.get_or("master_link_status", "unknown"));
    j["last_io_seconds"] = optional_int(i, "master_last_io_seconds_ago");
    j["sync_in_progress"] = i.get_or("master_sync_in_progress", "0") == "1";
    j["offset"] = optional_int(i, "slave_repl_offset");
  } else {
    j["connected_replicas"] = optional_int(i, "connected_slaves");
    j["offset"] = optional_int(i, "master_repl_offset");
    Json replicas = Json::array();
    auto primary_offset = i.integer("master_repl_offset").value_or(0);
    for (auto key : i.keys_with_prefix("slave")) {
      if (key.size() < 6 || key[5] < '0' || key[5] > '9') continue;
      auto f = server::parse_kv_list(*i.get(key));
      auto offset = util::parse_int(server::kv_get(f, "offset").value_or("0")).value_or(0);
      replicas.push_back({{"address", fmt::format("{}:{}", server::kv_get(f, "ip").value_or("?"),
                                                  server::kv_get(f, "port").value_or("?"))},
                          {"state", std::string(server::kv_get(f, "state").value_or("unknown"))},
                          {"lag_seconds", util::parse_int(server::kv_get(f, "lag").value_or("0")).value_or(0)},
                          {"offset_lag_bytes", std::max<std::int64_t>(0, primary_offset - offset)}});
    }
    j["replicas"] = replicas;
  }
  return j;
}

Json node_json(const NodeHealth& n) {
  Json j{{"address", n.address},
         {"id", n.id.empty() ? Json(nullptr) : Json(n.id)},
         {"role", n.role},
         {"reachable", n.reachable}};
  if (!n.primary_address.empty()) j["primary_address"] = n.primary_address;
  j["error"] = n.error ? Json{{"kind", rctl::to_string(n.error->kind)}, {"message", n.error->message}} : Json(nullptr);
  if (!n.reachable) {
    j["checks"] = Json::array();
    for (const auto& c : n.checks) j["checks"].push_back(check_json(c));
    return j;
  }
  const auto& h = n.handshake;
  j["connect_ms"] = round3(h.connect.connect_ms);
  j["tls_handshake_ms"] = n.tls ? Json(round3(h.connect.tls_handshake_ms)) : Json(nullptr);
  j["handshake_ms"] = round3(h.handshake_ms);
  j["tls"] = n.tls ? tls_json(h.connect) : Json(nullptr);
  j["protocol"] = h.protocol;
  j["authenticated"] = h.authenticated;
  j["latency_ms"] = {{"samples", n.latency.samples},
                     {"min", round3(n.latency.min_ms)},
                     {"p50", round3(n.latency.p50_ms)},
                     {"p99", round3(n.latency.p99_ms)},
                     {"max", round3(n.latency.max_ms)}};
  const auto& i = n.info;
  j["server"] = {{"version", optional_text(i, "redis_version")},
                 {"mode", optional_text(i, "redis_mode")},
                 {"uptime_seconds", optional_int(i, "uptime_in_seconds")},
                 {"loading", i.empty() ? Json(nullptr) : Json(i.get_or("loading", "0") == "1")}};
  j["replication"] = replication_json(n);
  auto used = i.integer("used_memory");
  auto max = i.integer("maxmemory");
  j["memory"] = {
      {"used_bytes", optional_int(i, "used_memory")},
      {"max_bytes", optional_int(i, "maxmemory")},
      {"used_ratio",
       used && max && *max > 0 ? Json(round3(static_cast<double>(*used) / static_cast<double>(*max))) : Json(nullptr)},
      {"rss_bytes", optional_int(i, "used_memory_rss")},
      {"fragmentation_ratio",
       i.number("mem_fragmentation_ratio") ? Json(*i.number("mem_fragmentation_ratio")) : Json(nullptr)},
      {"policy", optional_text(i, "maxmemory_policy")}};
  j["connected_clients"] = optional_int(i, "connected_clients");
  j["blocked_clients"] = optional_int(i, "blocked_clients");
  j["evicted_keys"] = optional_int(i, "evicted_keys");
  j["rejected_connections"] = optional_int(i, "rejected_connections");
  j["persistence"] = {{"rdb_last_bgsave_status", std::string(i.get_or("rdb_last_bgsave_status", ""))},
                      {"rdb_changes_since_last_save", optional_int(i, "rdb_changes_since_last_save")},
                      {"aof_enabled", i.get_or("aof_enabled", "0") == "1"},
                      {"aof_last_write_status", std::string(i.get_or("aof_last_write_status", ""))}};
  j["checks"] = Json::array();
  for (const auto& c : n.checks) j["checks"].push_back(check_json(c));
  return j;
}

output::Tone tone_for(Level level) {
  switch (level) {
    case Level::ok: return output::Tone::good;
    case Level::warning: return output::Tone::warn;
    case Level::critical: return output::Tone::bad;
  }
  return output::Tone::plain;
}

std::string upper(Level level) {
  switch (level) {
    case Level::ok: return "OK";
    case Level::warning: return "WARNING";
    case Level::critical: return "CRITICAL";
  }
  return "UNKNOWN";
}

Level node_level(const NodeHealth& n) {
  Level l = Level::ok;
  for (const auto& c : n.checks)
    if (static_cast<int>(c.level) > static_cast<int>(l)) l = c.level;
  return l;
}

std::string memory_cell(const server::Info& i) {
  if (!i.integer("used_memory")) return "?";  // INFO refused: unknown, not 0B
  auto used = i.integer("used_memory").value_or(0);
  auto max = i.integer("maxmemory").value_or(0);
  if (max <= 0) return util::format_bytes(used);
  return fmt::format("{} / {}", util::format_bytes(used), util::format_bytes(max));
}

void add_tables(output::Document& doc, const HealthReport& r) {
  output::Fields summary;
  summary.add("status", output::Cell(upper(r.level), tone_for(r.level)));
  summary.add("target", r.target);
  summary.add("provider", r.provider.name);
  summary.add("mode", r.cluster ? "cluster" : "standalone");
  if (r.cluster_summary) {
    const auto& c = *r.cluster_summary;
    summary.add("cluster_state", output::Cell(c.state, c.state == "ok" ? output::Tone::good : output::Tone::bad));
    summary.add("slots", fmt::format("{} of {} served", c.slots_covered, 16384));
    summary.add("nodes", fmt::format("{} known, {} shards", c.known_nodes, c.size));
  }
  summary.add("checked in", fmt::format("{:.0f}ms", r.duration_ms));
  doc.blocks.emplace_back(std::move(summary));

  output::Table nodes;
  nodes.columns = {"NODE", "ROLE", "STATUS", "PING P50", "PING P99", "MEMORY", "CLIENTS", "VERSION"};
  nodes.numeric = {false, false, false, true, true, true, true, false};
  for (const auto& n : r.nodes) {
    auto level = node_level(n);
    if (!n.reachable) {
      nodes.rows.push_back(
          {n.address, n.role, output::Cell("unreachable", output::Tone::bad), "-", "-", "-", "-", "-"});
      continue;
    }
    auto role = n.role == "replica" && !n.primary_address.empty() ? "replica of " + n.primary_address : n.role;
    nodes.rows.push_back({n.address, role, output::Cell(to_string(level), tone_for(level)),
                          fmt::format("{:.3f}ms", n.latency.p50_ms), fmt::format("{:.3f}ms", n.latency.p99_ms),
                          memory_cell(n.info), std::string(n.info.get_or("connected_clients", "?")),
                          std::string(n.info.get_or("redis_version", "?"))});
  }
  doc.blocks.emplace_back(std::move(nodes));

  output::Table checks;
  checks.columns = {"CHECK", "STATUS", "NODE", "DETAIL"};
  for (const auto& c : r.checks)
    checks.rows.push_back(
        {c.name, output::Cell(to_string(c.level), tone_for(c.level)), c.node.empty() ? "-" : c.node, c.message});
  doc.blocks.emplace_back(std::move(checks));
}

// Monitoring-plugin output: "STATUS: text | 'label'=value[UOM];warn;crit;min;max".
std::string nagios_line(const HealthReport& r, const HealthOptions& o) {
  std::string summary;
  for (const auto& c : r.checks)
    if (c.level == r.level && r.level != Level::ok) {
      summary = (c.node.empty() ? "" : c.node + " ") + c.message;
      break;
    }
  if (summary.empty() && !r.nodes.empty()) {
    const auto& n = r.nodes.front();
    summary = r.cluster ? fmt::format("cluster of {} nodes, all checks passed", r.nodes.size())
                        : fmt::format("{} {} {}, ping p99 {:.3f}ms", n.address, n.role,
                                      n.info.get_or("redis_version", ""), n.latency.p99_ms);
  }
  std::string perf;
  const auto& t = o.thresholds;
  for (const auto& n : r.nodes) {
    if (!n.reachable) continue;
    auto label = r.nodes.size() > 1 ? n.address + " " : std::string{};
    perf += fmt::format(" '{}latency_p99'={:.3f}ms;{};{};0;", label, n.latency.p99_ms, t.latency_warn_ms,
                        t.latency_crit_ms);
    // What INFO did not tell (refused by ACL) is left out: a graph of invented zeros lies.
    if (auto v = n.info.integer("used_memory")) perf += fmt::format(" '{}used_memory'={}B;;;0;", label, *v);
    if (auto v = n.info.integer("connected_clients")) perf += fmt::format(" '{}connected_clients'={};;;0;", label, *v);
    if (auto v = n.info.integer("evicted_keys")) perf += fmt::format(" '{}evicted_keys'={}c;;;0;", label, *v);
  }
  // '|' would start perfdata early; newlines would end the status line.
  for (auto& ch : summary)
    if (ch == '|' || ch == '\n' || ch == '\r') ch = ' ';
  return fmt::format("REDIS {}: {}{}{}\n", upper(r.level), decode::escape_for_terminal(summary),
                     perf.empty() ? "" : " |", perf);
}

}  // namespace

output::Document render_health(const HealthReport& r, const HealthOptions& o) {
  output::Document doc;
  auto& j = doc.json;
  j["status"] = to_string(r.level);
  j["healthy"] = r.level != Level::critical;
  j["target"] = r.target;
  j["provider"] = r.provider.id;
  j["mode"] = r.cluster ? "cluster" : "standalone";
  if (r.cluster_summary) {
    const auto& c = *r.cluster_summary;
    j["cluster"] = {{"state", c.state},
                    {"slots_covered", c.slots_covered},
                    {"slots_assigned", c.slots_assigned},
                    {"slots_ok", c.slots_ok},
                    {"slots_pfail", c.slots_pfail},
                    {"slots_fail", c.slots_fail},
                    {"known_nodes", c.known_nodes},
                    {"size", c.size},
                    {"failover_in_progress", c.failover_in_progress}};
  } else {
    j["cluster"] = nullptr;
  }
  j["nodes"] = Json::array();
  for (const auto& n : r.nodes) j["nodes"].push_back(node_json(n));
  j["checks"] = Json::array();
  for (const auto& c : r.checks) j["checks"].push_back(check_json(c));
  j["duration_ms"] = round3(r.duration_ms);
  add_tables(doc, r);
  doc.nagios = nagios_line(r, o);
  return doc;
}

}  // namespace rctl::health
