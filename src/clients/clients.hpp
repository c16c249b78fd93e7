#pragma once
// `rctl clients`: CLIENT LIST from every node (primaries and replicas), parsed and summed up
// for an incident: headroom against maxclients, who is connected (by host, name, library,
// ACL user), how idle they are, who holds big buffers, pub/sub clients near their output
// buffer limit, blocked clients and what they wait on; and `rctl clients kill`.
//
// Domain clients (namespace rctl::clients, library rctl_clients): may use server/ (INFO),
// cluster/, client/, decode/, util/; output/ only in its render*.cpp files (documents:
// clients/render.hpp). Never commands/ nor another domain: src/CMakeLists.txt links by that
// table and tests/docs/check_layers.py fails on a wrong-way include.

#include "clients/client_list.hpp"
#include "cluster/client.hpp"
#include "server/info.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rctl::clients {

// client-output-buffer-limit for one class (CONFIG GET): 0 means no limit.
struct BufferLimit {
  std::int64_t hard_bytes = 0, soft_bytes = 0, soft_seconds = 0;
};

// Parses "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60" for `klass`
// ("pubsub"); nullopt when the class is missing or malformed.
std::optional<BufferLimit> parse_buffer_limit(std::string_view config, std::string_view klass);

struct NodeClients {
  std::string address;
  std::string role;  // "primary" / "replica"
  std::optional<Error> error;  // unreachable: nothing known about this node
  std::optional<Error> list_error;  // CLIENT LIST refused: only INFO clients is known
  std::int64_t own_id = -1;  // rctl's own connection on this node (CLIENT ID)
  std::vector<ClientInfo> clients;  // every client listed (before --filter)
  std::optional<std::int64_t> maxclients;
  std::string maxclients_source;  // "config" or "info"; empty when unknown
  std::optional<BufferLimit> pubsub_limit;  // CONFIG GET client-output-buffer-limit; unset if refused
  server::Info info;  // INFO clients (shown when CLIENT LIST is refused)
};

// CLIENT ID, CLIENT LIST, CONFIG GET maxclients and client-output-buffer-limit, INFO clients
// on every node concurrently. Refusals are per node, never fatal.
std::vector<NodeClients> collect(cluster::Client& target);

// True when no node could be reached at all: the first node's error says why.
bool none_reachable(const std::vector<NodeClients>& nodes);

struct Count {
  std::string key;  // host, name, user, or "lib-name lib-ver"
  std::int64_t count = 0;
};

struct IdleBucket {
  std::string label;  // "<1s", "1s-10s", ... ">1h"
  std::int64_t upto_s = -1;  // exclusive upper bound; -1 for the last bucket
  std::int64_t count = 0;
};

// A pub/sub client and how close its output buffer is to the limit that disconnects it.
struct NearLimit {
  ClientInfo client;
  BufferLimit limit;
  double used_ratio = 0;  // omem / the smaller non-zero limit
};

// Percentage of the smaller non-zero pub/sub limit from which a client counts as near it.
inline constexpr double k_near_limit_ratio = 0.5;
// Clients in each "top" list.
inline constexpr std::size_t k_top_clients = 10;

struct Summary {
  std::int64_t clients = 0;  // matching clients
  std::int64_t connected = 0;  // all clients of the nodes that listed them
  std::int64_t maxclients = 0;  // sum over nodes that said
  std::vector<Count> by_host, by_name, by_lib, by_user;  // most first
  bool lib_known = false;  // some node reports lib-name (Redis >= 7.2)
  std::vector<IdleBucket> idle;
  std::vector<ClientInfo> top_output;  // by omem, then tot-mem
  std::vector<ClientInfo> top_query;  // by qbuf
  std::vector<NearLimit> pubsub_near_limit;
  std::vector<ClientInfo> blocked;
  std::vector<ClientInfo> matching;  // every client that passes the filter, by node then id
};

// Sums up the clients of `nodes` that meet `conditions`.
Summary summarize(const std::vector<NodeClients>& nodes, const std::vector<Condition>& conditions);

// One node's part of a kill.
struct KillNode {
  std::string address;
  std::int64_t matched = 0;  // clients meeting the filter
  std::int64_t skipped_self = 0;  // rctl's own connection
  std::int64_t skipped_replication = 0;  // replication links (flags S/M) are never killed
  std::int64_t killed = 0;  // CLIENT KILL ID answered 1
  std::int64_t gone = 0;  // answered 0: it disconnected on its own meanwhile
  std::optional<Error> error;
};

struct KillPlan {
  std::vector<ClientInfo> targets;  // what would be killed
  std::vector<KillNode> nodes;
};

// Chooses the clients to kill: those meeting `conditions`, minus rctl's own connection and
// replication links.
KillPlan plan_kill(const std::vector<NodeClients>& nodes, const std::vector<Condition>& conditions);

// Sends CLIENT KILL ID for every target, per node concurrently; records the exact counts in
// plan.nodes.
void kill(cluster::Client& target, KillPlan& plan);

}  // namespace rctl::clients
