#pragma once
// Redis Cluster key -> hash slot mapping
// (https://redis.io/docs/reference/cluster-spec/#key-distribution-model).

#include <cstdint>
#include <string_view>

namespace rctl::cluster {

// Number of hash slots in every Redis Cluster; valid slots are 0..k_slot_count-1.
inline constexpr int k_slot_count = 16384;

// CRC16-CCITT/XMODEM (poly 0x1021, init 0, no reflection, no final xor), the checksum
// Redis uses for slots. crc16_xmodem("123456789") == 0x31C3. Never fails.
std::uint16_t crc16_xmodem(std::string_view bytes);

// The part of `key` that is hashed: the text between the first '{' and the first '}'
// after it when that text is non-empty, else the whole key. Returns a view into `key`.
std::string_view hash_tag(std::string_view key);

// The hash slot (0..16383) of a key, honouring hash tags. Keys are binary-safe.
int key_slot(std::string_view key);

}  // namespace rctl::cluster
