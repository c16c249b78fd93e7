#pragma once
// Splitting keys into same-slot batches, so multi-key commands (UNLINK, DEL, MGET) never fail
// with CROSSSLOT in a cluster (https://redis.io/docs/reference/cluster-spec/#multi-key-operations).

#include <cstddef>
#include <string>
#include <vector>

namespace rctl::cluster {

struct SlotBatch {
  int slot = 0;  // every key hashes here; route by it
  std::vector<std::string> keys;  // 1..max_batch keys, in their input order
};

// Groups `keys` (moved from, not copied) by hash slot and cuts each group into batches of at
// most `max_batch` keys (0 counts as 1). Batches come in ascending slot order; within a slot
// keys keep their input order. Duplicates are kept. Never fails.
std::vector<SlotBatch> batch_by_slot(std::vector<std::string> keys, std::size_t max_batch);

// The same batches without their slots.
std::vector<std::vector<std::string>> group_by_slot(std::vector<std::string> keys, std::size_t max_batch);

}  // namespace rctl::cluster
