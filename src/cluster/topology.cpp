#include "cluster/topology.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "cluster/slot.hpp"

namespace rctl::cluster {
namespace {

bool valid_slot(int slot) { return slot >= 0 && slot < k_slot_count; }

// Sorts ranges and merges overlapping or adjacent ones ([0,5] + [6,9] -> [0,9]) so that a
// shard's ranges read the same whichever reply shape or redirect history produced them.
void normalize(std::vector<SlotRange>& ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const SlotRange& a, const SlotRange& b) { return a.first < b.first; });
  std::vector<SlotRange> merged;
  merged.reserve(ranges.size());
  for (const auto& range : ranges) {
    if (!merged.empty() && range.first <= merged.back().last + 1) {
      merged.back().last = std::max(merged.back().last, range.last);
    } else {
      merged.push_back(range);
    }
  }
  ranges = std::move(merged);
}

void remove_slot(std::vector<SlotRange>& ranges, int slot) {
  auto it = std::find_if(ranges.begin(), ranges.end(),
                         [slot](const SlotRange& r) { return r.first <= slot && slot <= r.last; });
  if (it == ranges.end()) return;
  if (it->first == it->last) {
    ranges.erase(it);
  } else if (slot == it->first) {
    ++it->first;
  } else if (slot == it->last) {
    --it->last;
  } else {
    SlotRange tail{slot + 1, it->last};
    it->last = slot - 1;
    ranges.insert(it + 1, tail);
  }
}

void add_slot(std::vector<SlotRange>& ranges, int slot) {
  ranges.push_back(SlotRange{slot, slot});
  normalize(ranges);
}

int find_primary(const Shard& shard) {
  // A shard has one primary; should a reply ever list two (mid-failover views), the first wins
  // and MOVED corrects us.
  for (std::size_t i = 0; i < shard.nodes.size(); ++i) {
    if (shard.nodes[i].primary) return static_cast<int>(i);
  }
  return -1;
}

// Whether `node` is the server a redirect names. MOVED carries the server's preferred endpoint
// (IP by default) while our address may be the hostname, so any announced name counts.
bool same_node(const Node& node, const NodeAddress& target) {
  if (node.address == target) return true;
  if (target.host.empty() || node.address.port != target.port) return false;
  return node.ip == target.host || node.hostname == target.host;
}

}  // namespace

SlotMap::SlotMap() : m_shard_of_slot(k_slot_count, -1) {}

Expected<SlotMap> SlotMap::from_shards(std::vector<Shard> shards) {
  SlotMap map;
  for (std::size_t index = 0; index < shards.size(); ++index) {
    auto& shard = shards[index];
    for (const auto& range : shard.slots) {
      if (!valid_slot(range.first) || !valid_slot(range.last) || range.first > range.last) {
        return fail(ErrorKind::protocol, fmt::format("invalid slot range {}-{}", range.first, range.last));
      }
      for (int slot = range.first; slot <= range.last; ++slot) {
        if (map.m_shard_of_slot[slot] != -1) {
          return fail(ErrorKind::protocol, fmt::format("slot {} is claimed by two shards", slot));
        }
        map.m_shard_of_slot[slot] = static_cast<std::int32_t>(index);
      }
    }
    normalize(shard.slots);
    int primary = find_primary(shard);
    if (primary >= 0) {
      for (auto& node : shard.nodes) {
        if (!node.primary && node.primary_id.empty()) node.primary_id = shard.nodes[primary].id;
      }
    }
  }
  map.m_shards = std::move(shards);
  map.rebuild_index();
  return map;
}

SlotMap SlotMap::standalone(NodeAddress address) {
  // port/tls_port stay 0 (unknown): we are not told which transport the address is for.
  Node node;
  node.address = std::move(address);
  std::vector<Shard> shards{Shard{{SlotRange{0, k_slot_count - 1}}, {std::move(node)}}};
  // Cannot fail: one valid range, one shard.
  return std::move(*from_shards(std::move(shards)));
}

