#pragma once
// Keyed hashes and digests for verifying what applications sign (Flask-Session's signed
// session cookies use itsdangerous: HMAC-SHA1), on OpenSSL's libcrypto.

#include "util/error.hpp"

#include <string>
#include <string_view>

namespace rctl::util {

enum class Digest { sha1, sha256 };

// Digest length in bytes: 20 for SHA-1, 32 for SHA-256.
std::size_t digest_size(Digest digest);

// HMAC(key, message) with `digest`, as raw bytes (RFC 2104). Any key length, including empty.
// Fails (ErrorKind::internal) only if libcrypto does.
Expected<std::string> hmac(Digest digest, std::string_view key, std::string_view message);

// The plain digest of `data`, as raw bytes. Fails (ErrorKind::internal) only if libcrypto does.
Expected<std::string> hash(Digest digest, std::string_view data);

// True when `a` and `b` are the same bytes. The time taken depends only on their lengths,
// never on where they differ, so comparing a computed MAC with a presented one leaks nothing.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace rctl::util
