#include "slowlog/slowlog.hpp"

#include "client/options.hpp"
#include "client/server_error.hpp"
#include "server/latency.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

namespace rctl::slowlog {

namespace {

// Arguments shown per entry in tables, and bytes per argument, unless --full.
constexpr std::size_t k_shown_args = 8;
constexpr std::size_t k_shown_arg_bytes = 40;

Error malformed_slowlog(std::string_view what, const std::string& node) {
  return Error{ErrorKind::protocol, fmt::format("{}: malformed {} reply", node, what),
               "the server's reply did not have the documented shape"};
}

// Commands whose first argument names a subcommand: grouped as "client|list", the way
// INFO commandstats names them, because CLIENT LIST and CLIENT KILL are different problems.
bool slowlog_is_container(std::string_view name) {
  static constexpr std::array<std::string_view, 17> k_containers = {
      "acl",    "client", "cluster", "command", "config",  "debug",  "function", "latency", "memory",
      "module", "object", "pubsub",  "script",  "slowlog", "xgroup", "xinfo",    "sentinel"};
  return std::find(k_containers.begin(), k_containers.end(), name) != k_containers.end();
}

std::string slowlog_group_name(const Entry& e) {
  if (e.args.empty()) return "(empty)";
  auto name = util::to_lower(e.args[0]);
  if (e.args.size() > 1 && slowlog_is_container(name)) name += "|" + util::to_lower(e.args[1]);
  return name;
}

}  // namespace

Expected<Entry> parse_entry(const resp::Value& value, const std::string& node) {
  const auto& f = value.elements;
  if (!value.is_list() || f.size() < 4 || f[0].type != resp::Type::integer || f[1].type != resp::Type::integer ||
      f[2].type != resp::Type::integer || !f[3].is_list())
    return std::unexpected(malformed_slowlog("SLOWLOG GET", node));
  Entry e;
  e.node = node;
  e.id = f[0].integer;
  e.time_s = f[1].integer;
  e.duration_us = f[2].integer;
  for (const auto& arg : f[3].elements) {
    if (e.args.size() == k_max_args) break;
    if (arg.is_string()) e.args.push_back(arg.str.substr(0, k_max_arg_bytes));
    else if (arg.type == resp::Type::integer) e.args.push_back(std::to_string(arg.integer));
    else return std::unexpected(malformed_slowlog("SLOWLOG GET", node));
  }
  if (f.size() > 4 && f[4].is_string()) e.client_addr = f[4].str.substr(0, k_max_arg_bytes);
  if (f.size() > 5 && f[5].is_string()) e.client_name = f[5].str.substr(0, k_max_arg_bytes);
  return e;
}

void sort_entries(std::vector<Entry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.time_s != b.time_s) return a.time_s < b.time_s;
    if (a.node != b.node) return a.node < b.node;
    if (a.duration_us != b.duration_us) return a.duration_us > b.duration_us;
    return a.id < b.id;
  });
}

Report collect(cluster::Client& target, const Options& options) {
  Report report;
  report.target = client::describe(target.seed_options());
  report.cluster = target.is_cluster();
  report.taken = std::chrono::system_clock::now();
  auto limit = std::to_string(std::clamp<std::int64_t>(options.limit, 1, k_max_limit));
  auto outcomes = target.fan_out(cluster::NodeSelection::all,
                                 {client::cmd({"SLOWLOG", "GET", limit}), client::cmd({"LATENCY", "LATEST"})});
  for (auto& outcome : outcomes) {
    NodeResult n;
    n.address = target.label(*outcome.node);
    n.role = outcome.node->primary ? "primary" : "replica";
    if (!outcome.replies) {
      n.error = outcome.replies.error();
      report.nodes.push_back(std::move(n));
      continue;
    }
    const auto& slow = (*outcome.replies)[0];
    const auto& latency = (*outcome.replies)[1];
    if (slow.is_error()) n.error = client::refusal_error(slow.str, "SLOWLOG GET");
    else if (!slow.is_list()) n.error = malformed_slowlog("SLOWLOG GET", n.address);
    else {
      for (const auto& item : slow.elements) {
        auto entry = parse_entry(item, n.address);
        if (!entry) {
          n.error = entry.error();
          break;
        }
        ++n.entries_read;
        n.max_id = std::max(n.max_id.value_or(entry->id), entry->id);
        n.min_id = std::min(n.min_id.value_or(entry->id), entry->id);
        if (options.since_s && entry->time_s < *options.since_s) continue;
        if (entry->duration_us < options.min_us) continue;
        report.entries.push_back(std::move(*entry));
      }
    }
    if (latency.is_error()) n.latency_error = client::refusal_error(latency.str, "LATENCY LATEST");
    else if (auto events = server::parse_latency_latest(latency))
      for (auto& e : *events) report.latency.push_back({std::move(e), n.address});
    else n.latency_error = malformed_slowlog("LATENCY LATEST", n.address);
    report.nodes.push_back(std::move(n));
  }
  sort_entries(report.entries);
  return report;
}

