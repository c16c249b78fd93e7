#include "stats/stats.hpp"

#include "client/options.hpp"
#include "client/server_error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <map>

namespace rctl::stats {

StatsReport collect_stats(cluster::Client& target) {
  StatsReport report;
  report.target = client::describe(target.seed_options());
  report.cluster = target.is_cluster();
  report.taken = std::chrono::system_clock::now();
  auto nodes = target.select(cluster::NodeSelection::all);
  auto outcomes = target.fan_out(cluster::NodeSelection::all, {client::cmd({"INFO", "all"})});
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    NodeStats n;
    n.address = target.label(*outcomes[i].node);
    n.role = outcomes[i].node->primary ? "master" : "replica";
    n.sampled = std::chrono::steady_clock::now();
    if (!outcomes[i].replies) {
      n.error = outcomes[i].replies.error();
    } else {
      const auto& reply = outcomes[i].replies->front();
      if (reply.is_error()) {
        // NOPERM is an ACL matter (exit 4), with the grant that fixes it; not a server fault.
        n.error = client::to_error(reply.str, "INFO");
        if (n.error->kind == ErrorKind::permission)
          n.error->hint = "stats reads INFO: grant it (ACL SETUSER <user> +info) or use a user that has it";
      } else if (!reply.is_string())
        n.error = Error{ErrorKind::protocol,
                        std::string("protocol error: INFO answered with a reply of type ") +
                            resp::to_string(reply.type) + " where text was expected",
                        {}};
      else n.info = server::Info::parse(reply.str);
      if (auto role = n.info.get("role")) n.role = *role == "slave" ? "replica" : std::string(*role);
    }
    report.nodes.push_back(std::move(n));
  }
  return report;
}

std::vector<CommandStat> command_stats(const server::Info& info) {
  std::map<std::string, CommandStat> by_name;
  for (auto key : info.keys_with_prefix("cmdstat_")) {
    auto f = server::parse_kv_list(*info.get(key));
    CommandStat c;
    c.name = std::string(key.substr(8));
    c.calls = util::parse_int(server::kv_get(f, "calls").value_or("0")).value_or(0);
    c.usec = util::parse_int(server::kv_get(f, "usec").value_or("0")).value_or(0);
    c.usec_per_call = util::parse_double(server::kv_get(f, "usec_per_call").value_or("0")).value_or(0);
    c.rejected = util::parse_int(server::kv_get(f, "rejected_calls").value_or("0")).value_or(0);
    c.failed = util::parse_int(server::kv_get(f, "failed_calls").value_or("0")).value_or(0);
    by_name[c.name] = c;
  }
  for (auto key : info.keys_with_prefix("latency_percentiles_usec_")) {
    auto name = std::string(key.substr(25));
    auto f = server::parse_kv_list(*info.get(key));
    auto& c = by_name[name];
    c.name = name;
    if (auto v = server::kv_get(f, "p50")) c.p50_us = util::parse_double(*v);
    if (auto v = server::kv_get(f, "p99")) c.p99_us = util::parse_double(*v);
    if (auto v = server::kv_get(f, "p99.9")) c.p999_us = util::parse_double(*v);
  }
  std::vector<CommandStat> out;
  for (auto& [_, c] : by_name) out.push_back(std::move(c));
  std::sort(out.begin(), out.end(), [](const CommandStat& a, const CommandStat& b) {
    return a.calls != b.calls ? a.calls > b.calls : a.name < b.name;
  });
  return out;
}

std::vector<KeyspaceStat> keyspace_stats(const server::Info& info) {
  std::vector<KeyspaceStat> out;
  for (auto key : info.keys_in("keyspace")) {
    if (!util::starts_with(key, "db")) continue;
    auto db = util::parse_int(key.substr(2));
    if (!db) continue;
    auto f = server::parse_kv_list(*info.get(key));
    out.push_back({static_cast<int>(*db), util::parse_int(server::kv_get(f, "keys").value_or("0")).value_or(0),
                   util::parse_int(server::kv_get(f, "expires").value_or("0")).value_or(0),
                   util::parse_int(server::kv_get(f, "avg_ttl").value_or("0")).value_or(0)});
  }
  return out;
}

Rates compute_rates(const StatsReport& before, const StatsReport& after) {
  Rates r;
  std::int64_t hits = 0, misses = 0;
  double weighted_seconds = 0;
  int matched = 0;
  for (const auto& now : after.nodes) {
    if (now.error) continue;
    r.used_memory_bytes += now.info.integer("used_memory").value_or(0);
    r.connected_clients += now.info.integer("connected_clients").value_or(0);
    if (now.role == "master")
      for (const auto& k : keyspace_stats(now.info)) r.keys += k.keys;
    auto it = std::find_if(before.nodes.begin(), before.nodes.end(),
                           [&](const NodeStats& n) { return n.address == now.address && !n.error; });
    if (it == before.nodes.end()) continue;
    double secs = std::chrono::duration<double>(now.sampled - it->sampled).count();
    if (secs <= 0) continue;
    auto delta = [&](std::string_view key) {
      return std::max<std::int64_t>(0, now.info.integer(key).value_or(0) - it->info.integer(key).value_or(0));
    };
    r.ops_per_sec += static_cast<double>(delta("total_commands_processed")) / secs;
    r.net_in_bytes_per_sec += static_cast<double>(delta("total_net_input_bytes")) / secs;
    r.net_out_bytes_per_sec += static_cast<double>(delta("total_net_output_bytes")) / secs;
    r.expired_per_sec += static_cast<double>(delta("expired_keys")) / secs;
    r.evicted_per_sec += static_cast<double>(delta("evicted_keys")) / secs;
    hits += delta("keyspace_hits");
    misses += delta("keyspace_misses");
    weighted_seconds += secs;
    ++matched;
  }
  r.seconds = matched ? weighted_seconds / matched : 0;
  if (hits + misses > 0) r.hit_rate = static_cast<double>(hits) / static_cast<double>(hits + misses);
  return r;
}

}  // namespace rctl::stats
