#include "util/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace rctl::util {

namespace {

const EVP_MD* md_of(Digest digest) { return digest == Digest::sha1 ? EVP_sha1() : EVP_sha256(); }

// HMAC() takes a non-null key pointer even for an empty key.
const unsigned char* bytes_of(std::string_view s) {
  static const unsigned char k_empty = 0;
  return s.empty() ? &k_empty : reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::size_t digest_size(Digest digest) { return digest == Digest::sha1 ? 20 : 32; }

Expected<std::string> hmac(Digest digest, std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(md_of(digest), bytes_of(key), static_cast<int>(key.size()), bytes_of(message), message.size(), out,
           &length) == nullptr) {
    return fail(ErrorKind::internal, "HMAC computation failed (libcrypto)");
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

Expected<std::string> hash(Digest digest, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes_of(data), data.size(), out, &length, md_of(digest), nullptr) != 1) {
    return fail(ErrorKind::internal, "digest computation failed (libcrypto)");
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace rctl::util
