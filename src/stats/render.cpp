// Stats as JSON (the contract) and as tables for people.

#include "stats/render.hpp"
#include "decode/bytes.hpp"
#include "stats/stats.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cmath>

namespace rctl::stats {

namespace {

using Json = nlohmann::ordered_json;

// Commands shown in the tables; JSON carries them all.
constexpr std::size_t k_top_commands = 10;

Json int_or_null(const server::Info& i, std::string_view key) {
  auto v = i.integer(key);
  return v ? Json(*v) : Json(nullptr);
}

Json num_or_null(const server::Info& i, std::string_view key) {
  auto v = i.number(key);
  return v ? Json(*v) : Json(nullptr);
}

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

Json hit_rate(std::int64_t hits, std::int64_t misses) {
  if (hits + misses == 0) return nullptr;
  return round3(static_cast<double>(hits) / static_cast<double>(hits + misses));
}

Json node_json(const NodeStats& n) {
  Json j{{"address", n.address}, {"role", n.role}};
  if (n.error) {
    j["error"] = {{"kind", rctl::to_string(n.error->kind)}, {"message", n.error->message}};
    return j;
  }
  j["error"] = nullptr;
  const auto& i = n.info;
  j["server"] = {{"version", std::string(i.get_or("redis_version", ""))},
                 {"mode", std::string(i.get_or("redis_mode", ""))},
                 {"os", std::string(i.get_or("os", ""))},
                 {"uptime_seconds", int_or_null(i, "uptime_in_seconds")}};
  j["clients"] = {{"connected", int_or_null(i, "connected_clients")},
                  {"blocked", int_or_null(i, "blocked_clients")},
                  {"max", int_or_null(i, "maxclients")}};
  j["memory"] = {{"used_bytes", int_or_null(i, "used_memory")},
                 {"rss_bytes", int_or_null(i, "used_memory_rss")},
                 {"peak_bytes", int_or_null(i, "used_memory_peak")},
                 {"max_bytes", int_or_null(i, "maxmemory")},
                 {"policy", std::string(i.get_or("maxmemory_policy", ""))},
                 {"fragmentation_ratio", num_or_null(i, "mem_fragmentation_ratio")}};
  auto hits = i.integer("keyspace_hits").value_or(0), misses = i.integer("keyspace_misses").value_or(0);
  j["stats"] = {{"ops_per_sec", int_or_null(i, "instantaneous_ops_per_sec")},
                {"commands_processed_total", int_or_null(i, "total_commands_processed")},
                {"connections_received_total", int_or_null(i, "total_connections_received")},
                {"rejected_connections_total", int_or_null(i, "rejected_connections")},
                {"keyspace_hits_total", hits},
                {"keyspace_misses_total", misses},
                {"hit_rate", hit_rate(hits, misses)},
                {"expired_keys_total", int_or_null(i, "expired_keys")},
                {"evicted_keys_total", int_or_null(i, "evicted_keys")},
                {"net_input_bytes_total", int_or_null(i, "total_net_input_bytes")},
                {"net_output_bytes_total", int_or_null(i, "total_net_output_bytes")},
                {"input_kbps", num_or_null(i, "instantaneous_input_kbps")},
                {"output_kbps", num_or_null(i, "instantaneous_output_kbps")}};
  j["persistence"] = {{"loading", i.get_or("loading", "0") == "1"},
                      {"rdb_changes_since_last_save", int_or_null(i, "rdb_changes_since_last_save")},
                      {"rdb_last_save_time", int_or_null(i, "rdb_last_save_time")},
                      {"rdb_last_bgsave_status", std::string(i.get_or("rdb_last_bgsave_status", ""))},
                      {"aof_enabled", i.get_or("aof_enabled", "0") == "1"}};
  j["replication"] = {
      {"role", n.role},
      {"connected_replicas", int_or_null(i, "connected_slaves")},
      {"master_link_status",
       i.get("master_link_status") ? Json(std::string(*i.get("master_link_status"))) : Json(nullptr)},
      {"offset", i.integer("master_repl_offset") ? Json(*i.integer("master_repl_offset")) : Json(nullptr)}};
  j["keyspace"] = Json::array();
  for (const auto& k : keyspace_stats(i))
    j["keyspace"].push_back({{"db", k.db}, {"keys", k.keys}, {"expires", k.expires}, {"avg_ttl_ms", k.avg_ttl_ms}});
  j["commands"] = Json::array();
  for (const auto& c : command_stats(i)) {
    Json cj{{"name", decode::json_bytes(c.name)},
            {"calls", c.calls},
            {"usec", c.usec},
            {"usec_per_call", c.usec_per_call},
            {"rejected_calls", c.rejected},
            {"failed_calls", c.failed}};
    cj["latency_us"] = (c.p50_us || c.p99_us) ? Json{{"p50", c.p50_us ? Json(*c.p50_us) : Json(nullptr)},
                                                     {"p99", c.p99_us ? Json(*c.p99_us) : Json(nullptr)},
                                                     {"p99_9", c.p999_us ? Json(*c.p999_us) : Json(nullptr)}}
                                              : Json(nullptr);
    j["commands"].push_back(std::move(cj));
  }
  return j;
}

Json totals_json(const StatsReport& r) {
  std::int64_t ops = 0, used = 0, clients = 0, keys = 0, hits = 0, misses = 0, expired = 0, evicted = 0;
  int reachable = 0;
  for (const auto& n : r.nodes) {
    if (n.error) continue;
    ++reachable;
    const auto& i = n.info;
    ops += i.integer("instantaneous_ops_per_sec").value_or(0);
    used += i.integer("used_memory").value_or(0);
    clients += i.integer("connected_clients").value_or(0);
    hits += i.integer("keyspace_hits").value_or(0);
    misses += i.integer("keyspace_misses").value_or(0);
    if (n.role == "master") {
      for (const auto& k : keyspace_stats(i)) keys += k.keys;
      expired += i.integer("expired_keys").value_or(0);
      evicted += i.integer("evicted_keys").value_or(0);
    }
  }
  return {{"nodes", r.nodes.size()},       {"nodes_reachable", reachable},    {"ops_per_sec", ops},
          {"used_memory_bytes", used},     {"connected_clients", clients},    {"keys", keys},
          {"keyspace_hits_total", hits},   {"keyspace_misses_total", misses}, {"hit_rate", hit_rate(hits, misses)},
          {"expired_keys_total", expired}, {"evicted_keys_total", evicted}};
}

std::string percent(const Json& ratio) {
  return ratio.is_null() ? "-" : fmt::format("{:.1f}%", ratio.get<double>() * 100.0);
}

void add_tables(output::Document& doc, const StatsReport& r, const Json& totals) {
  output::Fields summary;
  summary.add("target", r.target);
  summary.add("mode", r.cluster ? fmt::format("cluster, {} nodes", r.nodes.size()) : "standalone");
  summary.add("ops/s", util::format_count(totals["ops_per_sec"].get<std::int64_t>()));
  summary.add("hit rate", percent(totals["hit_rate"]));
  summary.add("memory", util::format_bytes(totals["used_memory_bytes"].get<std::int64_t>()));
  summary.add("clients", util::format_count(totals["connected_clients"].get<std::int64_t>()));
  summary.add("keys", util::format_count(totals["keys"].get<std::int64_t>()));
  summary.add("expired / evicted",
              fmt::format("{} / {}", util::format_count(totals["expired_keys_total"].get<std::int64_t>()),
                          util::format_count(totals["evicted_keys_total"].get<std::int64_t>())));
  doc.blocks.emplace_back(std::move(summary));

  output::Table nodes;
  nodes.columns = {"NODE", "ROLE", "VERSION", "OPS/S", "HIT RATE", "MEMORY", "MAX", "POLICY", "CLIENTS", "KEYS"};
  nodes.numeric = {false, false, false, true, true, true, true, false, true, true};
  std::vector<std::string> unreachable;
  for (const auto& n : r.nodes) {
    if (n.error) {
      // The figures are unknown; the reason goes to a notice under the table, where it is
      // read as an error rather than as a server version.
      std::vector<output::Cell> row{n.address, n.role};
      row.resize(nodes.columns.size(), output::Cell("-", output::Tone::dim));
      nodes.rows.push_back(std::move(row));
      unreachable.push_back(fmt::format("{} unreachable: {}", n.address, n.error->message));
      continue;
    }
    const auto& i = n.info;
    std::int64_t keys = 0;
    for (const auto& k : keyspace_stats(i)) keys += k.keys;
    auto max = i.integer("maxmemory").value_or(0);
    nodes.rows.push_back(
        {n.address, n.role, std::string(i.get_or("redis_version", "")),
         util::format_count(i.integer("instantaneous_ops_per_sec").value_or(0)),
         percent(hit_rate(i.integer("keyspace_hits").value_or(0), i.integer("keyspace_misses").value_or(0))),
         util::format_bytes(i.integer("used_memory").value_or(0)), max ? util::format_bytes(max) : "none",
         std::string(i.get_or("maxmemory_policy", "")), util::format_count(i.integer("connected_clients").value_or(0)),
         util::format_count(keys)});
  }
  doc.blocks.emplace_back(std::move(nodes));
  if (!unreachable.empty())
    doc.blocks.emplace_back(output::Text{util::join(unreachable, "\n"), output::Tone::bad, true});

  // Keyspace and commands are summed over nodes (primaries for keys).
  std::map<int, KeyspaceStat> dbs;
  std::map<std::string, CommandStat> commands;
  for (const auto& n : r.nodes) {
    if (n.error) continue;
    if (n.role == "master")
      for (const auto& k : keyspace_stats(n.info)) {
        auto& d = dbs[k.db];
        d.db = k.db;
        d.keys += k.keys;
        d.expires += k.expires;
        d.avg_ttl_ms = std::max(d.avg_ttl_ms, k.avg_ttl_ms);
      }
    for (const auto& c : command_stats(n.info)) {
      auto& t = commands[c.name];
      t.name = c.name;
      t.calls += c.calls;
      t.usec += c.usec;
      t.rejected += c.rejected;
      t.failed += c.failed;
      if (c.p99_us) t.p99_us = std::max(t.p99_us.value_or(0), *c.p99_us);
      if (c.p50_us) t.p50_us = std::max(t.p50_us.value_or(0), *c.p50_us);
    }
  }
  if (!dbs.empty()) {
    output::Table ks;
    ks.title = "Keyspace";
    ks.columns = {"DB", "KEYS", "WITH TTL", "AVG TTL"};
    ks.numeric = {false, true, true, true};
    for (const auto& [db, k] : dbs)
      ks.rows.push_back({fmt::format("db{}", db), util::format_count(k.keys), util::format_count(k.expires),
                         k.avg_ttl_ms ? util::format_duration(util::Millis(k.avg_ttl_ms)) : "-"});
    doc.blocks.emplace_back(std::move(ks));
  }
  std::vector<CommandStat> list;
  for (auto& [_, c] : commands) {
    c.usec_per_call = c.calls ? static_cast<double>(c.usec) / static_cast<double>(c.calls) : 0;
    list.push_back(c);
  }
  if (list.empty()) return;
  auto table_of = [&](std::string title, auto better) {
    std::sort(list.begin(), list.end(), better);
    output::Table t;
    t.title = std::move(title);
    t.columns = {"COMMAND", "CALLS", "TOTAL TIME", "µS/CALL", "P50 µS", "P99 µS", "FAILED"};
    t.numeric = {false, true, true, true, true, true, true};
    for (std::size_t k = 0; k < list.size() && k < k_top_commands; ++k) {
      const auto& c = list[k];
      auto opt = [](const std::optional<double>& v) { return v ? fmt::format("{:.1f}", *v) : std::string("-"); };
      t.rows.push_back({c.name, util::format_count(c.calls), util::format_duration(util::Millis(c.usec / 1000)),
                        fmt::format("{:.2f}", c.usec_per_call), opt(c.p50_us), opt(c.p99_us),
                        util::format_count(c.failed + c.rejected)});
    }
    doc.blocks.emplace_back(std::move(t));
  };
  table_of("Top commands by calls", [](const CommandStat& a, const CommandStat& b) { return a.calls > b.calls; });
  table_of("Top commands by time", [](const CommandStat& a, const CommandStat& b) { return a.usec > b.usec; });
}

}  // namespace

output::Document render_stats(const StatsReport& r) {
  output::Document doc;
  auto& j = doc.json;
  j["target"] = r.target;
  j["mode"] = r.cluster ? "cluster" : "standalone";
  j["sampled_at"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(r.taken)));
  auto totals = totals_json(r);
  j["totals"] = totals;
  j["nodes"] = Json::array();
  for (const auto& n : r.nodes) j["nodes"].push_back(node_json(n));
  add_tables(doc, r, totals);
  doc.prometheus = prometheus_text(r);
  return doc;
}

