// libFuzzer target: cluster topology parsing (CLUSTER SHARDS and CLUSTER SLOTS replies),
// fed with values the RESP reader produced from the fuzz bytes, exactly as on the wire.
//
// Input: the first byte picks the parser (bit 0: SLOTS instead of SHARDS), the transport
// (bit 1: TLS) and the host choice (bit 2: prefer the announced hostname); the rest is
// RESP. Invariants: never crashes; a parsed map is self-consistent (every covered slot has a
// primary in the shard the index names; primaries() serve slots; ports in range), and stays
// so after MOVED-style assign() calls to addresses taken from the input.

#include "cluster/slot.hpp"
#include "cluster/topology.hpp"
#include "resp/reader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace rctl;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_topology: %s\n", what);
  std::abort();
}

void check_map(const cluster::SlotMap& map) {
  int covered = 0;
  for (int slot = 0; slot < cluster::k_slot_count; ++slot) {
    const auto* primary = map.primary_for_slot(slot);
    const int shard = map.shard_for_slot(slot);
    if (primary) {
      ++covered;
      if (shard < 0 || static_cast<std::size_t>(shard) >= map.shards().size()) fail("covered slot without a shard");
      if (!primary->primary) fail("a replica serves a slot");
      bool inside = false;
      for (const auto& node : map.shards()[static_cast<std::size_t>(shard)].nodes) inside |= &node == primary;
      if (!inside) fail("slot's primary is not in the slot's shard");
    }
  }
  if (covered != map.covered_slots()) fail("covered_slots() disagrees with the index");
  if (map.primary_for_slot(-1) || map.primary_for_slot(cluster::k_slot_count)) fail("out-of-range slot served");
  for (const auto* node : map.nodes()) {
    if (!node) fail("null node");
    if (node->address.port < 0 || node->address.port > 65535) fail("port out of range");
  }
  for (const auto* node : map.primaries())
    if (!node || !node->primary) fail("primaries() lists a non-primary");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  resp::ReaderLimits limits;
  limits.max_depth = 16;
  limits.max_elements = 4096;
  limits.max_bulk_length = 64 * 1024;
  resp::Reader reader(limits);
  reader.feed(bytes);
  auto result = reader.next();
  auto* reply = std::get_if<resp::Value>(&result);
  if (!reply) return 0;

  cluster::ParseContext context;
  context.seed_host = "seed.example";
  context.tls = (mode & 2) != 0;
  context.prefer_hostname = (mode & 4) != 0;
  auto map = (mode & 1) ? cluster::SlotMap::from_slots_reply(*reply, context)
                        : cluster::SlotMap::from_shards_reply(*reply, context);
  if (!map) {
    const auto kind = map.error().kind;
    if (kind != ErrorKind::protocol && kind != ErrorKind::server) fail("unexpected error kind");
    return 0;
  }
  check_map(*map);

  // MOVED-style updates: a slot and a port from the input, hosts the map knows or a new one.
  for (std::size_t i = 0; i + 4 <= bytes.size() && i < 64; i += 4) {
    const int slot = (static_cast<unsigned char>(bytes[i]) << 8 | static_cast<unsigned char>(bytes[i + 1])) % 16500;
    const int port =
        1 + ((static_cast<unsigned char>(bytes[i + 2]) << 8 | static_cast<unsigned char>(bytes[i + 3])) % 3);
    const auto nodes = map->nodes();
    std::string host =
        nodes.empty() ? std::string("new.example") : nodes[static_cast<std::size_t>(slot) % nodes.size()]->address.host;
    if (host.empty()) host = "seed.example";
    map->assign(slot, cluster::NodeAddress{host, port});
  }
  check_map(*map);
  return 0;
}
