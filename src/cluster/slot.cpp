#include "cluster/slot.hpp"

#include <array>

namespace rctl::cluster {
namespace {

// Built at compile time so the table costs nothing at startup and cannot be mistyped;
// the spec's reference implementation ships the same 256 values as a literal.
constexpr std::array<std::uint16_t, 256> make_crc16_table() {
  std::array<std::uint16_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    auto crc = static_cast<std::uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    table[byte] = crc;
  }
  return table;
}

constexpr auto k_crc16_table = make_crc16_table();
static_assert(k_crc16_table[1] == 0x1021 && k_crc16_table[255] == 0x1ef0);

// Slots are the low 14 bits of the CRC (k_slot_count is a power of two).
constexpr std::uint16_t k_slot_mask = k_slot_count - 1;
static_assert((k_slot_count & k_slot_mask) == 0);

}  // namespace

std::uint16_t crc16_xmodem(std::string_view bytes) {
  std::uint16_t crc = 0;
  for (char c : bytes) {
    auto index = static_cast<std::uint8_t>((crc >> 8) ^ static_cast<std::uint8_t>(c));
    crc = static_cast<std::uint16_t>((crc << 8) ^ k_crc16_table[index]);
  }
  return crc;
}

std::string_view hash_tag(std::string_view key) {
  // Only the first '{' counts, and only the first '}' after it: "foo{{bar}}" hashes "{bar",
  // "foo{}{bar}" hashes the whole key (empty tag). Same rules as keyHashSlot() in cluster.c.
  auto open = key.find('{');
  if (open == std::string_view::npos) return key;
  auto close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

int key_slot(std::string_view key) { return crc16_xmodem(hash_tag(key)) & k_slot_mask; }

}  // namespace rctl::cluster
