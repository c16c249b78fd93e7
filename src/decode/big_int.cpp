#include "decode/big_int.hpp"

#include <vector>

namespace rctl::decode {

namespace {

void trim(std::string& magnitude) {
  while (!magnitude.empty() && magnitude.back() == '\0') magnitude.pop_back();
}

std::vector<std::uint32_t> to_limbs(const std::string& magnitude) {
  std::vector<std::uint32_t> limbs((magnitude.size() + 3) / 4, 0);
  for (std::size_t i = 0; i < magnitude.size(); ++i) {
    limbs[i / 4] |= static_cast<std::uint32_t>(static_cast<unsigned char>(magnitude[i])) << (8 * (i % 4));
  }
  return limbs;
}

}  // namespace

BigInt big_int_from_twos_complement(std::string_view little_endian) {
  BigInt out;
  if (little_endian.empty()) return out;
  out.magnitude.assign(little_endian);
  out.negative = (static_cast<unsigned char>(little_endian.back()) & 0x80u) != 0;
  if (out.negative) {
    // magnitude = ~x + 1
    unsigned carry = 1;
    for (char& c : out.magnitude) {
      const unsigned v = (~static_cast<unsigned>(static_cast<unsigned char>(c)) & 0xffu) + carry;
      c = static_cast<char>(v & 0xffu);
      carry = v >> 8;
    }
  }
  trim(out.magnitude);
  if (out.magnitude.empty()) out.negative = false;
  return out;
}

std::optional<BigInt> big_int_from_decimal(std::string_view text) {
  BigInt out;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    out.negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    // magnitude = magnitude * 10 + digit
    unsigned carry = static_cast<unsigned>(c - '0');
    for (char& m : out.magnitude) {
      const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(m)) * 10u + carry;
      m = static_cast<char>(v & 0xffu);
      carry = v >> 8;
    }
    if (carry != 0) out.magnitude.push_back(static_cast<char>(carry));
  }
  trim(out.magnitude);
  if (out.magnitude.empty()) out.negative = false;
  return out;
}

std::optional<std::int64_t> to_int64(const BigInt& value) {
  if (value.magnitude.size() > 8) return std::nullopt;
  std::uint64_t m = 0;
  for (std::size_t i = value.magnitude.size(); i-- > 0;) {
    m = (m << 8) | static_cast<unsigned char>(value.magnitude[i]);
  }
  if (!value.negative) {
    if (m > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(m);
  }
  if (m > static_cast<std::uint64_t>(INT64_MAX) + 1) return std::nullopt;
  if (m == static_cast<std::uint64_t>(INT64_MAX) + 1) return INT64_MIN;
  return -static_cast<std::int64_t>(m);
}

std::string to_decimal(const BigInt& value) {
  std::vector<std::uint32_t> limbs = to_limbs(value.magnitude);
  std::string digits;  // least significant first
  while (!limbs.empty()) {
    // Divide by 10^9, keep the remainder as nine digits.
    std::uint64_t rem = 0;
    for (std::size_t i = limbs.size(); i-- > 0;) {
      const std::uint64_t cur = (rem << 32) | limbs[i];
      limbs[i] = static_cast<std::uint32_t>(cur / 1000000000u);
      rem = cur % 1000000000u;
    }
    while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
    for (int i = 0; i < 9; ++i) {
      digits.push_back(static_cast<char>('0' + rem % 10));
      rem /= 10;
      if (limbs.empty() && rem == 0) break;
    }
  }
  if (digits.empty()) digits = "0";
  if (value.negative) digits.push_back('-');
  return std::string(digits.rbegin(), digits.rend());
}

std::string to_twos_complement_unsigned(std::uint64_t value) {
  std::string out;
  while (value != 0) {
    out.push_back(static_cast<char>(value & 0xffu));
    value >>= 8;
  }
  // A set top bit would read back as negative: add a zero sign byte.
  if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80u) != 0) out.push_back('\0');
  return out;
}

std::string to_twos_complement(std::int64_t value) {
  if (value >= 0) return to_twos_complement_unsigned(static_cast<std::uint64_t>(value));
  std::string out;
  auto bits = static_cast<std::uint64_t>(value);
  for (;;) {
    const auto byte = static_cast<unsigned char>(bits & 0xffu);
    out.push_back(static_cast<char>(byte));
    bits = (bits >> 8) | 0xff00000000000000ull;  // arithmetic shift
    // Done when the rest is all ones and the sign bit of what we wrote is set.
    if (bits == ~0ull && (byte & 0x80u) != 0) break;
  }
  return out;
}

}  // namespace rctl::decode
