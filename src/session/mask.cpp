#include "session/mask.hpp"

#include <array>

namespace rctl::session {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 16> k_sensitive_fragments = {
    "password", "passwd",        "passphrase", "pwd",        "secret", "token",     "csrf",   "xsrf",
    "apikey",   "authorization", "credential", "privatekey", "jwt",    "signature", "cookie", "authuserhash"};

// Decoded data is bounded in depth by the decoders (k_*_max_depth = 128), so recursion is too.
void mask(Json& value, const std::string& path, std::vector<std::string>& masked) {
  if (value.is_object()) {
    for (auto& [key, member] : value.items()) {
      std::string at = path.empty() ? key : path + "." + key;
      if (is_sensitive_key(key) && !member.is_null()) {
        member = std::string(k_masked_value);
        masked.push_back(std::move(at));
      } else {
        mask(member, at, masked);
      }
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) mask(value[i], path + "[" + std::to_string(i) + "]", masked);
  }
}

}  // namespace

bool is_sensitive_key(std::string_view key) {
  std::string folded;
  folded.reserve(key.size());
  for (char c : key) {
    if (c >= 'A' && c <= 'Z') folded += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) folded += c;
  }
  for (auto fragment : k_sensitive_fragments)
    if (folded.find(fragment) != std::string::npos) return true;
  return false;
}

std::vector<std::string> mask_secrets(Json& data) {
  std::vector<std::string> masked;
  mask(data, "", masked);
  return masked;
}

}  // namespace rctl::session
