#include "health/health.hpp"

#include "client/options.hpp"
#include "client/server_error.hpp"
#include "cluster/address.hpp"
#include "cluster/slot.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rctl::health {

namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

Level worst(Level a, Level b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }

// Sequential PINGs (each after the previous reply, so each sample is one round trip),
// then INFO (and CLUSTER INFO on a cluster) in one pipeline.
struct Sampler : std::enable_shared_from_this<Sampler> {
  client::Connection& connection;
  NodeHealth& out;
  int remaining;
  bool cluster;
  std::vector<double> samples;
  std::function<void(Expected<void>)> done;

  Sampler(client::Connection& c, NodeHealth& o, int n, bool cl, std::function<void(Expected<void>)> d)
      : connection(c), out(o), remaining(n), cluster(cl), done(std::move(d)) {}

  void next_ping() {
    if (remaining-- <= 0) return read_info();
    auto start = Clock::now();
    connection.send(client::cmd({"PING"}), [self = shared_from_this(), start](Expected<resp::Value> r) {
      if (!r) return self->done(std::unexpected(r.error()));
      // A PING refused by ACL (NOPERM, NOAUTH) is no round trip to time: the node fails with
      // the reason. LOADING and the like still answer, and INFO tells the rest.
      if (r->is_error()) {
        auto refused = client::to_error(r->str, "PING");
        if (refused.kind == ErrorKind::permission || refused.kind == ErrorKind::auth)
          return self->done(std::unexpected(std::move(refused)));
      }
      self->samples.push_back(ms_between(start, Clock::now()));
      self->next_ping();
    });
  }

  void read_info() {
    out.latency = server::summarize_latency(samples);
    connection.send(client::cmd({"INFO"}), [self = shared_from_this()](Expected<resp::Value> r) {
      if (!r) return self->done(std::unexpected(r.error()));
      if (r->is_string()) self->out.info = server::Info::parse(r->str);
      else if (r->is_error())
        self->out.checks.push_back({"info", Level::warning, "INFO refused: " + r->str, self->out.address});
      if (!self->cluster) self->done({});
    });
    if (!cluster) return;
    connection.send(client::cmd({"CLUSTER", "INFO"}), [self = shared_from_this()](Expected<resp::Value> r) {
      if (!r) return self->done(std::unexpected(r.error()));
      if (r->is_string()) self->out.cluster_info = server::Info::parse(r->str);
      self->done({});
    });
  }
};

void check_latency(NodeHealth& n, const HealthThresholds& t) {
  auto p99 = n.latency.p99_ms;
  Level level = p99 >= t.latency_crit_ms ? Level::critical : p99 >= t.latency_warn_ms ? Level::warning : Level::ok;
  n.checks.push_back(
      {"latency", level,
       fmt::format("PING p50 {:.3f}ms, p99 {:.3f}ms over {} samples", n.latency.p50_ms, p99, n.latency.samples),
       n.address});
}

void check_memory(NodeHealth& n, const HealthThresholds& t) {
  auto used = n.info.integer("used_memory").value_or(0);
  auto max = n.info.integer("maxmemory").value_or(0);
  auto policy = std::string(n.info.get_or("maxmemory_policy", "unknown"));
  if (max <= 0) {
    n.checks.push_back({"memory", Level::ok,
                        fmt::format("{} used, no maxmemory limit (policy {})", util::format_bytes(used), policy),
                        n.address});
    return;
  }
  double pct = 100.0 * static_cast<double>(used) / static_cast<double>(max);
  Level level = pct >= t.memory_crit_pct ? Level::critical : pct >= t.memory_warn_pct ? Level::warning : Level::ok;
  auto msg =
      fmt::format("{} of {} used ({:.1f}%), policy {}", util::format_bytes(used), util::format_bytes(max), pct, policy);
  if (level != Level::ok && policy == "noeviction") msg += "; writes fail when full";
  n.checks.push_back({"memory", level, msg, n.address});
}

