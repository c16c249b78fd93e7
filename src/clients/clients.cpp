#include "clients/clients.hpp"

#include "client/server_error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace rctl::clients {

namespace {

// CONFIG GET replies a flat list (RESP2) or a map (RESP3): [name, value]. The value of `name`.
std::optional<std::string> config_value(const resp::Value& reply, std::string_view name) {
  if (!reply.is_list() && !reply.is_map()) return std::nullopt;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2)
    if (reply.elements[i].str == name && reply.elements[i + 1].is_string()) return reply.elements[i + 1].str;
  return std::nullopt;
}

std::vector<Count> counts_of(const std::map<std::string, std::int64_t>& m) {
  std::vector<Count> out;
  for (const auto& [k, v] : m) out.push_back({k, v});
  std::stable_sort(out.begin(), out.end(), [](const Count& a, const Count& b) { return a.count > b.count; });
  return out;
}

template <class Less>
std::vector<ClientInfo> top_clients(const std::vector<ClientInfo>& all, Less less, bool (*keep)(const ClientInfo&)) {
  std::vector<ClientInfo> out;
  for (const auto& c : all)
    if (keep(c)) out.push_back(c);
  std::stable_sort(out.begin(), out.end(), less);
  if (out.size() > k_top_clients) out.resize(k_top_clients);
  return out;
}

bool clients_by_node_id(const ClientInfo& a, const ClientInfo& b) {
  return a.node != b.node ? a.node < b.node : a.id < b.id;
}

}  // namespace

std::optional<BufferLimit> parse_buffer_limit(std::string_view config, std::string_view klass) {
  std::vector<std::string_view> words;
  for (auto w : util::split(config, ' '))
    if (!w.empty()) words.push_back(w);
  for (std::size_t i = 0; i + 3 < words.size(); i += 4) {
    if (words[i] != klass) continue;
    auto hard = util::parse_int(words[i + 1]), soft = util::parse_int(words[i + 2]),
         secs = util::parse_int(words[i + 3]);
    if (!hard || !soft || !secs) return std::nullopt;
    return BufferLimit{*hard, *soft, *secs};
  }
  return std::nullopt;
}

std::vector<NodeClients> collect(cluster::Client& target) {
  auto outcomes = target.fan_out(
      cluster::NodeSelection::all,
      {client::cmd({"CLIENT", "ID"}), client::cmd({"CLIENT", "LIST"}), client::cmd({"CONFIG", "GET", "maxclients"}),
       client::cmd({"CONFIG", "GET", "client-output-buffer-limit"}), client::cmd({"INFO", "clients"})});
  std::vector<NodeClients> out;
  for (auto& outcome : outcomes) {
    NodeClients n;
    n.address = target.label(*outcome.node);
    n.role = outcome.node->primary ? "primary" : "replica";
    if (!outcome.replies) {
      n.error = outcome.replies.error();
      out.push_back(std::move(n));
      continue;
    }
    const auto& r = *outcome.replies;
    if (r[0].type == resp::Type::integer) n.own_id = r[0].integer;
    if (r[4].is_string()) n.info = server::Info::parse(r[4].str);
    if (r[1].is_error()) n.list_error = client::refusal_error(r[1].str, "CLIENT LIST");
    else if (!r[1].is_string())
      n.list_error =
          Error{ErrorKind::protocol, n.address + ": CLIENT LIST answered with a " + resp::to_string(r[1].type),
                "the server's reply did not have the documented shape"};
    else if (auto list = parse_client_list(r[1].str, n.address)) n.clients = std::move(*list);
    else n.list_error = list.error();
    if (auto v = config_value(r[2], "maxclients"); v && util::parse_int(*v)) {
      n.maxclients = util::parse_int(*v);
      n.maxclients_source = "config";
    } else if (auto info = n.info.integer("maxclients")) {
      n.maxclients = info;
      n.maxclients_source = "info";
    }
    if (auto v = config_value(r[3], "client-output-buffer-limit")) n.pubsub_limit = parse_buffer_limit(*v, "pubsub");
    out.push_back(std::move(n));
  }
  return out;
}

bool none_reachable(const std::vector<NodeClients>& nodes) {
  return !nodes.empty() && std::none_of(nodes.begin(), nodes.end(), [](const NodeClients& n) { return !n.error; });
}

