#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "cluster/slot.hpp"
#include "cluster/topology.hpp"
#include "cluster_replies.hpp"

using namespace cluster_replies;
using rctl::ErrorKind;
using rctl::cluster::k_slot_count;
using rctl::cluster::Node;
using rctl::cluster::NodeAddress;
using rctl::cluster::ParseContext;
using rctl::cluster::SlotMap;
using rctl::cluster::SlotRange;

namespace {

const ParseContext k_plain{.seed_host = "seed.example.test"};

SlotMap parse_shards(const Value& reply, const ParseContext& context = k_plain) {
  auto map = SlotMap::from_shards_reply(reply, context);
  INFO((map ? std::string() : map.error().message));
  REQUIRE(map.has_value());
  return std::move(*map);
}

SlotMap parse_slots(const Value& reply, const ParseContext& context = k_plain) {
  auto map = SlotMap::from_slots_reply(reply, context);
  INFO((map ? std::string() : map.error().message));
  REQUIRE(map.has_value());
  return std::move(*map);
}

const Node& primary_at(const SlotMap& map, int slot) {
  const Node* node = map.primary_for_slot(slot);
  INFO("slot " << slot);
  REQUIRE(node != nullptr);
  return *node;
}

const Node* find_node(const SlotMap& map, const std::string& id) {
  for (const Node* node : map.nodes()) {
    if (node->id == id) return node;
  }
  return nullptr;
}

// What both reply shapes must agree on for the 3+3 cluster, whatever the RESP version.
void check_three_by_three(const SlotMap& map, const std::string& host_7301) {
  CHECK(map.shards().size() == 3);
  CHECK(map.nodes().size() == 6);
  CHECK(map.primaries().size() == 3);
  CHECK(map.covered_slots() == k_slot_count);
  CHECK(primary_at(map, 0).id == k_id_7301);
  CHECK(primary_at(map, 5460).id == k_id_7301);
  CHECK(primary_at(map, 5461).id == k_id_7302);
  CHECK(primary_at(map, 10922).id == k_id_7302);
  CHECK(primary_at(map, 10923).id == k_id_7303);
  CHECK(primary_at(map, 16383).id == k_id_7303);
  CHECK(primary_at(map, 0).address == NodeAddress{host_7301, 7301});
  CHECK(primary_at(map, 0).ip == "127.0.0.1");
  for (const auto& [replica, primary] :
       {std::pair{k_id_7304, k_id_7301}, {k_id_7305, k_id_7302}, {k_id_7306, k_id_7303}}) {
    const Node* node = find_node(map, replica);
    REQUIRE(node != nullptr);
    CHECK_FALSE(node->primary);
    CHECK(node->primary_id == primary);
  }
}

}  // namespace

TEST_CASE("CLUSTER SHARDS of a 3+3 cluster, RESP2 and RESP3", "[cluster][topology]") {
  for (bool resp3 : {false, true}) {
    INFO("resp3 " << resp3);
    auto map = parse_shards(baseline_shards(resp3));
    check_three_by_three(map, "127.0.0.1");
    const Node& p = primary_at(map, 0);
    CHECK(p.port == 7301);
    CHECK(p.tls_port == 0);
    CHECK(p.hostname.empty());
    CHECK(p.health == "online");
    CHECK(p.replication_offset == 14);
    CHECK(map.shards()[0].slots == std::vector<SlotRange>{{10923, 16383}});
  }
}

TEST_CASE("CLUSTER SLOTS of a 3+3 cluster, RESP2 and RESP3", "[cluster][topology]") {
  for (bool resp3 : {false, true}) {
    INFO("resp3 " << resp3);
    auto map = parse_slots(baseline_slots(resp3));
    check_three_by_three(map, "127.0.0.1");
    // CLUSTER SLOTS carries no health or offset.
    CHECK(primary_at(map, 0).health.empty());
    CHECK(primary_at(map, 0).replication_offset == -1);
    CHECK(primary_at(map, 0).port == 7301);
  }
}

TEST_CASE("announced hostnames are preferred unless told otherwise", "[cluster][topology]") {
  for (bool resp3 : {false, true}) {
    INFO("resp3 " << resp3);
    for (const auto& map : {parse_shards(hostname_shards(resp3)), parse_slots(hostname_slots(resp3))}) {
      check_three_by_three(map, host_of(7301));
      CHECK(primary_at(map, 0).hostname == host_of(7301));
      CHECK(find_node(map, k_id_7306)->address == NodeAddress{host_of(7306), 7306});
    }
    ParseContext by_ip = k_plain;
    by_ip.prefer_hostname = false;
    check_three_by_three(parse_shards(hostname_shards(resp3), by_ip), "127.0.0.1");
    check_three_by_three(parse_slots(hostname_slots(resp3), by_ip), "127.0.0.1");
  }
}

