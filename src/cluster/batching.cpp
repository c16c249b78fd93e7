#include "cluster/batching.hpp"

#include <algorithm>
#include <cstdint>

#include "cluster/slot.hpp"

namespace rctl::cluster {

std::vector<SlotBatch> batch_by_slot(std::vector<std::string> keys, std::size_t max_batch) {
  max_batch = std::max<std::size_t>(max_batch, 1);
  // Counting sort by slot: one hash per key, one 64 KiB count table, keys moved once into
  // their batch. Stable, so keys keep their input order within a slot.
  std::vector<std::uint16_t> slot_of(keys.size());
  std::vector<std::uint32_t> start(k_slot_count + 1, 0);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    slot_of[i] = static_cast<std::uint16_t>(key_slot(keys[i]));
    ++start[slot_of[i] + 1];
  }
  std::size_t batch_count = 0;
  for (int slot = 0; slot < k_slot_count; ++slot) {
    batch_count += (start[slot + 1] + max_batch - 1) / max_batch;
    start[slot + 1] += start[slot];
  }
  std::vector<std::uint32_t> order(keys.size());
  {
    auto next = start;
    for (std::size_t i = 0; i < keys.size(); ++i) order[next[slot_of[i]]++] = static_cast<std::uint32_t>(i);
  }
  std::vector<SlotBatch> batches;
  batches.reserve(batch_count);
  for (std::size_t position = 0; position < order.size(); ++position) {
    auto& key = keys[order[position]];
    int slot = slot_of[order[position]];
    if (batches.empty() || batches.back().slot != slot || batches.back().keys.size() == max_batch) {
      auto remaining = static_cast<std::size_t>(start[slot + 1]) - position;
      batches.push_back(SlotBatch{slot, {}});
      batches.back().keys.reserve(std::min(remaining, max_batch));
    }
    batches.back().keys.push_back(std::move(key));
  }
  return batches;
}

std::vector<std::vector<std::string>> group_by_slot(std::vector<std::string> keys, std::size_t max_batch) {
  auto batches = batch_by_slot(std::move(keys), max_batch);
  std::vector<std::vector<std::string>> out;
  out.reserve(batches.size());
  for (auto& batch : batches) out.push_back(std::move(batch.keys));
  return out;
}

}  // namespace rctl::cluster