output::Document render_watch(const Rates& rates, std::chrono::system_clock::time_point at) {
  output::Document doc;
  auto when = fmt::format("{:%H:%M:%S}", fmt::localtime(std::chrono::system_clock::to_time_t(at)));
  doc.json = {{"time", fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(at)))},
              {"interval_seconds", round3(rates.seconds)},
              {"ops_per_sec", round3(rates.ops_per_sec)},
              {"hit_rate", rates.hit_rate ? Json(round3(*rates.hit_rate)) : Json(nullptr)},
              {"net_input_bytes_per_sec", round3(rates.net_in_bytes_per_sec)},
              {"net_output_bytes_per_sec", round3(rates.net_out_bytes_per_sec)},
              {"expired_per_sec", round3(rates.expired_per_sec)},
              {"evicted_per_sec", round3(rates.evicted_per_sec)},
              {"used_memory_bytes", rates.used_memory_bytes},
              {"connected_clients", rates.connected_clients},
              {"keys", rates.keys}};
  doc.blocks.emplace_back(output::Text{
      fmt::format("{}  ops/s {:>9}  hit {:>6}  mem {:>10}  clients {:>5}  keys {:>11}  in {:>10}/s  out {:>10}/s  "
                  "expired {:>6.0f}/s  evicted {:>6.0f}/s",
                  when, util::format_count(static_cast<std::int64_t>(std::llround(rates.ops_per_sec))),
                  rates.hit_rate ? fmt::format("{:.1f}%", *rates.hit_rate * 100) : std::string("-"),
                  util::format_bytes(rates.used_memory_bytes), rates.connected_clients, util::format_count(rates.keys),
                  util::format_bytes(static_cast<std::int64_t>(rates.net_in_bytes_per_sec)),
                  util::format_bytes(static_cast<std::int64_t>(rates.net_out_bytes_per_sec)), rates.expired_per_sec,
                  rates.evicted_per_sec)});
  return doc;
}

}  // namespace rctl::stats
