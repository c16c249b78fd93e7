#pragma once
// zlib/gzip inflation with a hard cap on the output size, and the deflate the RQ job writer
// needs. A compressed value from Redis is untrusted: a few kilobytes can claim gigabytes.

#include "util/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace rctl::decode {

// Default cap for one inflated value (also the auto-detection default).
inline constexpr std::size_t k_default_max_inflated_bytes = 16 * 1024 * 1024;

// Inflates a complete zlib (RFC 1950) or gzip (RFC 1952) stream. Fails (ErrorKind::protocol)
// with "inflated size exceeds N bytes" as soon as the output would pass `max_output`, with
// "zlib: truncated input" when the stream ends early, "zlib: corrupt input (...)" on a bad
// stream, and "zlib: N trailing bytes after the end of the stream" on extra input.
Expected<std::string> inflate_capped(std::string_view compressed, std::size_t max_output);

// zlib stream of `data` at the default level (what Python's zlib.compress writes).
std::string deflate(std::string_view data);

// True if `bytes` starts with a zlib header as Python writes it: CMF 0x78 (deflate, 32 KiB
// window), FLG without a preset dictionary, and (CMF*256 + FLG) % 31 == 0.
bool looks_like_zlib(std::string_view bytes);

// True if `bytes` starts with the gzip magic 1f 8b and method 08 (deflate).
bool looks_like_gzip(std::string_view bytes);

}  // namespace rctl::decode
