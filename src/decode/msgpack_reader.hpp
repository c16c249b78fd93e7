#pragma once
// MessagePack -> JSON, for Flask-Session >= 0.7 values (msgspec msgpack) and other apps.
//
// Built on msgpack-cxx's SAX-style parser (msgpack::parse with our own visitor) rather
// than msgpack::unpack: unpack's object builder allocates `declared count * 24` bytes as
// soon as it reads an array/map header, so 5 bytes (`dd 00 0f 42 40`) can make it allocate
// tens of megabytes per nesting level. Our visitor allocates only for elements that are
// actually present, and rejects declared counts the remaining input cannot hold.
//
// JSON conventions: nil/bool/int/float/str/array/map as JSON (uint64 stays unsigned; NaN
// and infinities as {"$float": "nan" | "inf" | "-inf"}; invalid UTF-8 in str has each bad
// byte replaced by U+FFFD); bin -> {"$bytes": "<base64>"}; ext -> {"$ext": <type>,
// "data": "<base64>"}; a non-string map key becomes the compact JSON dump of its value
// (1 -> "1", true -> "true", nil -> "null", [1,2] -> "[1,2]"); a repeated key keeps its
// first position and its last value.

#include "util/error.hpp"

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rctl::decode {

// Largest input accepted.
inline constexpr std::size_t k_msgpack_max_input_bytes = 64 * 1024 * 1024;
// Deepest nesting of arrays/maps (a map key counts as one level inside its map).
inline constexpr std::size_t k_msgpack_max_depth = 128;
// Most values in the result (a map entry counts its key and its value).
inline constexpr std::size_t k_msgpack_max_elements = 1000 * 1000;
// Most bytes of key text made from map keys that are arrays, maps, bin or ext, in total.
// Without it, maps used as keys of maps used as keys... grow exponentially: each level
// escapes the quotes of the level inside it again.
inline constexpr std::size_t k_msgpack_max_key_bytes = 1024 * 1024;

// The limits in force; the defaults are the k_msgpack_* constants. Strings, bin and ext
// need no limit of their own: they are copied from the input only once fully present.
struct MsgpackLimits {
  std::size_t max_input_bytes = k_msgpack_max_input_bytes;
  std::size_t max_depth = k_msgpack_max_depth;
  std::size_t max_elements = k_msgpack_max_elements;
  std::size_t max_key_bytes = k_msgpack_max_key_bytes;
};

// Whether bytes after the first complete object are an error.
enum class Trailing { reject, allow };

// A decoded msgpack object.
struct MsgpackResult {
  nlohmann::ordered_json value;  // in the conventions above
  std::size_t consumed = 0;  // bytes of the first object
  bool complete = false;  // consumed == input size
};

// Reads the first msgpack object of `bytes`. Fails (ErrorKind::protocol) with a message
// starting "msgpack: " on truncated or malformed input, an exceeded limit, a declared
// length the input cannot hold, or - with Trailing::reject - "msgpack: N trailing bytes".
// Never throws.
Expected<MsgpackResult> read_msgpack(std::string_view bytes, const MsgpackLimits& limits = {},
                                     Trailing trailing = Trailing::reject);

}  // namespace rctl::decode