void SlotMap::rebuild_index() {
  m_primary_of_shard.clear();
  for (const auto& shard : m_shards) m_primary_of_shard.push_back(find_primary(shard));
}

std::vector<const Node*> SlotMap::primaries() const {
  std::vector<const Node*> out;
  for (std::size_t i = 0; i < m_shards.size(); ++i) {
    if (m_primary_of_shard[i] >= 0 && !m_shards[i].slots.empty()) {
      out.push_back(&m_shards[i].nodes[m_primary_of_shard[i]]);
    }
  }
  return out;
}

std::vector<const Node*> SlotMap::nodes() const {
  std::vector<const Node*> out;
  for (const auto& shard : m_shards) {
    for (const auto& node : shard.nodes) out.push_back(&node);
  }
  return out;
}

std::vector<const Node*> SlotMap::replicas() const {
  std::vector<const Node*> out;
  for (std::size_t i = 0; i < m_shards.size(); ++i) {
    if (m_primary_of_shard[i] < 0 || m_shards[i].slots.empty()) continue;
    const Node* best = nullptr;
    // Online before anything else, then furthest along. "loading" is not ruled out: Redis 7.0
    // reports a replica whose gossiped offset is still 0 as loading long after its sync.
    auto rank = [](const Node& n) { return std::pair(n.health == "online" ? 1 : 0, n.replication_offset); };
    for (const auto& node : m_shards[i].nodes) {
      // "fail" (7.0) and "failed" (the documented spelling) hold nothing to read.
      if (node.primary || node.health == "fail" || node.health == "failed") continue;
      if (!best || rank(node) > rank(*best)) best = &node;
    }
    out.push_back(best ? best : &m_shards[i].nodes[m_primary_of_shard[i]]);
  }
  return out;
}

int SlotMap::shard_for_slot(int slot) const { return valid_slot(slot) ? m_shard_of_slot[slot] : -1; }

const Node* SlotMap::primary_for_slot(int slot) const {
  int shard = shard_for_slot(slot);
  if (shard < 0 || m_primary_of_shard[shard] < 0) return nullptr;
  return &m_shards[shard].nodes[m_primary_of_shard[shard]];
}

int SlotMap::covered_slots() const {
  int covered = 0;
  for (auto shard : m_shard_of_slot) {
    if (shard >= 0 && m_primary_of_shard[shard] >= 0) ++covered;
  }
  return covered;
}

void SlotMap::assign(int slot, const NodeAddress& primary) {
  if (!valid_slot(slot)) return;
  int target_shard = -1;
  int target_node = -1;
  for (std::size_t s = 0; s < m_shards.size() && target_node < 0; ++s) {
    const auto& nodes = m_shards[s].nodes;
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      if (same_node(nodes[n], primary)) {
        target_shard = static_cast<int>(s);
        target_node = static_cast<int>(n);
        break;
      }
    }
  }
  if (target_shard < 0) {
    Node node;  // all we know is where it is; id, ports and health arrive with the next refresh
    node.address = primary;
    m_shards.push_back(Shard{{}, {std::move(node)}});
    target_shard = static_cast<int>(m_shards.size()) - 1;
    m_primary_of_shard.push_back(0);
  } else if (!m_shards[target_shard].nodes[target_node].primary) {
    // A replica now serving slots has been promoted (failover); its shard follows it.
    auto& nodes = m_shards[target_shard].nodes;
    auto& promoted = nodes[target_node];
    promoted.primary = true;
    promoted.primary_id.clear();
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      if (static_cast<int>(n) == target_node) continue;
      nodes[n].primary = false;
      nodes[n].primary_id = promoted.id;
    }
    m_primary_of_shard[target_shard] = target_node;
  }
  int old_shard = m_shard_of_slot[slot];
  if (old_shard == target_shard) return;
  if (old_shard >= 0) remove_slot(m_shards[old_shard].slots, slot);
  add_slot(m_shards[target_shard].slots, slot);
  m_shard_of_slot[slot] = target_shard;
}

}  // namespace rctl::cluster