TEST_CASE("cluster-preferred-endpoint-type hostname, with a node announcing none", "[cluster][topology]") {
  ParseContext by_endpoint = k_plain;
  by_endpoint.prefer_hostname = false;
  for (bool resp3 : {false, true}) {
    INFO("resp3 " << resp3);
    for (const auto& context : {k_plain, by_endpoint}) {
      for (const auto& map : {parse_shards(preferred_hostname_shards(resp3), context),
                              parse_slots(preferred_hostname_slots(resp3), context)}) {
        check_three_by_three(map, host_of(7301));  // endpoint and hostname agree
        CHECK(primary_at(map, 0).hostname == host_of(7301));
        CHECK(primary_at(map, 0).ip == "127.0.0.1");
        // "?" = hostname preferred but none announced: the node's IP still reaches it.
        const Node* orphan = find_node(map, k_id_7306);
        REQUIRE(orphan != nullptr);
        CHECK(orphan->hostname.empty());
        CHECK(orphan->address == NodeAddress{"127.0.0.1", 7306});
      }
    }
  }
}

TEST_CASE("unknown endpoints resolve to the seed host", "[cluster][topology]") {
  ParseContext by_endpoint = k_plain;
  by_endpoint.prefer_hostname = false;
  for (bool resp3 : {false, true}) {
    INFO("resp3 " << resp3);
    for (const auto& map : {parse_shards(unknown_endpoint_shards(resp3), by_endpoint),
                            parse_slots(unknown_endpoint_slots(resp3), by_endpoint)}) {
      check_three_by_three(map, "seed.example.test");
      CHECK(find_node(map, k_id_7306)->address == NodeAddress{"seed.example.test", 7306});
      CHECK(primary_at(map, 0).hostname == host_of(7301));
    }
    for (const auto& map : {parse_shards(unknown_endpoint_shards(resp3)), parse_slots(unknown_endpoint_slots(resp3))}) {
      check_three_by_three(map, host_of(7301));
      CHECK(find_node(map, k_id_7306)->address == NodeAddress{"seed.example.test", 7306});
    }
    // No seed host given: the host stays empty for the caller to fill in.
    auto bare = parse_shards(unknown_endpoint_shards(resp3), ParseContext{.prefer_hostname = false});
    CHECK(primary_at(bare, 0).address == NodeAddress{"", 7301});
  }
}

TEST_CASE("several ranges per shard and an uncovered range", "[cluster][topology]") {
  for (bool resp3 : {false, true}) {
    INFO("resp3 " << resp3);
    for (const auto& map : {parse_shards(split_shards(resp3)), parse_slots(split_slots(resp3))}) {
      CHECK(map.shards().size() == 3);  // SLOTS lists 7302 twice: still one shard
      CHECK(map.nodes().size() == 6);
      CHECK(map.covered_slots() == 16000);
      CHECK(primary_at(map, 0).id == k_id_7302);
      CHECK(primary_at(map, 99).id == k_id_7302);
      CHECK(primary_at(map, 100).id == k_id_7301);
      CHECK(primary_at(map, 10922).id == k_id_7302);
      CHECK(primary_at(map, 15999).id == k_id_7303);
      CHECK(map.primary_for_slot(16000) == nullptr);
      CHECK(map.primary_for_slot(16383) == nullptr);
      CHECK(map.shard_for_slot(16000) == -1);
      const auto& shard = map.shards()[static_cast<std::size_t>(map.shard_for_slot(0))];
      CHECK(shard.slots == std::vector<SlotRange>{{0, 99}, {5461, 10922}});
    }
  }
}

TEST_CASE("after failover the dead primary is a shard without slots", "[cluster][topology]") {
  for (bool resp3 : {false, true}) {
    auto map = parse_shards(failover_shards(resp3));
    CHECK(map.shards().size() == 4);
    CHECK(map.nodes().size() == 6);
    CHECK(map.covered_slots() == k_slot_count);
    CHECK(primary_at(map, 16383).id == k_id_7306);
    const Node* dead = find_node(map, k_id_7303);
    REQUIRE(dead != nullptr);
    CHECK(dead->health == "fail");
    // Fan-out targets: only primaries that serve slots.
    auto primaries = map.primaries();
    REQUIRE(primaries.size() == 3);
    for (const Node* p : primaries) CHECK(p->id != k_id_7303);
  }
}