void check_replication(NodeHealth& n, const HealthThresholds& t) {
  auto role = n.info.get_or("role", "");
  if (role == "slave") {
    auto link = n.info.get_or("master_link_status", "unknown");
    if (link != "up") {
      n.checks.push_back({"replication", Level::critical,
                          fmt::format("link to primary {}:{} is {}", n.info.get_or("master_host", "?"),
                                      n.info.get_or("master_port", "?"), link),
                          n.address});
      return;
    }
    auto io = static_cast<double>(n.info.integer("master_last_io_seconds_ago").value_or(0));
    Level level = io >= t.lag_crit_s ? Level::critical : io >= t.lag_warn_s ? Level::warning : Level::ok;
    n.checks.push_back(
        {"replication", level,
         fmt::format("replicating from {}:{}, last I/O {}s ago{}", n.info.get_or("master_host", "?"),
                     n.info.get_or("master_port", "?"), io,
                     n.info.get_or("master_sync_in_progress", "0") == "1" ? ", full sync in progress" : ""),
         n.address});
    return;
  }
  auto replicas = n.info.integer("connected_slaves").value_or(0);
  Level level = Level::ok;
  std::int64_t worst_lag = 0;
  // A replica that is not online (wait_bgsave, send_bulk, ...) has no meaningful lag: the
  // message names its state instead, which is what the operator needs to see.
  std::vector<std::string> not_online;
  for (auto key : n.info.keys_with_prefix("slave")) {
    if (key == "slave_read_only" || key.find_first_of("0123456789") != 5) continue;
    auto fields = server::parse_kv_list(*n.info.get(key));
    auto state = std::string(server::kv_get(fields, "state").value_or("unknown"));
    if (state != "online") {
      level = worst(level, Level::warning);
      not_online.push_back(fmt::format("{}:{} is {}", server::kv_get(fields, "ip").value_or("?"),
                                       server::kv_get(fields, "port").value_or("?"), state));
      continue;
    }
    auto lag = util::parse_int(server::kv_get(fields, "lag").value_or("0")).value_or(0);
    worst_lag = std::max(worst_lag, lag);
  }
  auto lag = static_cast<double>(worst_lag);
  level = worst(level, lag >= t.lag_crit_s ? Level::critical : lag >= t.lag_warn_s ? Level::warning : Level::ok);
  std::string msg = "primary without replicas";
  if (replicas > 0 || !not_online.empty()) {
    msg = fmt::format("primary with {} replica(s)", std::max<std::int64_t>(replicas, 0));
    if (!not_online.empty()) msg += fmt::format(", replica {}", util::join(not_online, ", replica "));
    if (not_online.size() < static_cast<std::size_t>(std::max<std::int64_t>(replicas, 0)))
      msg += fmt::format(", worst lag {}s", worst_lag);
  }
  n.checks.push_back({"replication", level, msg, n.address});
}

void check_loading(NodeHealth& n) {
  if (n.info.get_or("loading", "0") == "1")
    n.checks.push_back({"loading", Level::critical,
                        fmt::format("loading the dataset ({}% done)", n.info.get_or("loading_loaded_perc", "?")),
                        n.address});
}

void check_counters(NodeHealth& n) {
  if (auto rejected = n.info.integer("rejected_connections").value_or(0); rejected > 0)
    n.checks.push_back(
        {"connections", Level::warning,
         fmt::format("{} connections rejected since start (maxclients {})", rejected, n.info.get_or("maxclients", "?")),
         n.address});
  if (n.info.get_or("rdb_last_bgsave_status", "ok") != "ok")
    n.checks.push_back({"persistence", Level::warning, "last RDB save failed", n.address});
  if (n.info.get_or("aof_enabled", "0") == "1" && n.info.get_or("aof_last_write_status", "ok") != "ok")
    n.checks.push_back({"persistence", Level::critical, "AOF writes are failing", n.address});
  auto evicted = n.info.integer("evicted_keys").value_or(0);
  n.checks.push_back({"evictions", Level::ok, fmt::format("{} keys evicted since start", evicted), n.address});
}

// Days until the server certificate expires (negative once it has), on TLS connections.
void check_certificate(NodeHealth& n, const HealthThresholds& t) {
  const auto& not_after = n.handshake.connect.tls_not_after;
  if (!n.tls || !not_after) return;
  auto days = cert_days_left(*not_after, std::chrono::system_clock::now());
  Level level = days < t.cert_crit_days ? Level::critical : days < t.cert_warn_days ? Level::warning : Level::ok;
  auto when = fmt::format("{:%Y-%m-%d}", fmt::gmtime(std::chrono::system_clock::to_time_t(*not_after)));
  n.checks.push_back({"certificate", level,
                      days < 0 ? fmt::format("TLS certificate expired on {}", when)
                               : fmt::format("TLS certificate expires in {:.0f} day{} ({})", std::floor(days),
                                             std::floor(days) == 1 ? "" : "s", when),
                      n.address});
}

void evaluate_node(NodeHealth& n, const HealthThresholds& t) {
  if (!n.reachable) {
    n.checks.push_back({"reachable", Level::critical, n.error ? n.error->message : "unreachable", n.address});
    return;
  }
  n.checks.push_back(
      {"reachable", Level::ok,
       fmt::format("connected in {:.1f}ms{}", n.handshake.connect.connect_ms,
                   n.tls ? fmt::format(", TLS {} ({}) in {:.1f}ms", n.handshake.connect.tls_version,
                                       n.handshake.connect.tls_cipher, n.handshake.connect.tls_handshake_ms)
                         : ""),
       n.address});
  check_certificate(n, t);
  // PING timings are ours, not INFO's: judged even where INFO is refused (its own check says so).
  check_latency(n, t);
  if (n.info.empty()) return;
  if (n.info.get("role"))
    n.role = n.info.get_or("role", "") == "slave" ? "replica" : std::string(n.info.get_or("role", ""));
  check_loading(n);
  check_memory(n, t);
  check_replication(n, t);
  check_counters(n);
}

