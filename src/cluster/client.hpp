#pragma once
// The handle every command uses to talk to "the Redis": a standalone server is a topology
// of one node, a cluster is discovered from any seed. Keyed commands are routed by slot and
// follow MOVED/ASK; keyspace-wide work fans out over every primary concurrently on one loop.
// Code above cluster/ never asks which kind it has, except to report it.

#include "client/connection.hpp"
#include "cluster/topology.hpp"
#include "net/event_loop.hpp"
#include "util/error.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rctl::cluster {

// primaries: one per shard serving slots; replicas: SlotMap::replicas() (one per primary, the
// primary itself where a shard has no usable replica); all: every node.
enum class NodeSelection { primaries, replicas, all };

// One node's part of a fan-out.
struct NodeOutcome {
  const Node* node = nullptr;
  Expected<std::vector<resp::Value>> replies;
};

// Per-node work for run_on_nodes: use `connection`, then call `done` exactly once.
using NodeWork =
    std::function<void(const Node& node, client::Connection& connection, std::function<void(Expected<void>)> done)>;

// Fresh credentials (AUTH user and password) when the current ones are about to expire,
// nullopt while they are good; called before each piece of work (cloud identity tokens).
using CredentialRefresher = std::function<Expected<std::optional<std::pair<std::string, util::Secret>>>()>;

struct ClientOptions {
  bool force_cluster = false;  // --cluster: fail unless the server is in cluster mode
  int retries = 0;  // extra connection attempts, with jittered backoff
  int max_redirects = 5;  // MOVED/ASK hops per command before giving up
};

class Client {
 public:
  // Connects to the seed, detects cluster mode (INFO cluster) and reads the topology
  // (CLUSTER SHARDS, falling back to CLUSTER SLOTS).
  static Expected<std::unique_ptr<Client>> open(net::EventLoop& loop, client::ConnectionOptions seed,
                                                ClientOptions options = {});

  ~Client();

  bool is_cluster() const { return m_cluster; }
  const SlotMap& topology() const { return m_map; }
  std::vector<const Node*> primaries() const { return m_map.primaries(); }
  std::vector<const Node*> nodes() const { return m_map.nodes(); }
  std::vector<const Node*> select(NodeSelection which) const;

  // "host:port" of a node, or "unix:/path" for a standalone unix-socket server.
  std::string label(const Node& node) const;

  // The connection used for discovery; its report describes the seed's handshake.
  client::Connection& seed() { return *m_seed; }
  const client::ConnectionOptions& seed_options() const { return m_seed_options; }

  // Runs one command: routed by its key (any node when it has none), following MOVED, ASK,
  // TRYAGAIN and CLUSTERDOWN within bounds. A command that is not retry-safe is never sent
  // twice after a connection failure: the error is ErrorKind::outcome_unknown.
  Expected<resp::Value> exec(client::Command command);

  // Runs several commands, each routed by its key; commands for the same node are pipelined
  // and nodes are served concurrently. Results are in input order.
  Expected<std::vector<resp::Value>> exec_all(std::vector<client::Command> commands);

  // The connection to `node`, opened on first use.
  Expected<client::Connection*> connection(const Node& node);

  // A new connection to `node`, owned by the caller (for work that wants a second
  // connection to the same node, such as scanning on one while deleting on another).
  Expected<std::unique_ptr<client::Connection>> open_connection(const Node& node);

  // Sends the same pipeline to each selected node concurrently.
  std::vector<NodeOutcome> fan_out(NodeSelection which, const std::vector<client::Command>& commands);

  // Runs `work` on each selected node concurrently (connections opened concurrently too).
  // Returns one result per node, in the order of select(which).
  std::vector<std::pair<const Node*, Expected<void>>> run_on_nodes(NodeSelection which, const NodeWork& work);

  // Re-reads the topology from any reachable node. Node pointers obtained before stay valid.
  Expected<void> refresh();

  net::EventLoop& loop() { return m_loop; }

  // Installs the refresher: when it hands out new credentials, every open connection of this
  // client sends AUTH with them (nothing is dropped or reopened) and new connections use them.
  // Connections taken with open_connection() belong to their caller: see refresh_while_busy().
  void set_credential_refresher(CredentialRefresher refresher) { m_refresher = std::move(refresher); }

  // For work that keeps the loop busy for long inside one call (a keyspace walk): when new
  // credentials are due, queues AUTH on every open connection and on `extra` (connections
  // from open_connection()), behind what they are already sending. Replies come later; a
  // refusal (the connection keeps its earlier authentication) fails the next exec().
  void refresh_while_busy(const std::vector<client::Connection*>& extra);

 private:
  // Asks the refresher and re-authenticates; fails with ErrorKind::auth when a server
  // refuses the new credentials.
  Expected<void> refresh_credentials_if_due();
  // The refresher's answer, installed for new connections.
  Expected<std::optional<std::pair<std::string, util::Secret>>> fresh_credentials();
  std::vector<client::Connection*> open_connections() const;
  Client(net::EventLoop& loop, client::ConnectionOptions seed_options, ClientOptions options);
  client::ConnectionOptions options_for(const NodeAddress& address) const;
  Expected<void> discover(client::Connection& via);
  Expected<client::Connection*> connection_to(const NodeAddress& address);
  const Node* route(const client::Command& command) const;
  void update_slot(int slot, const NodeAddress& primary);
  Expected<resp::Value> exec_routed(client::Command command, const Node* node);

  net::EventLoop& m_loop;
  client::ConnectionOptions m_seed_options;
  ClientOptions m_options;
  std::unique_ptr<client::Connection> m_seed;
  NodeAddress m_seed_address;
  bool m_cluster = false;
  SlotMap m_map;
  // Maps replaced by a refresh or a MOVED, kept so that Node pointers handed out earlier stay
  // valid for the life of the client (topology changes during one command are rare).
  std::vector<SlotMap> m_retired;
  std::map<std::string, std::unique_ptr<client::Connection>> m_connections;  // by address
  CredentialRefresher m_refresher;
  std::optional<Error> m_refresh_error;  // from refresh_while_busy(), reported by the next exec
};

// Opens a connection with up to `retries` extra attempts on connect/timeout failures,
// backing off 10 ms, 20 ms, ... up to 1 s with jitter.
Expected<std::unique_ptr<client::Connection>> open_with_retries(net::EventLoop& loop,
                                                                const client::ConnectionOptions& options, int retries);

}  // namespace rctl::cluster