bool none_answered(const Report& report) {
  return !report.nodes.empty() &&
         std::none_of(report.nodes.begin(), report.nodes.end(), [](const NodeResult& n) { return !n.error; });
}

std::vector<Group> group_by_command(const std::vector<Entry>& entries) {
  std::map<std::string, std::vector<const Entry*>> by_name;
  for (const auto& e : entries) by_name[slowlog_group_name(e)].push_back(&e);
  std::vector<Group> out;
  for (const auto& [name, list] : by_name) {
    Group g;
    g.command = name;
    std::vector<double> samples;
    std::set<std::string_view> nodes;
    for (const auto* e : list) {
      ++g.count;
      g.total_us += e->duration_us;
      g.max_us = std::max(g.max_us, e->duration_us);
      samples.push_back(static_cast<double>(e->duration_us));
      nodes.insert(e->node);
    }
    // summarize_latency ranks any unit; microseconds go in and come out as they are.
    g.p99_us = server::summarize_latency(std::move(samples)).p99_ms;
    g.nodes = static_cast<std::int64_t>(nodes.size());
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(), [](const Group& a, const Group& b) {
    return a.total_us != b.total_us ? a.total_us > b.total_us : a.command < b.command;
  });
  return out;
}

std::string command_text(const Entry& entry, bool full) {
  std::string out;
  std::size_t shown = full ? entry.args.size() : std::min(entry.args.size(), k_shown_args);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i) out += ' ';
    const auto& arg = entry.args[i];
    if (full || arg.size() <= k_shown_arg_bytes) out += arg;
    else out += fmt::format("{}... (+{} bytes)", arg.substr(0, k_shown_arg_bytes), arg.size() - k_shown_arg_bytes);
  }
  if (shown < entry.args.size()) out += fmt::format(" ... (+{} args)", entry.args.size() - shown);
  return out;
}

void reset(cluster::Client& target, Report& report) {
  std::map<std::string, NodeResult*> shown;  // only logs that were shown are emptied
  for (auto& n : report.nodes)
    if (!n.error) shown[n.address] = &n;
  target.run_on_nodes(cluster::NodeSelection::all, [&](const cluster::Node& node, client::Connection& conn,
                                                       std::function<void(Expected<void>)> done) {
    auto it = shown.find(target.label(node));
    if (it == shown.end()) return done({});
    auto* n = it->second;
    conn.send(client::cmd({"SLOWLOG", "RESET"}), [n, done](Expected<resp::Value> r) {
      if (!r) n->reset_error = r.error();
      else if (r->is_error()) n->reset_error = client::refusal_error(r->str, "SLOWLOG RESET");
      else n->reset = true;
      done({});
    });
  });
  for (auto& [address, n] : shown)
    if (!n->reset && !n->reset_error)
      n->reset_error = Error{ErrorKind::connect, address + ": not reached for SLOWLOG RESET", {}};
}

WatchPoll Watermarks::take_new(const std::vector<Entry>& entries, const std::vector<NodeResult>& nodes) {
  WatchPoll poll;
  std::map<std::string, std::int64_t> keep_above;  // node -> show ids above this
  for (const auto& n : nodes) {
    if (n.error) {
      if (m_failing.insert(n.address).second && m_primed) poll.failed.push_back(n);
      continue;
    }
    if (m_failing.erase(n.address) > 0 && m_primed) poll.recovered.push_back(n.address);
    if (!n.max_id) continue;
    auto last = m_last.find(n.address);
    if (last == m_last.end()) {
      keep_above[n.address] = m_primed ? -1 : *n.max_id;
    } else if (*n.max_id < last->second) {
      keep_above[n.address] = -1;
    } else {
      keep_above[n.address] = last->second;
      // Ids are consecutive per node: one above the last seen should be the lowest read.
      if (n.min_id && *n.min_id > last->second + 1) poll.missed[n.address] = *n.min_id - last->second - 1;
    }
    m_last[n.address] = *n.max_id;
  }
  m_primed = true;
  for (const auto& e : entries) {
    auto it = keep_above.find(e.node);
    if (it != keep_above.end() && e.id > it->second) poll.entries.push_back(e);
  }
  return poll;
}

}  // namespace rctl::slowlog