TEST_CASE("TLS chooses tls-port from CLUSTER SHARDS", "[cluster][topology]") {
  for (bool resp3 : {false, true}) {
    INFO("resp3 " << resp3);
    auto plain = parse_shards(tls_shards(resp3));
    auto tls = parse_shards(tls_shards(resp3), ParseContext{.seed_host = "x", .tls = true});
    CHECK(primary_at(plain, 0).address == NodeAddress{"127.0.0.1", 7311});
    CHECK(primary_at(tls, 0).address == NodeAddress{"127.0.0.1", 7321});
    CHECK(primary_at(tls, 0).port == 7311);
    CHECK(primary_at(tls, 0).tls_port == 7321);
    CHECK(tls.nodes().size() == 3);
    CHECK(tls.covered_slots() == k_slot_count);
    // A TLS-only node (no "port") seen by a plaintext client: no usable port.
    auto tls_only = arr({shard(resp3, {0, 16383}, {{.id = k_id_7311, .port = 0, .tls_port = 7321}})});
    CHECK(primary_at(parse_shards(tls_only), 0).address.port == 0);
    CHECK(primary_at(parse_shards(tls_only, ParseContext{.tls = true}), 0).address.port == 7321);
  }
}

TEST_CASE("CLUSTER SLOTS uses its one port for the transport asked over", "[cluster][topology]") {
  auto plain = parse_slots(tls_slots(false, 7311));
  auto tls = parse_slots(tls_slots(true, 7321), ParseContext{.tls = true});
  CHECK(primary_at(plain, 0).address.port == 7311);
  CHECK(primary_at(plain, 0).port == 7311);
  CHECK(primary_at(tls, 0).address.port == 7321);
  CHECK(primary_at(tls, 0).tls_port == 7321);
  CHECK(primary_at(tls, 0).port == 0);
  CHECK(tls.nodes().size() == 3);
  CHECK(tls.primaries().size() == 3);
}

TEST_CASE("a fresh node: empty slots, unknown IP", "[cluster][topology]") {
  auto map = parse_shards(fresh_node_shards(false));
  CHECK(map.covered_slots() == 0);
  CHECK(map.primaries().empty());
  REQUIRE(map.nodes().size() == 1);
  CHECK(map.nodes()[0]->address == NodeAddress{"seed.example.test", 7311});
  auto empty = parse_slots(arr({}));
  CHECK(empty.shards().empty());
  CHECK(empty.covered_slots() == 0);
  CHECK(empty.primary_for_slot(0) == nullptr);
}

TEST_CASE("a shard whose nodes are all replicas covers nothing", "[cluster][topology]") {
  auto map = parse_shards(arr({shard(true, {0, 100}, {{.id = "r", .port = 1, .primary = false}}),
                               shard(true, {101, 16383}, {{.id = "p", .port = 2}})}));
  CHECK(map.covered_slots() == 16383 - 100);
  CHECK(map.primary_for_slot(0) == nullptr);
  CHECK(map.shard_for_slot(0) == 0);
  CHECK(map.primaries().size() == 1);
  CHECK(map.nodes()[0]->primary_id.empty());
}

TEST_CASE("old CLUSTER SLOTS without ids or metadata", "[cluster][topology]") {
  // Redis 3.0 sent [ip, port] only.
  auto reply = arr({slots_range(0, 8191, {arr({str("10.0.0.1"), num(6379)}), arr({str("10.0.0.2"), num(6379)})}),
                    slots_range(8192, 16383, {arr({str("10.0.0.3"), num(6379)})}),
                    slots_range(100, 100, {arr({str("10.0.0.1"), num(6379)})})});
  // The duplicate range claims slot 100 twice: rejected, not silently merged.
  auto twice = SlotMap::from_slots_reply(reply, k_plain);
  REQUIRE_FALSE(twice.has_value());
  CHECK(twice.error().message == "CLUSTER SLOTS: slot 100 is claimed by two shards");
  reply.elements.pop_back();
  auto map = parse_slots(reply);
  CHECK(map.shards().size() == 2);
  CHECK(primary_at(map, 0).address == NodeAddress{"10.0.0.1", 6379});
  CHECK(primary_at(map, 0).id.empty());
  CHECK(map.nodes()[1]->primary_id.empty());
  CHECK_FALSE(map.nodes()[1]->primary);
}