ClusterSummary summarize_cluster(const cluster::Client& target, HealthReport& report) {
  ClusterSummary s;
  s.slots_covered = target.topology().covered_slots();
  const NodeHealth* source = nullptr;
  for (const auto& n : report.nodes)
    if (n.reachable && !n.cluster_info.empty() && n.role == "master") {
      source = &n;
      break;
    }
  if (!source)
    for (const auto& n : report.nodes)
      if (n.reachable && !n.cluster_info.empty()) {
        source = &n;
        break;
      }
  if (source) {
    const auto& ci = source->cluster_info;
    s.state = std::string(ci.get_or("cluster_state", "unknown"));
    s.slots_assigned = ci.integer("cluster_slots_assigned").value_or(0);
    s.slots_ok = ci.integer("cluster_slots_ok").value_or(0);
    s.slots_pfail = ci.integer("cluster_slots_pfail").value_or(0);
    s.slots_fail = ci.integer("cluster_slots_fail").value_or(0);
    s.known_nodes = ci.integer("cluster_known_nodes").value_or(0);
    s.size = ci.integer("cluster_size").value_or(0);
  } else {
    s.state = "unknown";
  }
  bool node_down =
      std::any_of(report.nodes.begin(), report.nodes.end(), [](const NodeHealth& n) { return !n.reachable; });
  // CLUSTER SHARDS says "loading" for a replica that has not received data yet (7.0 derives it
  // from a zero replication offset), so only "fail" counts; replicas' own INFO covers the rest.
  for (const auto* node : target.nodes())
    if (node->health == "fail" || node->health == "failed") node_down = true;
  s.failover_in_progress = node_down || s.slots_pfail > 0 || s.slots_fail > 0 || s.state != "ok";
  Level level = s.state == "ok" ? Level::ok : Level::critical;
  report.checks.push_back({"cluster_state", level, fmt::format("cluster_state {}", s.state), {}});
  Level coverage = s.slots_covered == cluster::k_slot_count ? Level::ok : Level::critical;
  report.checks.push_back(
      {"slot_coverage",
       coverage,
       fmt::format(
           "{} of {} slots served{}", s.slots_covered, cluster::k_slot_count,
           s.slots_pfail || s.slots_fail ? fmt::format(" ({} pfail, {} fail)", s.slots_pfail, s.slots_fail) : ""),
       {}});
  if (s.failover_in_progress)
    report.checks.push_back({"failover", Level::warning, "a node is down or failing over", {}});
  return s;
}

}  // namespace

double cert_days_left(std::chrono::system_clock::time_point not_after, std::chrono::system_clock::time_point now) {
  return std::chrono::duration<double, std::ratio<86400>>(not_after - now).count();
}

const char* to_string(Level level) {
  switch (level) {
    case Level::ok: return "ok";
    case Level::warning: return "warning";
    case Level::critical: return "critical";
  }
  return "unknown";
}

HealthReport check_health(cluster::Client& target, const HealthOptions& options) {
  auto start = options.started.value_or(Clock::now());
  HealthReport report;
  report.target = client::describe(target.seed_options());
  report.provider = server::guess_provider(target.seed_options().endpoint);
  report.cluster = target.is_cluster();
  auto nodes = target.select(cluster::NodeSelection::all);
  report.nodes.resize(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    auto& n = report.nodes[i];
    n.address = target.label(*nodes[i]);
    n.id = nodes[i]->id;
    n.role = nodes[i]->primary ? "master" : "replica";
    for (const auto* p : nodes)
      if (!nodes[i]->primary && p->id == nodes[i]->primary_id && !p->id.empty()) n.primary_address = target.label(*p);
  }
  std::map<const cluster::Node*, std::size_t> index;
  for (std::size_t i = 0; i < nodes.size(); ++i) index[nodes[i]] = i;
  auto results = target.run_on_nodes(
      cluster::NodeSelection::all,
      [&](const cluster::Node& node, client::Connection& conn, std::function<void(Expected<void>)> done) {
        auto& n = report.nodes[index.at(&node)];
        n.reachable = true;
        n.handshake = conn.report();
        n.tls = conn.options().endpoint.transport == net::Transport::tls;
        std::make_shared<Sampler>(conn, n, std::max(1, options.samples), report.cluster, std::move(done))->next_ping();
      });
  for (auto& [node, result] : results) {
    auto& n = report.nodes[index.at(node)];
    if (!result) {
      n.reachable = false;
      n.error = result.error();
    }
  }
  for (auto& n : report.nodes) {
    evaluate_node(n, options.thresholds);
    report.checks.insert(report.checks.end(), n.checks.begin(), n.checks.end());
  }
  if (report.cluster) report.cluster_summary = summarize_cluster(target, report);
  for (const auto& c : report.checks) report.level = worst(report.level, c.level);
  report.duration_ms = ms_between(start, Clock::now());
  return report;
}

HealthReport unreachable_report(const client::ConnectionOptions& seed, const Error& error) {
  HealthReport report;
  report.target = client::describe(seed);
  report.provider = server::guess_provider(seed.endpoint);
  NodeHealth n;
  n.address = net::describe(seed.endpoint);
  n.role = "unknown";
  n.error = error;
  evaluate_node(n, {});
  report.checks = n.checks;
  report.nodes.push_back(std::move(n));
  report.level = Level::critical;
  return report;
}

}  // namespace rctl::health
