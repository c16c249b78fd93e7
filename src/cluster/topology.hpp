#pragma once
// The cluster as a client sees it: shards (slot ranges + nodes) and a slot -> primary table.
//
// Built from either CLUSTER SHARDS (Redis >= 7.0, https://redis.io/commands/cluster-shards/)
// or CLUSTER SLOTS (every version, https://redis.io/commands/cluster-slots/), in RESP2 or
// RESP3; both land in the same model. No I/O: the caller sends the command and passes the
// reply here.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/address.hpp"
#include "resp/value.hpp"
#include "util/error.hpp"

namespace rctl::cluster {

struct Node {
  std::string id;  // 40-hex node id; empty when the reply did not say (old CLUSTER SLOTS)
  NodeAddress address;  // where clients should connect (see ParseContext for the choice)
  std::string ip;  // announced IP; may be empty (a node that has not learnt its IP)
  std::string hostname;  // announced hostname (cluster-announce-hostname); may be empty
  int port = 0;  // plaintext port; 0 when not announced or unknown
  int tls_port = 0;  // TLS port (CLUSTER SHARDS only); 0 when not announced
  bool primary = true;  // role "master" (false for "replica")
  std::string primary_id;  // for replicas: id of the shard's primary (may be empty)
  std::string health;  // CLUSTER SHARDS health as sent ("online", "loading", and
      // "fail" from 7.0 although the docs say "failed"); empty if unknown
  std::int64_t replication_offset = -1;  // -1 when unknown
};

struct SlotRange {
  int first = 0;  // inclusive
  int last = 0;  // inclusive

  bool operator==(const SlotRange&) const = default;
};

// A primary and its replicas with the slots they serve. Normally exactly one primary;
// a shard may serve no slots (e.g. a failed former primary after failover).
struct Shard {
  std::vector<SlotRange> slots;  // sorted, non-overlapping, adjacent ranges merged
  std::vector<Node> nodes;  // any order
};

// How to turn a reply into addresses.
struct ParseContext {
  // The host we sent the command to. Nodes whose endpoint is unknown (NULL, "" or "?") are
  // reachable there: Redis 7 says so for cluster-preferred-endpoint-type unknown-endpoint
  // (nodes behind a load balancer). Empty keeps the host empty for the caller to fill in.
  std::string_view seed_host;
  // Connecting over TLS: CLUSTER SHARDS lists "port" and/or "tls-port"; we use tls-port when
  // present, else port. CLUSTER SLOTS has a single port, already the one for the transport
  // the command arrived on, so it ignores this.
  bool tls = false;
  // Connect to the announced hostname even when the server's preferred endpoint is the IP.
  // TLS certificates usually name hosts, not IPs (ElastiCache, SNI proxies). Off: follow the
  // server's `endpoint`, which is also what MOVED/ASK redirects name.
  bool prefer_hostname = true;
};

class SlotMap {
 public:
  // An empty map: no shards, no slot covered.
  SlotMap();

  // Parses a CLUSTER SHARDS reply (array of shards; each a RESP3 map or RESP2 flat
  // key/value array with "slots" and "nodes"). Fails with ErrorKind::server when the reply
  // is an error (e.g. "unknown command" before 7.0), ErrorKind::protocol when it is malformed.
  static Expected<SlotMap> from_shards_reply(const resp::Value& reply, const ParseContext& context);

  // Parses a CLUSTER SLOTS reply: [[first, last, [host, port, id, {meta}], [replica]...]...].
  // Ranges served by the same primary are merged into one shard. Same failures as above.
  static Expected<SlotMap> from_slots_reply(const resp::Value& reply, const ParseContext& context);

  // Builds a map from shards as given. Fails (protocol) when a range is outside 0..16383,
  // reversed, or a slot is claimed twice.
  static Expected<SlotMap> from_shards(std::vector<Shard> shards);

  // A standalone server: one primary serving every slot.
  static SlotMap standalone(NodeAddress address);

  // Every shard, including shards serving no slot.
  const std::vector<Shard>& shards() const { return m_shards; }

  // Primaries of shards that serve at least one slot: the nodes to fan out over.
  std::vector<const Node*> primaries() const;

  // Every node of every shard, primaries and replicas.
  std::vector<const Node*> nodes() const;

  // One node per entry of primaries(), in the same order: the shard's replica that is not
  // failed, online ones first, then the furthest along (replication offset); the primary
  // itself when the shard has no such replica. What a read-only walk of the keyspace uses to spare the primaries.
  std::vector<const Node*> replicas() const;

  // The primary serving `slot`, or nullptr when the slot is uncovered or out of range. O(1).
  const Node* primary_for_slot(int slot) const;

  // Index into shards() of the shard serving `slot`, or -1. O(1).
  int shard_for_slot(int slot) const;

  // Number of slots whose shard has a primary; k_slot_count when fully covered.
  int covered_slots() const;

  // After MOVED: serve `slot` from the node at `primary`. A node already in the map is
  // matched by address, IP or hostname with the same port (MOVED names the server's preferred
  // endpoint, which may differ from the address we chose); a matching replica is promoted,
  // as after a failover. An unknown address becomes a new shard. Out-of-range slots are
  // ignored. `primary.host` must already be resolved (no empty host).
  void assign(int slot, const NodeAddress& primary);

 private:
  void rebuild_index();

  std::vector<Shard> m_shards;
  std::vector<int> m_primary_of_shard;  // index into shard.nodes, -1 when no primary
  std::vector<std::int32_t> m_shard_of_slot;  // k_slot_count entries; -1 when uncovered
};

}  // namespace rctl::cluster