TEST_CASE("error replies and malformed replies", "[cluster][topology]") {
  auto error = SlotMap::from_shards_reply(Value::error_reply("ERR unknown subcommand 'SHARDS'"), k_plain);
  REQUIRE_FALSE(error.has_value());
  CHECK(error.error().kind == ErrorKind::server);
  CHECK(error.error().message == "CLUSTER SHARDS: ERR unknown subcommand 'SHARDS'");
  auto disabled =
      SlotMap::from_slots_reply(Value::error_reply("ERR This instance has cluster support disabled"), k_plain);
  REQUIRE_FALSE(disabled.has_value());
  CHECK(disabled.error().kind == ErrorKind::server);

  struct Case {
    const char* name;
    Value reply;
    bool shards;
    std::string message;
  };
  const Case cases[] = {
      {"not a list", str("nope"), true, "CLUSTER SHARDS: reply is not a list of shards"},
      {"shard is an integer", arr({num(1)}), true, "CLUSTER SHARDS: shard 0: not a map"},
      {"odd field count", arr({arr({str("slots")})}), true, "CLUSTER SHARDS: shard 0: not a map"},
      {"no nodes", arr({pairs(false, {{"slots", ints({0, 1})}})}), true,
       "CLUSTER SHARDS: shard 0: missing \"slots\" or \"nodes\""},
      {"odd slots", arr({pairs(true, {{"slots", ints({0})}, {"nodes", arr({})}})}), true,
       "CLUSTER SHARDS: shard 0: \"slots\" is not a list of pairs"},
      {"slot text", arr({pairs(true, {{"slots", arr({str("0"), num(5)})}, {"nodes", arr({})}})}), true,
       "CLUSTER SHARDS: shard 0: slot is not a slot number"},
      {"slot 16384", arr({pairs(true, {{"slots", ints({0, 16384})}, {"nodes", arr({})}})}), true,
       "CLUSTER SHARDS: invalid slot range 0-16384"},
      {"reversed range", arr({pairs(true, {{"slots", ints({9, 3})}, {"nodes", arr({})}})}), true,
       "CLUSTER SHARDS: invalid slot range 9-3"},
      {"overlap",
       arr({shard(false, {0, 10}, {{.id = "a", .port = 1}}), shard(false, {10, 20}, {{.id = "b", .port = 2}})}), true,
       "CLUSTER SHARDS: slot 10 is claimed by two shards"},
      {"port as text",
       arr({pairs(false, {{"slots", ints({})}, {"nodes", arr({pairs(false, {{"port", str("6379")}})})}})}), true,
       "CLUSTER SHARDS: shard 0 node 0: \"port\" is not a port number"},
      {"port too big",
       arr({pairs(false, {{"slots", ints({})}, {"nodes", arr({pairs(false, {{"port", num(65536)}})})}})}), true,
       "CLUSTER SHARDS: shard 0 node 0: \"port\" is not a port number"},
      {"id as integer", arr({pairs(false, {{"slots", ints({})}, {"nodes", arr({pairs(false, {{"id", num(1)}})})}})}),
       true, "CLUSTER SHARDS: shard 0 node 0: \"id\" is not a string"},
      {"endpoint as integer",
       arr({pairs(false, {{"slots", ints({})}, {"nodes", arr({pairs(false, {{"endpoint", num(1)}})})}})}), true,
       "CLUSTER SHARDS: shard 0 node 0: \"endpoint\" is not a string"},
      {"field name integer", arr({pairs(false, {{"slots", ints({})}, {"nodes", arr({arr({num(1), num(2)})})}})}), true,
       "CLUSTER SHARDS: shard 0 node 0: field name is not a string"},
      {"slots not a list", num(3), false, "CLUSTER SLOTS: reply is not a list of slot ranges"},
      {"range too short", arr({ints({0, 5})}), false, "CLUSTER SLOTS: range 0: not a [first, last, primary, ...] list"},
      {"node too short", arr({arr({num(0), num(5), arr({str("h")})})}), false,
       "CLUSTER SLOTS: range 0 node 0: not a [host, port, ...] list"},
      {"host integer", arr({arr({num(0), num(5), arr({num(1), num(2)})})}), false,
       "CLUSTER SLOTS: range 0 node 0: host is not a string"},
      {"negative port", arr({arr({num(0), num(5), arr({str("h"), num(-1)})})}), false,
       "CLUSTER SLOTS: range 0 node 0: port is not a port number"},
      {"metadata odd", arr({arr({num(0), num(5), arr({str("h"), num(1), str("id"), arr({str("ip")})})})}), false,
       "CLUSTER SLOTS: range 0 node 0: metadata is not a map"},
      {"slot -1", arr({arr({num(-1), num(5), arr({str("h"), num(1)})})}), false,
       "CLUSTER SLOTS: invalid slot range -1-5"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto map = c.shards ? SlotMap::from_shards_reply(c.reply, k_plain) : SlotMap::from_slots_reply(c.reply, k_plain);
    REQUIRE_FALSE(map.has_value());
    CHECK(map.error().kind == ErrorKind::protocol);
    CHECK(map.error().message == c.message);
  }
}

namespace {

// Calls `visit` with every value of the tree, by mutable reference, depth first.
void for_each_value(Value& value, const std::function<void(Value&)>& visit) {
  visit(value);
  for (auto& element : value.elements) for_each_value(element, visit);
}

}  // namespace

TEST_CASE("any single value replaced by a wrong type never crashes", "[cluster][topology]") {
  // Every position of every captured reply, in turn, is swapped for each of these; the parser
  // must return (a map or a protocol error) — under the sanitizer build this also catches any
  // out-of-bounds read.
  const Value replacements[] = {num(-1), num(1 << 20), Value::nil(), arr({}), Value::list({}, Type::map), str("")};
  const std::function<Value()> replies[] = {
      [] { return split_shards(false); },    [] { return split_shards(true); },
      [] { return split_slots(false); },     [] { return unknown_endpoint_slots(true); },
      [] { return failover_shards(false); },
  };
  int parsed = 0;
  int rejected = 0;
  for (std::size_t r = 0; r < std::size(replies); ++r) {
    const bool shards = r != 2 && r != 3;
    Value original = replies[r]();
    std::size_t positions = 0;
    for_each_value(original, [&](Value&) { ++positions; });
    for (std::size_t position = 0; position < positions; ++position) {
      for (const auto& replacement : replacements) {
        Value mutated = original;
        std::size_t index = 0;
        for_each_value(mutated, [&](Value& v) {
          if (index++ == position) v = replacement;
        });
        auto map = shards ? SlotMap::from_shards_reply(mutated, k_plain) : SlotMap::from_slots_reply(mutated, k_plain);
        if (map) {
          ++parsed;
          CHECK(map->covered_slots() <= k_slot_count);
        } else {
          ++rejected;
          CHECK(map.error().kind == ErrorKind::protocol);
          CHECK(map.error().message.rfind(shards ? "CLUSTER SHARDS: " : "CLUSTER SLOTS: ", 0) == 0);
        }
      }
    }
  }
  CHECK(parsed > 0);
  CHECK(rejected > 0);
}

TEST_CASE("assign after MOVED", "[cluster][topology]") {
  SECTION("a known primary named by IP while we use its hostname") {
    auto map = parse_shards(hostname_shards(false));
    map.assign(100, NodeAddress{"127.0.0.1", 7302});
    CHECK(map.shards().size() == 3);
    CHECK(primary_at(map, 100).id == k_id_7302);
    CHECK(primary_at(map, 100).address == NodeAddress{host_of(7302), 7302});
    CHECK(primary_at(map, 99).id == k_id_7301);
    CHECK(primary_at(map, 101).id == k_id_7301);
    CHECK(map.shards()[1].slots == std::vector<SlotRange>{{0, 99}, {101, 5460}});
    CHECK(map.shards()[2].slots == std::vector<SlotRange>{{100, 100}, {5461, 10922}});
    map.assign(100, NodeAddress{"127.0.0.1", 7301});  // and back: ranges merge again
    CHECK(map.shards()[1].slots == std::vector<SlotRange>{{0, 5460}});
    CHECK(map.shards()[2].slots == std::vector<SlotRange>{{5461, 10922}});
    CHECK(map.covered_slots() == k_slot_count);
  }
  SECTION("an unknown node becomes a new shard") {
    auto map = parse_shards(split_shards(false));
    map.assign(16000, NodeAddress{"10.1.2.3", 7000});
    CHECK(map.covered_slots() == 16001);
    CHECK(map.shards().size() == 4);
    CHECK(primary_at(map, 16000).address == NodeAddress{"10.1.2.3", 7000});
    CHECK(primary_at(map, 16000).id.empty());
    CHECK(map.primaries().size() == 4);
    map.assign(16001, NodeAddress{"10.1.2.3", 7000});  // same node again: same shard
    CHECK(map.shards().size() == 4);
    CHECK(map.shards()[3].slots == std::vector<SlotRange>{{16000, 16001}});
  }
  SECTION("a replica named by MOVED has been promoted") {
    auto map = parse_shards(baseline_shards(false));
    map.assign(0, NodeAddress{"127.0.0.1", 7304});
    CHECK(map.shards().size() == 3);
    CHECK(primary_at(map, 0).id == k_id_7304);
    CHECK(primary_at(map, 5460).id == k_id_7304);  // the whole shard follows its new primary
    const Node* old = find_node(map, k_id_7301);
    CHECK_FALSE(old->primary);
    CHECK(old->primary_id == k_id_7304);
    CHECK(map.primaries().size() == 3);
  }
  SECTION("the last slot of a shard moves away") {
    auto map = parse_shards(
        arr({shard(false, {0, 0}, {{.id = "a", .port = 1}}), shard(false, {1, 16383}, {{.id = "b", .port = 2}})}));
    map.assign(0, NodeAddress{"127.0.0.1", 2});
    CHECK(map.primaries().size() == 1);
    CHECK(map.shards()[0].slots.empty());
    CHECK(map.shards()[1].slots == std::vector<SlotRange>{{0, 16383}});
  }
  SECTION("out-of-range slots are ignored") {
    auto map = parse_shards(baseline_shards(false));
    map.assign(-1, NodeAddress{"x", 1});
    map.assign(k_slot_count, NodeAddress{"x", 1});
    CHECK(map.shards().size() == 3);
    CHECK(map.primary_for_slot(-1) == nullptr);
    CHECK(map.primary_for_slot(k_slot_count) == nullptr);
  }
}

TEST_CASE("standalone is one primary serving every slot", "[cluster][topology]") {
  auto map = SlotMap::standalone(NodeAddress{"redis.local", 6379});
  CHECK(map.covered_slots() == k_slot_count);
  REQUIRE(map.primaries().size() == 1);
  CHECK(map.primaries()[0]->address == NodeAddress{"redis.local", 6379});
  CHECK(primary_at(map, 12182).address.port == 6379);
  CHECK(rctl::cluster::to_string(NodeAddress{"::1", 6379}) == "[::1]:6379");
  CHECK(rctl::cluster::to_string(NodeAddress{"h", 1}) == "h:1");
}

TEST_CASE("replicas(): one usable replica per primary, the primary where a shard has none", "[cluster][topology]") {
  auto node = [](std::string id, int port, bool primary, std::string health, std::int64_t offset) {
    Node n;
    n.id = std::move(id);
    n.address = NodeAddress{"10.0.0.1", port};
    n.port = port;
    n.primary = primary;
    n.health = std::move(health);
    n.replication_offset = offset;
    return n;
  };
  std::vector<rctl::cluster::Shard> shards(3);
  shards[0].slots = {{0, 5000}};
  shards[0].nodes = {node("a", 7001, true, "online", 100), node("a1", 7004, false, "online", 90),
                     node("a2", 7005, false, "online", 99)};
  shards[1].slots = {{5001, 10000}};
  shards[1].nodes = {node("b", 7002, true, "online", 100), node("b1", 7006, false, "fail", 100),
                     node("b2", 7007, false, "failed", 100)};
  shards[2].slots = {{10001, 16383}};
  // Redis 7.0 says "loading" for a synced replica whose gossiped offset is 0: still used,
  // after an online one.
  shards[2].nodes = {node("c2", 7009, false, "loading", 500), node("c1", 7008, false, "online", 50),
                     node("c", 7003, true, "online", 50)};
  auto map = SlotMap::from_shards(std::move(shards));
  REQUIRE(map.has_value());
  auto primaries = map->primaries();
  auto replicas = map->replicas();
  REQUIRE(replicas.size() == primaries.size());
  CHECK(replicas[0]->id == "a2");  // furthest along
  CHECK(replicas[1]->id == "b");  // failed replicas are not used
  CHECK(replicas[2]->id == "c1");
}

TEST_CASE("replicas() of a standalone server is the server", "[cluster][topology]") {
  auto map = SlotMap::standalone(NodeAddress{"localhost", 6379});
  REQUIRE(map.replicas().size() == 1);
  CHECK(map.replicas().front() == map.primaries().front());
}
