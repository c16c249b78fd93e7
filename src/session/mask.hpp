#pragma once
// Masking secrets in decoded session data before it is shown: sessions hold CSRF tokens,
// OAuth access tokens, API keys and the like, and `rctl session show` output ends up in
// terminals, tickets and chat. Pure; no I/O.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace rctl::session {

// What a masked value is replaced with.
inline constexpr std::string_view k_masked_value = "****";

// True when a value stored under `key` is treated as a secret. The key is compared
// case-insensitively with every character other than a-z and 0-9 removed ("X-CSRF-Token" ->
// "xcsrftoken"), and is sensitive when that contains one of: password, passwd, passphrase,
// pwd, secret, token, csrf, xsrf, apikey, authorization, credential, privatekey, jwt,
// signature, cookie, authuserhash (Django's password-derived session hash).
bool is_sensitive_key(std::string_view key);

// Replaces, in place, the value of every object member whose key is sensitive (at any depth,
// inside arrays too; a sensitive member's whole value, even an object, becomes
// k_masked_value; null stays null because it reveals nothing). Returns the paths of the
// masked members in document order: "csrf_token", "oauth.access_token", "keys[1].secret".
std::vector<std::string> mask_secrets(nlohmann::ordered_json& data);

}  // namespace rctl::session