Summary summarize(const std::vector<NodeClients>& nodes, const std::vector<Condition>& conditions) {
  Summary s;
  std::map<std::string, std::int64_t> hosts, names, libs, users;
  s.idle = {{"<1s", 1, 0},      {"1s-10s", 10, 0},   {"10s-1m", 60, 0},
            {"1m-10m", 600, 0}, {"10m-1h", 3600, 0}, {">1h", -1, 0}};
  for (const auto& n : nodes) {
    if (n.error) continue;
    if (n.maxclients) s.maxclients += *n.maxclients;
    if (n.list_error) {
      s.connected += n.info.integer("connected_clients").value_or(0);
      continue;
    }
    s.connected += static_cast<std::int64_t>(n.clients.size());
    for (const auto& c : n.clients) {
      if (!matches(c, conditions)) continue;
      ++s.clients;
      ++hosts[c.host()];
      ++names[c.name.empty() ? "(no name)" : c.name];
      ++users[c.user.empty() ? "(unknown)" : c.user];
      if (c.has_lib) {
        s.lib_known = true;
        ++libs[c.lib_name.empty() ? std::string("(not set)") : fmt::format("{} {}", c.lib_name, c.lib_ver)];
      }
      for (auto& b : s.idle)
        if (b.upto_s < 0 || c.idle_s < b.upto_s) {
          ++b.count;
          break;
        }
      if (c.blocked()) s.blocked.push_back(c);
      if (c.pubsub() && n.pubsub_limit) {
        auto limit = *n.pubsub_limit;
        std::int64_t smaller = 0;
        for (auto l : {limit.hard_bytes, limit.soft_bytes})
          if (l > 0) smaller = smaller ? std::min(smaller, l) : l;
        if (smaller > 0 && c.omem >= 0) {
          double ratio = static_cast<double>(c.omem) / static_cast<double>(smaller);
          if (ratio >= k_near_limit_ratio) s.pubsub_near_limit.push_back({c, limit, ratio});
        }
      }
      s.matching.push_back(c);
    }
  }
  s.by_host = counts_of(hosts);
  s.by_name = counts_of(names);
  s.by_user = counts_of(users);
  s.by_lib = counts_of(libs);
  s.top_output = top_clients(
      s.matching,
      [](const ClientInfo& a, const ClientInfo& b) {
        return a.omem != b.omem ? a.omem > b.omem : a.tot_mem > b.tot_mem;
      },
      [](const ClientInfo& c) { return c.omem > 0 || c.tot_mem > 0; });
  s.top_query = top_clients(
      s.matching, [](const ClientInfo& a, const ClientInfo& b) { return a.qbuf > b.qbuf; },
      [](const ClientInfo& c) { return c.qbuf > 0; });
  std::stable_sort(s.matching.begin(), s.matching.end(), clients_by_node_id);
  std::sort(s.pubsub_near_limit.begin(), s.pubsub_near_limit.end(),
            [](const NearLimit& a, const NearLimit& b) { return a.used_ratio > b.used_ratio; });
  return s;
}

KillPlan plan_kill(const std::vector<NodeClients>& nodes, const std::vector<Condition>& conditions) {
  KillPlan plan;
  for (const auto& n : nodes) {
    KillNode k;
    k.address = n.address;
    if (n.error || n.list_error) {
      k.error = n.error ? n.error : n.list_error;
      plan.nodes.push_back(std::move(k));
      continue;
    }
    for (const auto& c : n.clients) {
      if (!matches(c, conditions)) continue;
      ++k.matched;
      if (c.id == n.own_id) ++k.skipped_self;
      else if (c.replication_link()) ++k.skipped_replication;
      else plan.targets.push_back(c);
    }
    plan.nodes.push_back(std::move(k));
  }
  std::stable_sort(plan.targets.begin(), plan.targets.end(), clients_by_node_id);
  return plan;
}

void kill(cluster::Client& target, KillPlan& plan) {
  std::map<std::string, std::vector<std::int64_t>> ids;  // node -> client ids
  for (const auto& c : plan.targets) ids[c.node].push_back(c.id);
  std::map<std::string, KillNode*> by_node;
  for (auto& k : plan.nodes) by_node[k.address] = &k;
  auto results = target.run_on_nodes(
      cluster::NodeSelection::all,
      [&](const cluster::Node& node, client::Connection& conn, std::function<void(Expected<void>)> done) {
        auto label = target.label(node);
        auto it = ids.find(label);
        auto* k = by_node.count(label) ? by_node[label] : nullptr;
        if (it == ids.end() || !k) return done({});
        auto remaining = std::make_shared<std::size_t>(it->second.size());
        auto finish = std::make_shared<std::function<void(Expected<void>)>>(std::move(done));
        for (auto id : it->second) {
          // The filter form (CLIENT KILL ID n) answers how many it killed: 1, or 0 when the
          // client went away by itself since CLIENT LIST. Not retried: a resend could not tell.
          conn.send(client::cmd({"CLIENT", "KILL", "ID", std::to_string(id)}).unsafe_to_retry(),
                    [k, remaining, finish](Expected<resp::Value> r) {
                      if (!r) {
                        if (!k->error) k->error = r.error();
                      } else if (r->is_error()) {
                        if (!k->error) k->error = client::refusal_error(r->str, "CLIENT KILL");
                      } else if (r->type == resp::Type::integer && r->integer > 0) {
                        k->killed += r->integer;
                      } else {
                        ++k->gone;
                      }
                      if (--*remaining == 0) (*finish)({});
                    });
        }
      });
  for (auto& [node, result] : results)
    if (!result) {
      auto label = target.label(*node);
      if (by_node.count(label) && !by_node[label]->error && ids.count(label)) by_node[label]->error = result.error();
    }
}

}  // namespace rctl::clients
