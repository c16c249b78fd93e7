#pragma once
// SHA-1 (FIPS 180-4), only to name Lua scripts the way Redis does for EVALSHA: the digest of
// the script text in lowercase hex. Not for anything security-related.

#include <string>
#include <string_view>

namespace rctl::util {

// The 40-character lowercase hex SHA-1 digest of `bytes`. Never fails.
std::string sha1_hex(std::string_view bytes);

}  // namespace rctl::util
