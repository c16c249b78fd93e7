// CLUSTER SHARDS and CLUSTER SLOTS replies -> SlotMap. Replies come from servers we do not
// control (and proxies that imitate them), so every access is type-checked and a surprise is
// a protocol error, never a crash. Unknown fields are ignored: Redis adds fields over time.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "cluster/slot.hpp"
#include "cluster/topology.hpp"

namespace rctl::cluster {
namespace {

using resp::Type;
using resp::Value;

constexpr std::string_view k_shards_command = "CLUSTER SHARDS";
constexpr std::string_view k_slots_command = "CLUSTER SLOTS";

std::unexpected<Error> malformed(std::string_view command, std::string_view detail) {
  return fail(ErrorKind::protocol, fmt::format("{}: {}", command, detail));
}

// RESP3 sends a map; RESP2 the same pairs as a flat array. Both arrive as key, value, ...
bool is_pairs(const Value& value) {
  return (value.is_map() || value.type == Type::array) && value.elements.size() % 2 == 0;
}

std::optional<std::int64_t> as_integer(const Value& value) {
  if (value.type != Type::integer) return std::nullopt;
  return value.integer;
}

std::optional<int> as_port(const Value& value) {
  auto n = as_integer(value);
  if (!n || *n < 0 || *n > k_max_port) return std::nullopt;
  return static_cast<int>(*n);
}

std::optional<int> as_slot(const Value& value) {
  auto n = as_integer(value);
  // Range validity (0..16383, first <= last) is checked once, in SlotMap::from_shards.
  if (!n || *n < -1 || *n > k_slot_count) return std::nullopt;
  return static_cast<int>(*n);
}

// The host clients should use for a node. `endpoint` is nullptr when the reply has no such
// field, a null value when the server sent NULL.
std::string choose_host(const ParseContext& context, std::string_view hostname, const Value* endpoint,
                        std::string_view ip) {
  if (context.prefer_hostname && !hostname.empty()) return std::string(hostname);
  if (endpoint == nullptr) return std::string(ip.empty() ? context.seed_host : ip);
  if (endpoint->is_string() && !endpoint->str.empty() && endpoint->str != "?") return endpoint->str;
  // "?": the server prefers hostnames but this node announced none (a misconfiguration, per
  // the CLUSTER SLOTS docs); its IP is still right, so use it when known.
  if (endpoint->is_string() && endpoint->str == "?" && !ip.empty()) return std::string(ip);
  // NULL (SLOTS) or "" (SHARDS): cluster-preferred-endpoint-type unknown-endpoint, i.e. the
  // node is reachable at the address we used, with the port given
  // (https://redis.io/docs/reference/cluster-spec/#moved-redirection). "" is also what a node
  // that has not learnt its own IP reports.
  return std::string(context.seed_host);
}

Expected<Node> parse_shards_node(const Value& value, const ParseContext& context, std::string_view where) {
  if (!is_pairs(value)) return malformed(k_shards_command, fmt::format("{}: not a map", where));
  Node node;
  const Value* endpoint = nullptr;
  for (std::size_t i = 0; i < value.elements.size(); i += 2) {
    const auto& key = value.elements[i];
    const auto& field = value.elements[i + 1];
    if (!key.is_string()) return malformed(k_shards_command, fmt::format("{}: field name is not a string", where));
    const auto& name = key.str;
    auto bad = [&](std::string_view expected) {
      return malformed(k_shards_command, fmt::format("{}: \"{}\" is not {}", where, name, expected));
    };
    if (name == "id" || name == "ip" || name == "hostname" || name == "role" || name == "health") {
      if (!field.is_string()) return bad("a string");
      if (name == "id") node.id = field.str;
      else if (name == "ip") node.ip = field.str;
      else if (name == "hostname") node.hostname = field.str;
      else if (name == "role") node.primary = field.str == "master" || field.str == "primary";
      else node.health = field.str;
    } else if (name == "port" || name == "tls-port") {
      auto port = as_port(field);
      if (!port) return bad("a port number");
      (name == "port" ? node.port : node.tls_port) = *port;
    } else if (name == "endpoint") {
      if (!field.is_string() && !field.is_null()) return bad("a string");
      endpoint = &field;
    } else if (name == "replication-offset") {
      auto offset = as_integer(field);
      if (!offset) return bad("an integer");
      node.replication_offset = *offset;
    }
  }
  // With TLS, tls-port when present, else port. Redis lists tls-port only with tls-cluster
  // yes; with tls-cluster no it announces just the plaintext port, over TLS too (seen on
  // 7.0.15), so "port" is the best we are told. Without TLS only "port" will do.
  int port = context.tls ? (node.tls_port != 0 ? node.tls_port : node.port) : node.port;
  // Port 0 (a TLS-only node seen over plaintext): the node is kept, and the 0 tells the
  // caller there is no way in with this transport.
  node.address = NodeAddress{choose_host(context, node.hostname, endpoint, node.ip), port};
  return node;
}

Expected<std::vector<SlotRange>> parse_shards_slots(const Value& value, std::string_view where) {
  // A flat list of inclusive pairs: [0, 99, 5461, 10922] is two ranges.
  if (!value.is_list() || value.elements.size() % 2 != 0) {
    return malformed(k_shards_command, fmt::format("{}: \"slots\" is not a list of pairs", where));
  }
  std::vector<SlotRange> ranges;
  ranges.reserve(value.elements.size() / 2);
  for (std::size_t i = 0; i < value.elements.size(); i += 2) {
    auto first = as_slot(value.elements[i]);
    auto last = as_slot(value.elements[i + 1]);
    if (!first || !last) return malformed(k_shards_command, fmt::format("{}: slot is not a slot number", where));
    ranges.push_back(SlotRange{*first, *last});
  }
  return ranges;
}

Expected<Shard> parse_shard(const Value& value, const ParseContext& context, std::size_t index) {
  auto where = fmt::format("shard {}", index);
  if (!is_pairs(value)) return malformed(k_shards_command, fmt::format("{}: not a map", where));
  Shard shard;
  bool have_slots = false;
  bool have_nodes = false;
  for (std::size_t i = 0; i < value.elements.size(); i += 2) {
    const auto& key = value.elements[i];
    const auto& field = value.elements[i + 1];
    if (!key.is_string()) return malformed(k_shards_command, fmt::format("{}: field name is not a string", where));
    if (key.str == "slots") {
      auto ranges = parse_shards_slots(field, where);
      if (!ranges) return std::unexpected(std::move(ranges.error()));
      shard.slots = std::move(*ranges);
      have_slots = true;
    } else if (key.str == "nodes") {
      if (!field.is_list()) return malformed(k_shards_command, fmt::format("{}: \"nodes\" is not a list", where));
      for (std::size_t n = 0; n < field.elements.size(); ++n) {
        auto node = parse_shards_node(field.elements[n], context, fmt::format("{} node {}", where, n));
        if (!node) return std::unexpected(std::move(node.error()));
        shard.nodes.push_back(std::move(*node));
      }
      have_nodes = true;
    }
  }
  if (!have_slots || !have_nodes) {
    return malformed(k_shards_command, fmt::format("{}: missing \"slots\" or \"nodes\"", where));
  }
  return shard;
}

Expected<SlotMap> with_command(std::string_view command, Expected<SlotMap> map) {
  // from_shards does not know which command the shards came from; say it for the user.
  if (!map) map.error().message = fmt::format("{}: {}", command, map.error().message);
  return map;
}

// One node of a CLUSTER SLOTS entry: [endpoint, port, id?, metadata?]. Metadata (Redis 7) is
// a map holding "ip" when the endpoint is not the IP, and "hostname" when announced and not
// already the endpoint.
Expected<Node> parse_slots_node(const Value& value, const ParseContext& context, std::string_view where) {
  if (!value.is_list() || value.elements.size() < 2) {
    return malformed(k_slots_command, fmt::format("{}: not a [host, port, ...] list", where));
  }
  const auto& endpoint = value.elements[0];
  if (!endpoint.is_string() && !endpoint.is_null()) {
    return malformed(k_slots_command, fmt::format("{}: host is not a string", where));
  }
  auto port = as_port(value.elements[1]);
  if (!port) return malformed(k_slots_command, fmt::format("{}: port is not a port number", where));
  Node node;
  if (value.elements.size() > 2) {
    if (!value.elements[2].is_string()) return malformed(k_slots_command, fmt::format("{}: id is not a string", where));
    node.id = value.elements[2].str;
  }
  bool meta_has_ip = false;
  if (value.elements.size() > 3) {
    const auto& meta = value.elements[3];
    if (!is_pairs(meta)) return malformed(k_slots_command, fmt::format("{}: metadata is not a map", where));
    for (std::size_t i = 0; i < meta.elements.size(); i += 2) {
      const auto& key = meta.elements[i];
      const auto& field = meta.elements[i + 1];
      if (!key.is_string() || !field.is_string()) continue;  // future metadata may not be text
      if (key.str == "ip") {
        node.ip = field.str;
        meta_has_ip = true;
      } else if (key.str == "hostname") {
        node.hostname = field.str;
      }
    }
  }
  bool endpoint_known = endpoint.is_string() && !endpoint.str.empty() && endpoint.str != "?";
  if (!meta_has_ip && endpoint_known) {
    node.ip = endpoint.str;  // default cluster-preferred-endpoint-type ip
  } else if (meta_has_ip && endpoint_known && node.hostname.empty()) {
    node.hostname = endpoint.str;  // preferred type hostname: the endpoint is the hostname
  }
  // The single port is the one for the transport this reply came over.
  (context.tls ? node.tls_port : node.port) = *port;
  node.address = NodeAddress{choose_host(context, node.hostname, &endpoint, node.ip), *port};
  return node;
}

// Shards are keyed by primary id, or by address for servers too old to send ids.
std::string shard_key(const Node& primary) { return primary.id.empty() ? to_string(primary.address) : primary.id; }

}  // namespace

Expected<SlotMap> SlotMap::from_shards_reply(const resp::Value& reply, const ParseContext& context) {
  if (reply.is_error()) return fail(ErrorKind::server, fmt::format("{}: {}", k_shards_command, reply.str));
  if (!reply.is_list()) return malformed(k_shards_command, "reply is not a list of shards");
  std::vector<Shard> shards;
  shards.reserve(reply.elements.size());
  for (std::size_t i = 0; i < reply.elements.size(); ++i) {
    auto shard = parse_shard(reply.elements[i], context, i);
    if (!shard) return std::unexpected(std::move(shard.error()));
    shards.push_back(std::move(*shard));
  }
  return with_command(k_shards_command, from_shards(std::move(shards)));
}

Expected<SlotMap> SlotMap::from_slots_reply(const resp::Value& reply, const ParseContext& context) {
  if (reply.is_error()) return fail(ErrorKind::server, fmt::format("{}: {}", k_slots_command, reply.str));
  if (!reply.is_list()) return malformed(k_slots_command, "reply is not a list of slot ranges");
  std::vector<Shard> shards;
  std::unordered_map<std::string, std::size_t> shard_of_primary;
  for (std::size_t i = 0; i < reply.elements.size(); ++i) {
    const auto& entry = reply.elements[i];
    auto where = fmt::format("range {}", i);
    if (!entry.is_list() || entry.elements.size() < 3) {
      return malformed(k_slots_command, fmt::format("{}: not a [first, last, primary, ...] list", where));
    }
    auto first = as_slot(entry.elements[0]);
    auto last = as_slot(entry.elements[1]);
    if (!first || !last) return malformed(k_slots_command, fmt::format("{}: slot is not a slot number", where));
    std::vector<Node> nodes;
    for (std::size_t n = 2; n < entry.elements.size(); ++n) {
      auto node = parse_slots_node(entry.elements[n], context, fmt::format("{} node {}", where, n - 2));
      if (!node) return std::unexpected(std::move(node.error()));
      node->primary = n == 2;
      nodes.push_back(std::move(*node));
    }
    // The same primary appears once per range it serves; gather its ranges into one shard.
    auto [it, inserted] = shard_of_primary.try_emplace(shard_key(nodes.front()), shards.size());
    if (inserted) {
      shards.push_back(Shard{{}, std::move(nodes)});
    } else {
      auto& known = shards[it->second].nodes;
      for (auto& node : nodes) {
        bool seen = std::any_of(known.begin(), known.end(), [&](const Node& k) {
          return k.id.empty() ? k.address == node.address : k.id == node.id;
        });
        if (!seen) known.push_back(std::move(node));
      }
    }
    shards[it->second].slots.push_back(SlotRange{*first, *last});
  }
  return with_command(k_slots_command, from_shards(std::move(shards)));
}

}  // namespace rctl::cluster
