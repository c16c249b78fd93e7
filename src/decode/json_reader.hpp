#pragma once
// Bounded JSON parsing of untrusted text into ordered JSON.
//
// nlohmann's own parse() builds any depth (and dump() then recurses on it) and, into
// ordered_json, inserts object keys in quadratic time. This reader drives nlohmann's SAX
// parser with its own handler that bounds depth and element count and inserts keys in
// constant time (a repeated key keeps its first position and its last value).

#include "util/error.hpp"

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rctl::decode {

// Largest input accepted.
inline constexpr std::size_t k_json_max_input_bytes = 64 * 1024 * 1024;
// Deepest nesting of arrays/objects.
inline constexpr std::size_t k_json_max_depth = 128;
// Most values in the result (an object member counts once, for its value).
inline constexpr std::size_t k_json_max_elements = 1000 * 1000;

// The limits in force; the defaults are the k_json_* constants.
struct JsonLimits {
  std::size_t max_input_bytes = k_json_max_input_bytes;
  std::size_t max_depth = k_json_max_depth;
  std::size_t max_elements = k_json_max_elements;
};

// Parses `text` as exactly one JSON value (RFC 8259; whitespace around it allowed, no
// comments, strings must be valid UTF-8). Fails (ErrorKind::protocol) with a message
// starting "json: " on a syntax error or an exceeded limit. Never throws.
Expected<nlohmann::ordered_json> read_json(std::string_view text, const JsonLimits& limits = {});

}  // namespace rctl::decode
