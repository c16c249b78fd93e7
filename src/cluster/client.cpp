#include "cluster/client.hpp"

#include "client/server_error.hpp"
#include "cluster/redirect.hpp"
#include "cluster/slot.hpp"
#include "net/endpoint.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <random>
#include <thread>

namespace rctl::cluster {

namespace {

std::chrono::milliseconds backoff(int attempt) {
  static std::mt19937 rng{std::random_device{}()};
  auto cap = std::min<long>(1000, 10L << std::min(attempt, 7));
  std::uniform_int_distribution<long> dist(cap / 2, cap);
  return std::chrono::milliseconds(dist(rng));
}

bool retryable(const Error& e) { return e.kind == ErrorKind::connect || e.kind == ErrorKind::timeout; }

// A wait drawn from [delay/2, delay], so that many clients backing off together (after a
// failover, a restart) do not come back in step.
std::chrono::milliseconds jittered(std::chrono::milliseconds delay) {
  static std::mt19937 rng{std::random_device{}()};
  if (delay.count() < 2) return delay;
  std::uniform_int_distribution<long> dist(delay.count() / 2, delay.count());
  return std::chrono::milliseconds(dist(rng));
}

// The error for a command that is not retry-safe and whose connection failed after it was
// written: it may or may not have run, and sending it again could run it twice.
std::unexpected<Error> outcome_unknown(const client::Command& command, const Error& cause) {
  return fail(ErrorKind::outcome_unknown,
              fmt::format("outcome unknown: {} was sent, then {}", command.name(), cause.message),
              "it may or may not have taken effect, and rctl does not send it twice: check the data before "
              "running the command again");
}

}  // namespace

Expected<std::unique_ptr<client::Connection>> open_with_retries(net::EventLoop& loop,
                                                                const client::ConnectionOptions& options, int retries) {
  for (int attempt = 0;; ++attempt) {
    auto conn = client::Connection::open(loop, options);
    if (conn || attempt >= retries || !retryable(conn.error())) return conn;
    std::this_thread::sleep_for(backoff(attempt));
  }
}

Client::Client(net::EventLoop& loop, client::ConnectionOptions seed_options, ClientOptions options)
    : m_loop(loop), m_seed_options(std::move(seed_options)), m_options(options) {}

Client::~Client() = default;

Expected<std::unique_ptr<Client>> Client::open(net::EventLoop& loop, client::ConnectionOptions seed,
                                               ClientOptions options) {
  std::unique_ptr<Client> c(new Client(loop, std::move(seed), options));
  auto conn = open_with_retries(loop, c->m_seed_options, options.retries);
  if (!conn) return std::unexpected(conn.error());
  c->m_seed = std::move(*conn);
  const auto& ep = c->m_seed_options.endpoint;
  c->m_seed_address =
      ep.transport == net::Transport::unix_socket ? NodeAddress{ep.socket_path, 0} : NodeAddress{ep.host, ep.port};
  auto info = c->m_seed->exec(client::cmd({"INFO", "cluster"}));
  if (!info) return std::unexpected(info.error());
  bool enabled = info->is_string() && info->str.find("cluster_enabled:1") != std::string::npos;
  if (options.force_cluster && !enabled)
    return fail(ErrorKind::usage,
                "cluster mode required (--cluster or a redis+cluster:// URL), but the server is not in cluster mode",
                info->is_error() ? "INFO was refused: " + info->str : "drop --cluster for a standalone server");
  if (!enabled) {
    c->m_map = SlotMap::standalone(c->m_seed_address);
    return c;
  }
  c->m_cluster = true;
  if (auto ok = c->discover(*c->m_seed); !ok) return std::unexpected(ok.error());
  return c;
}

Expected<void> Client::discover(client::Connection& via) {
  const auto& ep = via.options().endpoint;
  ParseContext context{ep.host, ep.transport == net::Transport::tls};
  auto shards = via.exec(client::cmd({"CLUSTER", "SHARDS"}));
  if (!shards) return std::unexpected(shards.error());
  Expected<SlotMap> map = fail(ErrorKind::server, "no topology");
  if (!shards->is_error()) {
    map = SlotMap::from_shards_reply(*shards, context);
  } else {
    auto slots = via.exec(client::cmd({"CLUSTER", "SLOTS"}));
    if (!slots) return std::unexpected(slots.error());
    map = SlotMap::from_slots_reply(*slots, context);
  }
  if (!map) return std::unexpected(map.error());
  if (!m_map.shards().empty()) m_retired.push_back(std::move(m_map));
  m_map = std::move(*map);
  return {};
}

Expected<void> Client::refresh() {
  if (!m_cluster) return {};
  std::optional<Error> last;
  std::vector<NodeAddress> candidates;
  for (const auto* n : m_map.primaries()) candidates.push_back(n->address);
  for (const auto* n : m_map.nodes())
    if (!n->primary) candidates.push_back(n->address);
  candidates.push_back(m_seed_address);
  for (const auto& address : candidates) {
    auto conn = connection_to(address);
    if (!conn) {
      last = conn.error();
      continue;
    }
    auto ok = discover(**conn);
    if (ok) return {};
    last = ok.error();
  }
  return std::unexpected(last.value_or(Error{ErrorKind::connect, "no cluster node reachable", {}}));
}

std::vector<const Node*> Client::select(NodeSelection which) const {
  switch (which) {
    case NodeSelection::primaries: return m_map.primaries();
    case NodeSelection::replicas: return m_map.replicas();
    case NodeSelection::all: break;
  }
  return m_map.nodes();
}

std::string Client::label(const Node& node) const {
  if (m_seed_options.endpoint.transport == net::Transport::unix_socket && !m_cluster)
    return "unix:" + node.address.host;
  return to_string(node.address);
}

client::ConnectionOptions Client::options_for(const NodeAddress& address) const {
  auto o = m_seed_options;
  if (!m_cluster) return o;
  if (o.endpoint.transport == net::Transport::unix_socket) o.endpoint.transport = net::Transport::tcp;
  o.endpoint.host = address.host.empty() ? m_seed_options.endpoint.host : address.host;
  o.endpoint.port = address.port;
  // Each node's certificate is checked against that node's own name (or IP); a --sni given
  // for the seed would be wrong for the others.
  o.tls.sni.clear();
  o.db = 0;
  return o;
}

Expected<client::Connection*> Client::connection_to(const NodeAddress& address) {
  if (!m_cluster || address == m_seed_address) {
    if (!m_seed->broken()) return m_seed.get();
  }
  auto key = to_string(address);
  auto it = m_connections.find(key);
  if (it != m_connections.end() && !it->second->broken()) return it->second.get();
  auto conn = open_with_retries(m_loop, options_for(address), m_options.retries);
  if (!conn) return std::unexpected(conn.error());
  auto* raw = conn->get();
  if (!m_cluster) m_seed = std::move(*conn);
  else m_connections[key] = std::move(*conn);
  return raw;
}

Expected<client::Connection*> Client::connection(const Node& node) { return connection_to(node.address); }

Expected<std::unique_ptr<client::Connection>> Client::open_connection(const Node& node) {
  // A connection opened late in a long run (a reconnect) logs in with the credentials due
  // now, not with a token that expired meanwhile.
  refresh_while_busy({});
  return open_with_retries(m_loop, options_for(node.address), m_options.retries);
}

const Node* Client::route(const client::Command& command) const {
  if (command.has_key()) return m_map.primary_for_slot(key_slot(command.routing_key()));
  auto primaries = m_map.primaries();
  return primaries.empty() ? nullptr : primaries.front();
}

void Client::update_slot(int slot, const NodeAddress& primary) {
  auto next = m_map;
  next.assign(slot, primary);
  m_retired.push_back(std::move(m_map));
  m_map = std::move(next);
}

Expected<resp::Value> Client::exec_routed(client::Command command, const Node* node) {
  RedirectPolicy policy;
  policy.max_hops = m_options.max_redirects;
  // --retries raises the budget for waiting out LOADING/BUSY/TRYAGAIN/CLUSTERDOWN and for
  // reconnecting; it never lowers the default.
  policy.max_retries = std::max(policy.max_retries, m_options.retries);
  int slot = command.has_key() ? key_slot(command.routing_key()) : -1;
  RedirectTracker tracker(policy, slot);
  NodeAddress target = node ? node->address : m_seed_address;
  bool asking = false;
  auto reroute = [&] {
    if (const auto* n = route(command)) target = n->address;
  };
  while (true) {
    auto conn = connection_to(target);
    Decision decision;
    std::optional<Error> lost;  // why the last attempt has no reply
    Expected<resp::Value> reply = fail(ErrorKind::internal, "not sent");
    if (!conn) {
      // Nothing was sent. open_with_retries has spent --retries on this address already; only
      // a cluster has somewhere else to go (the node may have failed over).
      if (!m_cluster) return std::unexpected(conn.error());
      lost = conn.error();
      decision = tracker.on_connection_lost(true);
    } else {
      if (asking) {
        std::vector<client::Command> pair;
        pair.push_back(client::cmd({"ASKING"}));
        pair.push_back(command);
        auto replies = (*conn)->exec(std::move(pair));
        reply = replies ? Expected<resp::Value>(std::move((*replies)[1])) : std::unexpected(replies.error());
      } else {
        reply = (*conn)->exec(command);
      }
      asking = false;
      if (!reply) {
        const auto& e = reply.error();
        // A protocol or TLS failure is not a lost connection: report it as it is.
        if (e.kind != ErrorKind::connect && e.kind != ErrorKind::timeout) return reply;
        if (!command.retry_safe) return outcome_unknown(command, e);
        // A stalled server stays stalled: --timeout is the wait the user chose.
        if (e.kind == ErrorKind::timeout) return reply;
        lost = e;
        decision = tracker.on_connection_lost(true);
      } else {
        // A standalone server never redirects; a MOVED from one is just an error reply.
        if (!m_cluster && reply->is_error() && !transient_state(reply->str)) return reply;
        decision = tracker.on_reply(*reply, target);
      }
    }
    switch (decision.action) {
      case Action::done: return reply;
      case Action::give_up: {
        auto error = decision.error;
        if (lost && error.kind == ErrorKind::connect) error = *lost;
        return std::unexpected(std::move(error));
      }
      case Action::retry_on_target_after_asking:
        asking = true;
        target = decision.target;
        break;
      case Action::retry_on_target_and_update_slot:
        update_slot(decision.slot, decision.target);
        target = decision.target;
        break;
      case Action::refresh_map_then_retry:
        if (!refresh() && decision.slot >= 0) update_slot(decision.slot, decision.target);
        reroute();
        break;
      case Action::backoff_then_retry:
        std::this_thread::sleep_for(jittered(decision.delay));
        if (decision.refresh_map) (void)refresh();
        reroute();
        break;
    }
  }
}

namespace {

client::Command refreshed_auth(const std::string& user, const util::Secret& secret) {
  auto auth = client::cmd({"AUTH", user, secret.reveal()});
  auth.carries_secret = true;
  return auth;
}

Error refused_refresh(const client::Connection& conn, const std::string& reply) {
  return Error{ErrorKind::auth,
               fmt::format("{}: AUTH with the refreshed token was refused: {}", net::describe(conn.options().endpoint),
                           reply.substr(0, reply.find('\n'))),
               {}};
}

}  // namespace

std::vector<client::Connection*> Client::open_connections() const {
  std::vector<client::Connection*> open;
  if (m_seed && !m_seed->broken()) open.push_back(m_seed.get());
  for (const auto& [address, conn] : m_connections)
    if (!conn->broken()) open.push_back(conn.get());
  return open;
}

Expected<std::optional<std::pair<std::string, util::Secret>>> Client::fresh_credentials() {
  if (!m_refresher) return std::optional<std::pair<std::string, util::Secret>>{};
  auto fresh = m_refresher();
  if (fresh && *fresh) {
    m_seed_options.username = (*fresh)->first;
    m_seed_options.password = (*fresh)->second;
  }
  return fresh;
}

Expected<void> Client::refresh_credentials_if_due() {
  if (m_refresh_error) return std::unexpected(*std::exchange(m_refresh_error, std::nullopt));
  auto fresh = fresh_credentials();
  if (!fresh) return std::unexpected(fresh.error());
  if (!*fresh) return {};
  const auto& [user, secret] = **fresh;
  for (auto* conn : open_connections()) {
    auto reply = conn->exec(refreshed_auth(user, secret));
    if (!reply) return std::unexpected(reply.error());
    if (reply->is_error()) return std::unexpected(refused_refresh(*conn, reply->str));
  }
  return {};
}

void Client::refresh_while_busy(const std::vector<client::Connection*>& extra) {
  auto fresh = fresh_credentials();
  if (!fresh) {
    m_refresh_error = fresh.error();
    return;
  }
  if (!*fresh) return;
  auto conns = open_connections();
  for (auto* conn : extra)
    if (conn && !conn->broken()) conns.push_back(conn);
  for (auto* conn : conns)
    conn->send(refreshed_auth((*fresh)->first, (*fresh)->second), [this, conn](Expected<resp::Value> reply) {
      if (reply && reply->is_error() && !m_refresh_error) m_refresh_error = refused_refresh(*conn, reply->str);
    });
}

Expected<resp::Value> Client::exec(client::Command command) {
  if (auto ok = refresh_credentials_if_due(); !ok) return std::unexpected(ok.error());
  const auto* node = route(command);
  if (!node && m_cluster)
    return fail(ErrorKind::server,
                fmt::format("{}: no node serves slot {}", command.name(), key_slot(command.routing_key())),
                "the cluster does not cover every slot (see rctl health)");
  return exec_routed(std::move(command), node);
}

Expected<std::vector<resp::Value>> Client::exec_all(std::vector<client::Command> commands) {
  if (auto ok = refresh_credentials_if_due(); !ok) return std::unexpected(ok.error());
  // Group by node, pipeline per node concurrently, then repair redirected ones one by one.
  std::map<std::string, std::vector<std::size_t>> by_node;
  std::map<std::string, const Node*> node_of;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const auto* node = route(commands[i]);
    auto key = node ? to_string(node->address) : std::string{};
    by_node[key].push_back(i);
    node_of[key] = node;
  }
  std::vector<std::optional<Expected<resp::Value>>> results(commands.size());
  std::size_t remaining = 0;
  for (auto& [key, indices] : by_node) {
    const auto* node = node_of[key];
    if (!node) continue;
    auto conn = connection(*node);
    if (!conn) {
      for (auto i : indices) results[i] = std::unexpected(conn.error());
      continue;
    }
    for (auto i : indices) {
      ++remaining;
      (*conn)->send(commands[i], [&results, &remaining, i](Expected<resp::Value> r) {
        results[i] = std::move(r);
        --remaining;
      });
    }
  }
  m_loop.run_until([&] { return remaining == 0; });
  std::vector<resp::Value> out;
  out.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto& r = results[i];
    // Redirected or refused for a while (LOADING, BUSY...): the command did not run, so it
    // goes through exec()'s bounded retries like a single command.
    bool again_safe = false;
    if (r && *r && (*r)->is_error()) {
      auto kind = client::classify((*r)->str);
      again_safe =
          transient_state((*r)->str) != nullptr ||
          (m_cluster && (kind == client::ServerErrorKind::moved || kind == client::ServerErrorKind::ask ||
                         kind == client::ServerErrorKind::try_again || kind == client::ServerErrorKind::cluster_down));
    }
    if (r && !*r && (r->error().kind == ErrorKind::connect || r->error().kind == ErrorKind::timeout)) {
      // The pipeline's connection failed: whatever was written may have run.
      if (!commands[i].retry_safe) return outcome_unknown(commands[i], r->error());
      if (r->error().kind == ErrorKind::connect) again_safe = true;
    }
    if (!r || again_safe) {
      auto again = exec(commands[i]);
      if (!again) return std::unexpected(again.error());
      out.push_back(std::move(*again));
      continue;
    }
    if (!*r) return std::unexpected(r->error());  // a timeout of a safe read: final, as in exec()
    out.push_back(std::move(**r));
  }
  return out;
}

