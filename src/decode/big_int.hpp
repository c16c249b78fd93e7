#pragma once
// Arbitrary-size integers as pickle stores them (LONG, LONG1, LONG4), just enough to print
// them in decimal and to read a UUID out of one. Callers bound the size: the conversions
// are quadratic in the number of digits.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rctl::decode {

// Sign and magnitude. `magnitude` is little-endian with no most-significant zero bytes;
// zero is an empty magnitude and never negative.
struct BigInt {
  bool negative = false;
  std::string magnitude;
};

// Reads a little-endian two's-complement integer (pickle LONG1/LONG4 payload; empty is 0).
BigInt big_int_from_twos_complement(std::string_view little_endian);

// Reads `[+-]?[0-9]+`; nullopt for anything else (including an empty string).
std::optional<BigInt> big_int_from_decimal(std::string_view text);

// The value as int64 if it fits, else nullopt.
std::optional<std::int64_t> to_int64(const BigInt& value);

// The value in decimal, with a leading '-' if negative.
std::string to_decimal(const BigInt& value);

// Little-endian two's complement of `value` in the fewest bytes (0 gives an empty string),
// as pickle's LONG1 wants it.
std::string to_twos_complement(std::int64_t value);
std::string to_twos_complement_unsigned(std::uint64_t value);

}  // namespace rctl::decode
