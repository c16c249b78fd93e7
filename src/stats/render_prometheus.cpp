// Stats in the Prometheus text exposition format: each family's HELP and TYPE exactly once,
// label values escaped, names and units in the style of redis_exporter.

#include "stats/render.hpp"

#include "decode/bytes.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace rctl::stats {

namespace {

struct Family {
  std::string help;
  std::string type;
  std::vector<std::string> samples;  // "{labels} value"
};

// Label values escape backslash, double quote and newline (the exposition format's only
// escapes). Values come from the server, so control bytes and invalid UTF-8 (which the format
// does not allow, and which would reach a terminal raw) are first written the way the
// terminal escaping writes them: a value with ESC in it reads `\x1b` once unescaped.
std::string escape_label(std::string_view v) {
  const std::string text = decode::escape_for_terminal(v);
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == 'n')) {
      out += text.substr(i, 2);  // already an exposition escape: `\\` or `\n`
      ++i;
    } else if (c == '\\') {
      out += "\\\\";  // the backslash of `\x1b`, `\r`, `\u{202e}` is itself escaped
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<std::int64_t>(v));
  return fmt::format("{}", v);
}

class Exposition {
 public:
  // `suffix` names a summary's _sum and _count samples, which belong to the family `name`.
  void add(const std::string& name, std::string_view type, std::string_view help,
           std::vector<std::pair<std::string, std::string>> labels, double value, std::string_view suffix = {}) {
    auto [it, inserted] = m_families.try_emplace(name);
    if (inserted) {
      m_order.push_back(name);
      it->second.help = help;
      it->second.type = type;
    }
    std::string text = std::string(suffix) + "{";
    for (std::size_t i = 0; i < labels.size(); ++i)
      text += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first, escape_label(labels[i].second));
    it->second.samples.push_back(text + "} " + format_value(value));
  }

  std::string str() const {
    std::string out;
    for (const auto& name : m_order) {
      const auto& f = m_families.at(name);
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
      for (const auto& s : f.samples) out += name + s + "\n";
    }
    return out;
  }

 private:
  std::vector<std::string> m_order;
  std::map<std::string, Family> m_families;
};

struct Simple {
  const char* info_key;
  const char* metric;
  const char* type;
  const char* help;
};

constexpr Simple k_simple[] = {
    {"uptime_in_seconds", "redis_uptime_in_seconds", "gauge", "Seconds since the server started."},
    {"connected_clients", "redis_connected_clients", "gauge", "Client connections."},
    {"blocked_clients", "redis_blocked_clients", "gauge", "Clients blocked in a blocking command."},
    {"maxclients", "redis_config_maxclients", "gauge", "The maxclients setting."},
    {"used_memory", "redis_memory_used_bytes", "gauge", "Bytes allocated by Redis."},
    {"used_memory_rss", "redis_memory_used_rss_bytes", "gauge", "Resident set size of the process."},
    {"used_memory_peak", "redis_memory_used_peak_bytes", "gauge", "Peak bytes allocated."},
    {"maxmemory", "redis_memory_max_bytes", "gauge", "The maxmemory setting (0 = no limit)."},
    {"mem_fragmentation_ratio", "redis_mem_fragmentation_ratio", "gauge", "RSS divided by used memory."},
    {"total_commands_processed", "redis_commands_processed_total", "counter", "Commands processed."},
    {"total_connections_received", "redis_connections_received_total", "counter", "Connections accepted."},
    {"rejected_connections", "redis_rejected_connections_total", "counter", "Connections rejected (maxclients)."},
    {"keyspace_hits", "redis_keyspace_hits_total", "counter", "Successful key lookups."},
    {"keyspace_misses", "redis_keyspace_misses_total", "counter", "Failed key lookups."},
    {"expired_keys", "redis_expired_keys_total", "counter", "Keys removed by expiry."},
    {"evicted_keys", "redis_evicted_keys_total", "counter", "Keys evicted by maxmemory."},
    {"total_net_input_bytes", "redis_net_input_bytes_total", "counter", "Bytes read from the network."},
    {"total_net_output_bytes", "redis_net_output_bytes_total", "counter", "Bytes written to the network."},
    // promtool rejects abbreviated units ("_sec"): the INFO field's name is not kept here.
    {"instantaneous_ops_per_sec", "redis_instantaneous_ops_per_second", "gauge",
     "Commands per second (server estimate)."},
    {"connected_slaves", "redis_connected_slaves", "gauge", "Connected replicas."},
    {"rdb_changes_since_last_save", "redis_rdb_changes_since_last_save", "gauge", "Writes since the last RDB save."},
    {"rdb_last_save_time", "redis_rdb_last_save_timestamp_seconds", "gauge", "Unix time of the last RDB save."},
    {"loading", "redis_loading_dump_file", "gauge", "1 while the dataset is loading."},
};

}  // namespace

