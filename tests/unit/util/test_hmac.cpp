#include "util/hmac.hpp"

#include <catch2/catch.hpp>

#include "decode/bytes.hpp"

#include <string>

using namespace rctl;

namespace {

std::string hex_hmac(util::Digest d, const std::string& key, const std::string& message) {
  auto mac = util::hmac(d, key, message);
  REQUIRE(mac);
  REQUIRE(mac->size() == util::digest_size(d));
  return decode::to_hex(*mac);
}

}  // namespace

TEST_CASE("hmac: RFC 2202 and RFC 4231 vectors", "[util][hmac]") {
  const std::string key(20, '\x0b');
  CHECK(hex_hmac(util::Digest::sha1, key, "Hi There") == "b617318655057264e28bc0b6fb378c8ef146be00");
  CHECK(hex_hmac(util::Digest::sha256, key, "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // A key longer than the block size is hashed first (RFC 4231 case 6).
  CHECK(hex_hmac(util::Digest::sha256, std::string(131, '\xaa'),
                 "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("hmac: values Python's hmac module gives", "[util][hmac]") {
  const std::string fox = "The quick brown fox jumps over the lazy dog";
  CHECK(hex_hmac(util::Digest::sha1, "key", fox) == "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9");
  CHECK(hex_hmac(util::Digest::sha256, "key", fox) ==
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  // Empty key and message are valid input.
  CHECK(hex_hmac(util::Digest::sha1, "", "") == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
  // itsdangerous' key derivation for Flask-Session: HMAC-SHA1(secret, "flask-session").
  CHECK(hex_hmac(util::Digest::sha1, "sekrit", "flask-session") == "099d73c66d21897465bfc0e14de208136a5fea94");
  // Binary keys and messages, embedded NULs included.
  CHECK(hex_hmac(util::Digest::sha1, std::string("k\0y", 3), std::string("m\0", 2)) !=
        hex_hmac(util::Digest::sha1, "k", "m"));
}

TEST_CASE("hash: SHA-1 and SHA-256 digests", "[util][hmac]") {
  auto sha1 = util::hash(util::Digest::sha1, "abc");
  REQUIRE(sha1);
  CHECK(decode::to_hex(*sha1) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  auto empty = util::hash(util::Digest::sha256, "");
  REQUIRE(empty);
  CHECK(decode::to_hex(*empty) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("constant_time_equal compares whole byte strings", "[util][hmac]") {
  CHECK(util::constant_time_equal("", ""));
  CHECK(util::constant_time_equal("abc", "abc"));
  CHECK(util::constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  CHECK_FALSE(util::constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  CHECK_FALSE(util::constant_time_equal("abc", "abd"));
  CHECK_FALSE(util::constant_time_equal("abc", "xbc"));
  CHECK_FALSE(util::constant_time_equal("abc", "ab"));
  CHECK_FALSE(util::constant_time_equal("", "a"));
}
