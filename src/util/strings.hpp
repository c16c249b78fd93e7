#pragma once
// Small string helpers that the standard library lacks.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::util {

// Splits `text` at every `sep`; empty fields are kept ("a,,b" -> {"a", "", "b"}).
std::vector<std::string_view> split(std::string_view text, char sep);

// Removes leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

// ASCII lower-casing.
std::string to_lower(std::string_view text);

// Joins `parts` with `sep` between them.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Parses a whole decimal integer (optional leading '-'); nullopt on junk, empty or overflow.
std::optional<std::int64_t> parse_int(std::string_view text);

// The value of one hexadecimal digit (either case), or -1 for any other byte.
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses a whole decimal floating-point number, locale-independent; nullopt on junk.
std::optional<double> parse_double(std::string_view text);

// Escapes the characters that are special in Redis glob patterns (`\ * ? [ ]`) so that
// `text` matches only itself in SCAN MATCH.
std::string escape_glob(std::string_view text);

// The SCAN MATCH pattern for "every key starting with `prefix`".
std::string prefix_pattern(std::string_view prefix);

// True when `text` starts with `prefix`, byte for byte.
inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace rctl::util
