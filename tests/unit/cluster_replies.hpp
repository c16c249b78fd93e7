#pragma once
// CLUSTER SHARDS / CLUSTER SLOTS replies rebuilt as resp::Value trees, field for field and in
// the order redis-server 7.0.15 sent them (captured from a local 3 primaries + 3 replicas
// cluster on 127.0.0.1:7301-7306, and a 3-primary TLS cluster with tls-cluster yes, plain
// ports 7311-7313 and TLS ports 7321-7323). Each builder takes `resp3`: RESP3 sends maps
// (%N) where RESP2 sends flat key/value arrays (*2N); nothing else differs.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "resp/value.hpp"

namespace cluster_replies {

using rctl::resp::Type;
using rctl::resp::Value;
using Fields = std::vector<std::pair<std::string, Value>>;

inline Value str(std::string s) { return Value::bulk(std::move(s)); }
inline Value num(std::int64_t n) { return Value::integer_reply(n); }
inline Value arr(std::vector<Value> items) { return Value::list(std::move(items)); }
inline Value ints(const std::vector<int>& values) {
  std::vector<Value> items;
  for (int v : values) items.push_back(num(v));
  return arr(std::move(items));
}

// A RESP3 map or its RESP2 flat-array equivalent.
inline Value pairs(bool resp3, Fields fields) {
  std::vector<Value> items;
  for (auto& [key, value] : fields) {
    items.push_back(str(key));
    items.push_back(std::move(value));
  }
  return Value::list(std::move(items), resp3 ? Type::map : Type::array);
}

inline const std::string k_id_7301 = "a93876fa92119b50227ace73447928d798c2147b";
inline const std::string k_id_7302 = "2f7570d4170a138673a443b0fc1c248037088e3c";
inline const std::string k_id_7303 = "bfece7672f103158cfbd66ab9441a88801ecd539";
inline const std::string k_id_7304 = "a6aef7faf48c88b346161e27df96c16f957dc5f7";  // replica of 7301
inline const std::string k_id_7305 = "77e26796b7aa45fce2c4a66145414b9dae55a169";  // replica of 7302
inline const std::string k_id_7306 = "8edc723b2d08e117f03b05101c52ca4e82e27002";  // replica of 7303

// One node of a CLUSTER SHARDS shard. Field order as sent: id, port, tls-port, ip, endpoint,
// hostname, role, replication-offset, health ("port"/"tls-port"/"hostname" only when set).
struct ShardsNode {
  std::string id;
  int port = 0;
  std::string endpoint = "127.0.0.1";
  std::string hostname;  // empty: field absent
  bool primary = true;
  std::int64_t offset = 14;
  std::string health = "online";
  int tls_port = 0;
  std::string ip = "127.0.0.1";
};

inline Value shards_node(bool resp3, const ShardsNode& n) {
  Fields f;
  f.emplace_back("id", str(n.id));
  if (n.port != 0) f.emplace_back("port", num(n.port));
  if (n.tls_port != 0) f.emplace_back("tls-port", num(n.tls_port));
  f.emplace_back("ip", str(n.ip));
  f.emplace_back("endpoint", str(n.endpoint));
  if (!n.hostname.empty()) f.emplace_back("hostname", str(n.hostname));
  f.emplace_back("role", str(n.primary ? "master" : "replica"));
  f.emplace_back("replication-offset", num(n.offset));
  f.emplace_back("health", str(n.health));
  return pairs(resp3, std::move(f));
}

inline Value shard(bool resp3, const std::vector<int>& slots, const std::vector<ShardsNode>& nodes) {
  std::vector<Value> node_values;
  for (const auto& n : nodes) node_values.push_back(shards_node(resp3, n));
  return pairs(resp3, {{"slots", ints(slots)}, {"nodes", arr(std::move(node_values))}});
}

// One node of a CLUSTER SLOTS range: [endpoint, port, id, metadata]. The endpoint is NULL
// ($-1 in RESP2, _ in RESP3: the same Value) with cluster-preferred-endpoint-type unknown-endpoint.
inline Value slots_node(bool resp3, Value endpoint, int port, const std::string& id, Fields meta = {}) {
  return arr({std::move(endpoint), num(port), str(id), pairs(resp3, std::move(meta))});
}

inline Value slots_range(int first, int last, std::vector<Value> nodes) {
  std::vector<Value> items{num(first), num(last)};
  for (auto& n : nodes) items.push_back(std::move(n));
  return arr(std::move(items));
}

// --- 3 primaries + 3 replicas right after `redis-cli --cluster create --cluster-replicas 1`.
// CLUSTER SHARDS lists the shard of 10923-16383 first (dict order, not slot order).
inline Value baseline_shards(bool resp3) {
  return arr({
      shard(resp3, {10923, 16383},
            {{.id = k_id_7303, .port = 7303}, {.id = k_id_7306, .port = 7306, .primary = false}}),
      shard(resp3, {0, 5460}, {{.id = k_id_7301, .port = 7301}, {.id = k_id_7304, .port = 7304, .primary = false}}),
      shard(resp3, {5461, 10922}, {{.id = k_id_7302, .port = 7302}, {.id = k_id_7305, .port = 7305, .primary = false}}),
  });
}

inline Value baseline_slots(bool resp3) {
  auto node = [&](int port, const std::string& id) { return slots_node(resp3, str("127.0.0.1"), port, id); };
  return arr({
      slots_range(0, 5460, {node(7301, k_id_7301), node(7304, k_id_7304)}),
      slots_range(5461, 10922, {node(7302, k_id_7302), node(7305, k_id_7305)}),
      slots_range(10923, 16383, {node(7303, k_id_7303), node(7306, k_id_7306)}),
  });
}

inline std::string host_of(int port) { return "node-" + std::to_string(port) + ".example.test"; }

// --- Every node: CONFIG SET cluster-announce-hostname node-<port>.example.test; default
// cluster-preferred-endpoint-type ip. SHARDS adds "hostname"; SLOTS puts it in the metadata.
inline Value hostname_shards(bool resp3) {
  auto n = [](const std::string& id, int port, bool primary) {
    return ShardsNode{.id = id, .port = port, .hostname = host_of(port), .primary = primary, .offset = 42};
  };
  return arr({
      shard(resp3, {10923, 16383}, {n(k_id_7303, 7303, true), n(k_id_7306, 7306, false)}),
      shard(resp3, {0, 5460}, {n(k_id_7301, 7301, true), n(k_id_7304, 7304, false)}),
      shard(resp3, {5461, 10922}, {n(k_id_7302, 7302, true), n(k_id_7305, 7305, false)}),
  });
}

inline Value hostname_slots(bool resp3) {
  auto node = [&](int port, const std::string& id) {
    return slots_node(resp3, str("127.0.0.1"), port, id, {{"hostname", str(host_of(port))}});
  };
  return arr({
      slots_range(0, 5460, {node(7301, k_id_7301), node(7304, k_id_7304)}),
      slots_range(5461, 10922, {node(7302, k_id_7302), node(7305, k_id_7305)}),
      slots_range(10923, 16383, {node(7303, k_id_7303), node(7306, k_id_7306)}),
  });
}

// --- As above, then on 7301 (the node asked) cluster-preferred-endpoint-type hostname, and
// 7306 cleared its hostname: its endpoint becomes "?" (and SHARDS omits "hostname").
inline Value preferred_hostname_shards(bool resp3) {
  auto n = [](const std::string& id, int port, bool primary) {
    return ShardsNode{
        .id = id, .port = port, .endpoint = host_of(port), .hostname = host_of(port), .primary = primary, .offset = 70};
  };
  return arr({
      shard(
          resp3, {10923, 16383},
          {n(k_id_7303, 7303, true), {.id = k_id_7306, .port = 7306, .endpoint = "?", .primary = false, .offset = 70}}),
      shard(resp3, {0, 5460}, {n(k_id_7301, 7301, true), n(k_id_7304, 7304, false)}),
      shard(resp3, {5461, 10922}, {n(k_id_7302, 7302, true), n(k_id_7305, 7305, false)}),
  });
}

inline Value preferred_hostname_slots(bool resp3) {
  auto node = [&](int port, const std::string& id) {
    return slots_node(resp3, str(host_of(port)), port, id, {{"ip", str("127.0.0.1")}});
  };
  return arr({
      slots_range(0, 5460, {node(7301, k_id_7301), node(7304, k_id_7304)}),
      slots_range(5461, 10922, {node(7302, k_id_7302), node(7305, k_id_7305)}),
      slots_range(10923, 16383,
                  {node(7303, k_id_7303), slots_node(resp3, str("?"), 7306, k_id_7306, {{"ip", str("127.0.0.1")}})}),
  });
}

// --- cluster-preferred-endpoint-type unknown-endpoint on 7301: SHARDS endpoint "", SLOTS
// endpoint NULL with "ip" and "hostname" metadata. MOVED then reads "MOVED 12182 :7303".
inline Value unknown_endpoint_shards(bool resp3) {
  auto n = [](const std::string& id, int port, bool primary) {
    return ShardsNode{
        .id = id, .port = port, .endpoint = "", .hostname = host_of(port), .primary = primary, .offset = 84};
  };
  return arr({
      shard(
          resp3, {10923, 16383},
          {n(k_id_7303, 7303, true), {.id = k_id_7306, .port = 7306, .endpoint = "", .primary = false, .offset = 84}}),
      shard(resp3, {0, 5460}, {n(k_id_7301, 7301, true), n(k_id_7304, 7304, false)}),
      shard(resp3, {5461, 10922}, {n(k_id_7302, 7302, true), n(k_id_7305, 7305, false)}),
  });
}

inline Value unknown_endpoint_slots(bool resp3) {
  auto node = [&](int port, const std::string& id) {
    return slots_node(resp3, Value::nil(), port, id, {{"ip", str("127.0.0.1")}, {"hostname", str(host_of(port))}});
  };
  return arr({
      slots_range(0, 5460, {node(7301, k_id_7301), node(7304, k_id_7304)}),
      slots_range(5461, 10922, {node(7302, k_id_7302), node(7305, k_id_7305)}),
      slots_range(
          10923, 16383,
          {node(7303, k_id_7303), slots_node(resp3, Value::nil(), 7306, k_id_7306, {{"ip", str("127.0.0.1")}})}),
  });
}

// --- Back to endpoint type ip; `redis-cli --cluster reshard` moved slots 0-99 from 7301 to
// 7302, and CLUSTER DELSLOTSRANGE 16000 16383 on every node left them uncovered. SHARDS gives
// 7302 two ranges in one flat list; SLOTS repeats 7302 once per range.
inline Value split_shards(bool resp3) {
  auto n = [](const std::string& id, int port, bool primary, bool named = true) {
    return ShardsNode{
        .id = id, .port = port, .hostname = named ? host_of(port) : "", .primary = primary, .offset = 112};
  };
  return arr({
      shard(resp3, {10923, 15999}, {n(k_id_7303, 7303, true), n(k_id_7306, 7306, false, false)}),
      shard(resp3, {100, 5460}, {n(k_id_7301, 7301, true), n(k_id_7304, 7304, false)}),
      shard(resp3, {0, 99, 5461, 10922}, {n(k_id_7302, 7302, true), n(k_id_7305, 7305, false)}),
  });
}

inline Value split_slots(bool resp3) {
  auto node = [&](int port, const std::string& id) {
    return slots_node(resp3, str("127.0.0.1"), port, id, {{"hostname", str(host_of(port))}});
  };
  return arr({
      slots_range(0, 99, {node(7302, k_id_7302), node(7305, k_id_7305)}),
      slots_range(100, 5460, {node(7301, k_id_7301), node(7304, k_id_7304)}),
      slots_range(5461, 10922, {node(7302, k_id_7302), node(7305, k_id_7305)}),
      slots_range(10923, 15999, {node(7303, k_id_7303), slots_node(resp3, str("127.0.0.1"), 7306, k_id_7306)}),
  });
}

// --- Then 16000-16383 re-added to 7303, and 7303 killed: 7306 took over. SHARDS keeps the
// dead primary in a shard of its own with no slots, role still "master", health "fail".
inline Value failover_shards(bool resp3) {
  auto n = [](const std::string& id, int port, bool primary) {
    return ShardsNode{.id = id, .port = port, .hostname = host_of(port), .primary = primary, .offset = 319};
  };
  return arr({
      shard(resp3, {}, {{.id = k_id_7303, .port = 7303, .hostname = host_of(7303), .offset = 224, .health = "fail"}}),
      shard(resp3, {100, 5460}, {n(k_id_7301, 7301, true), n(k_id_7304, 7304, false)}),
      shard(resp3, {0, 99, 5461, 10922}, {n(k_id_7302, 7302, true), n(k_id_7305, 7305, false)}),
      shard(resp3, {10923, 16383}, {{.id = k_id_7306, .port = 7306, .offset = 238}}),
  });
}

// --- TLS cluster (tls-port + tls-cluster yes), 3 primaries, no replicas, asked over the
// plaintext port: SHARDS lists both "port" and "tls-port"; SLOTS entries have no replica.
inline const std::string k_id_7311 = "9e11347518c62c2fb89cf8badc11dec78591ced3";
inline const std::string k_id_7312 = "5393bfb284487c646a6684ce9c6bb7dd68349f06";
inline const std::string k_id_7313 = "21e5db072e2b2aaa4ffcd0008e13d50d4c995c43";

inline Value tls_shards(bool resp3) {
  auto n = [](const std::string& id, int port) {
    return ShardsNode{.id = id, .port = port, .offset = 0, .tls_port = port + 10};
  };
  return arr({
      shard(resp3, {10923, 16383}, {n(k_id_7313, 7313)}),
      shard(resp3, {0, 5460}, {n(k_id_7311, 7311)}),
      shard(resp3, {5461, 10922}, {n(k_id_7312, 7312)}),
  });
}

// Over a plaintext connection the port is 7311..; over TLS the same shape carries 7321...
inline Value tls_slots(bool resp3, int port_base) {
  auto node = [&](int offset, const std::string& id) {
    return slots_node(resp3, str("127.0.0.1"), port_base + offset, id);
  };
  return arr({
      slots_range(0, 5460, {node(0, k_id_7311)}),
      slots_range(5461, 10922, {node(1, k_id_7312)}),
      slots_range(10923, 16383, {node(2, k_id_7313)}),
  });
}

// --- A fresh cluster-enabled node before CLUSTER MEET/ADDSLOTS: it does not know its IP yet.
// CLUSTER SLOTS is an empty array.
inline Value fresh_node_shards(bool resp3) {
  return arr(
      {shard(resp3, {}, {{.id = k_id_7311, .port = 7311, .endpoint = "", .offset = 0, .tls_port = 7321, .ip = ""}})});
}

}  // namespace cluster_replies