std::string prometheus_text(const StatsReport& report) {
  Exposition e;
  for (const auto& n : report.nodes) {
    std::vector<std::pair<std::string, std::string>> addr{{"addr", n.address}};
    e.add("redis_up", "gauge", "1 when the node answered INFO.", addr, n.error ? 0 : 1);
    if (n.error) continue;
    const auto& i = n.info;
    e.add("redis_instance_info", "gauge", "Constant 1, with the server's identity as labels.",
          {{"addr", n.address},
           {"role", n.role},
           {"redis_version", std::string(i.get_or("redis_version", ""))},
           {"redis_mode", std::string(i.get_or("redis_mode", ""))},
           {"maxmemory_policy", std::string(i.get_or("maxmemory_policy", ""))}},
          1);
    for (const auto& s : k_simple)
      if (auto v = i.number(s.info_key)) e.add(s.metric, s.type, s.help, addr, *v);
    if (n.role == "replica")
      e.add("redis_master_link_up", "gauge", "1 when the replica's link to its primary is up.", addr,
            i.get_or("master_link_status", "") == "up" ? 1 : 0);
    for (const auto& k : keyspace_stats(i)) {
      auto db = fmt::format("db{}", k.db);
      e.add("redis_db_keys", "gauge", "Keys per database.", {{"addr", n.address}, {"db", db}},
            static_cast<double>(k.keys));
      e.add("redis_db_keys_expiring", "gauge", "Keys with a TTL per database.", {{"addr", n.address}, {"db", db}},
            static_cast<double>(k.expires));
      e.add("redis_db_avg_ttl_seconds", "gauge", "Average TTL of keys with a TTL.", {{"addr", n.address}, {"db", db}},
            static_cast<double>(k.avg_ttl_ms) / 1000.0);
    }
    for (const auto& c : command_stats(i)) {
      std::vector<std::pair<std::string, std::string>> labels{{"addr", n.address}, {"cmd", c.name}};
      e.add("redis_commands_total", "counter", "Calls per command.", labels, static_cast<double>(c.calls));
      e.add("redis_commands_duration_seconds_total", "counter", "Time spent per command.", labels,
            static_cast<double>(c.usec) / 1e6);
      e.add("redis_commands_rejected_calls_total", "counter", "Rejected calls per command.", labels,
            static_cast<double>(c.rejected));
      e.add("redis_commands_failed_calls_total", "counter", "Failed calls per command.", labels,
            static_cast<double>(c.failed));
      // A `quantile` label is only valid on a summary (promtool rejects it on a gauge); the
      // summary's _sum and _count are the same command's total time and calls.
      if (!c.p50_us && !c.p99_us && !c.p999_us) continue;
      constexpr std::string_view latency = "redis_command_latency_seconds";
      constexpr std::string_view latency_help = "Command latency percentiles (latencystats).";
      auto quantile = [&](const char* q, const std::optional<double>& us) {
        if (us)
          e.add(std::string(latency), "summary", latency_help, {{"addr", n.address}, {"cmd", c.name}, {"quantile", q}},
                *us / 1e6);
      };
      quantile("0.5", c.p50_us);
      quantile("0.99", c.p99_us);
      quantile("0.999", c.p999_us);
      e.add(std::string(latency), "summary", latency_help, labels, static_cast<double>(c.usec) / 1e6, "_sum");
      e.add(std::string(latency), "summary", latency_help, labels, static_cast<double>(c.calls), "_count");
    }
  }
  return e.str();
}

}  // namespace rctl::stats