std::vector<std::pair<const Node*, Expected<void>>> Client::run_on_nodes(NodeSelection which, const NodeWork& work) {
  auto nodes = select(which);
  if (auto ok = refresh_credentials_if_due(); !ok) {
    std::vector<std::pair<const Node*, Expected<void>>> failed;
    for (const auto* node : nodes) failed.emplace_back(node, std::unexpected(ok.error()));
    return failed;
  }
  std::vector<std::optional<Expected<void>>> results(nodes.size());
  std::size_t remaining = nodes.size();
  auto finish = [&results, &remaining](std::size_t i) {
    return [&results, &remaining, i](Expected<void> r) {
      if (results[i]) return;
      results[i] = std::move(r);
      --remaining;
    };
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = *nodes[i];
    client::Connection* existing = nullptr;
    if (!m_cluster || node.address == m_seed_address) {
      if (!m_seed->broken()) existing = m_seed.get();
    } else if (auto it = m_connections.find(to_string(node.address));
               it != m_connections.end() && !it->second->broken()) {
      existing = it->second.get();
    }
    if (existing) {
      work(node, *existing, finish(i));
      continue;
    }
    client::Connection::async_open(
        m_loop, options_for(node.address),
        [this, &node, &work, done = finish(i)](Expected<std::unique_ptr<client::Connection>> conn) mutable {
          if (!conn) return done(std::unexpected(conn.error()));
          auto* raw = conn->get();
          m_connections[to_string(node.address)] = std::move(*conn);
          work(node, *raw, std::move(done));
        });
  }
  m_loop.run_until([&] { return remaining == 0; });
  std::vector<std::pair<const Node*, Expected<void>>> out;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    out.emplace_back(nodes[i],
                     results[i]
                         ? std::move(*results[i])
                         : Expected<void>(std::unexpected(Error{ErrorKind::internal, "node work did not finish", {}})));
  return out;
}

std::vector<NodeOutcome> Client::fan_out(NodeSelection which, const std::vector<client::Command>& commands) {
  auto nodes = select(which);
  std::map<const Node*, std::vector<resp::Value>> replies;
  auto results =
      run_on_nodes(which, [&](const Node& node, client::Connection& conn, std::function<void(Expected<void>)> done) {
        auto& out = replies[&node];
        out.resize(commands.size());
        auto remaining = std::make_shared<std::size_t>(commands.size());
        auto shared_done = std::make_shared<std::function<void(Expected<void>)>>(std::move(done));
        if (commands.empty()) return (*shared_done)({});
        for (std::size_t i = 0; i < commands.size(); ++i)
          conn.send(commands[i], [&out, i, remaining, shared_done](Expected<resp::Value> r) {
            if (!r) return (*shared_done)(std::unexpected(r.error()));
            out[i] = std::move(*r);
            if (--*remaining == 0) (*shared_done)({});
          });
      });
  std::vector<NodeOutcome> outcomes;
  for (auto& [node, result] : results) {
    if (result) outcomes.push_back({node, std::move(replies[node])});
    else outcomes.push_back({node, std::unexpected(result.error())});
  }
  return outcomes;
}

}  // namespace rctl::cluster
