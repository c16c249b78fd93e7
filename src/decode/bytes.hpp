#pragma once
// Text safety for arbitrary bytes: UTF-8 validation, terminal escaping, hex, base64, and
// the JSON form of a byte string (DESIGN "Output contract"). Every human-readable
// rendering of a value read from Redis goes through here.

#include "util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rctl::decode {

// True if `bytes` is well-formed UTF-8: no overlong forms, no surrogates (U+D800-U+DFFF),
// nothing above U+10FFFF, no truncated sequence.
bool is_valid_utf8(std::string_view bytes);

// Decodes the UTF-8 sequence at the start of `bytes` into `cp`. Returns its length (1-4),
// or 0 if `bytes` is empty or does not start with a well-formed sequence.
std::size_t decode_utf8_char(std::string_view bytes, std::uint32_t& cp);

// Returns `bytes` with every invalid UTF-8 sequence replaced by U+FFFD, so the result can
// be put into nlohmann::json (which throws on invalid UTF-8 when dumping). Lossy.
std::string repair_utf8(std::string_view bytes);

// Appends the UTF-8 encoding of code point `cp` to `out`. Surrogates and values above
// U+10FFFF are written as U+FFFD.
void append_utf8(std::string& out, std::uint32_t cp);

// Returns `bytes` safe to print on a terminal. Printable valid UTF-8 passes through.
// Escaped: backslash as `\\`; `\n`, `\r`, `\t`; other C0 controls, DEL and every byte of
// an invalid UTF-8 sequence as `\xNN` (NUL is `\x00`, ESC is `\x1b`); C1 controls
// (U+0080-U+009F), U+2028/U+2029 and the bidi controls U+202A-U+202E, U+2066-U+2069 as
// `\u{NNNN}` (lowercase hex, no padding, e.g. `\u{202e}`, `\u{85}`).
std::string escape_for_terminal(std::string_view bytes);

// Lowercase hex of `bytes`, two digits per byte, no separators.
std::string to_hex(std::string_view bytes);

// Which base64 alphabet: RFC 4648 §4 (`+/`) or §5 URL-safe (`-_`).
enum class Base64Alphabet { standard, url_safe };

// Base64 of `bytes`; `pad` adds `=` padding to a multiple of 4 characters.
std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet = Base64Alphabet::standard, bool pad = true);

// Decodes base64 text. `standard` requires padding to a multiple of 4 characters;
// `url_safe` accepts it with or without padding. Fails with ErrorKind::protocol on
// characters outside the alphabet, whitespace, misplaced padding or an impossible length.
// Unused low bits of the last character are ignored (as Python's b64decode does).
Expected<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet = Base64Alphabet::standard);

// The JSON form of raw bytes: a JSON string if `bytes` is valid UTF-8, otherwise
// {"base64": "<standard base64>"}.
nlohmann::ordered_json json_bytes(std::string_view bytes);

// The form used for bytes *inside* decoded structures (pickle bytes/bytearray, msgpack
// bin): {"$bytes": "<standard base64>"}.
nlohmann::ordered_json tagged_bytes(std::string_view bytes);

}  // namespace rctl::decode
