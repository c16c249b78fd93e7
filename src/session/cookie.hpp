#pragma once
// From a session cookie to the session id it stands for. Flask-Session's cookie holds the
// bare sid, or with SESSION_USE_SIGNER "sid.signature" where (itsdangerous Signer with
// salt 'flask-session', key_derivation 'hmac', SHA-1; same in 0.3.2 and 0.8.0):
//
//   derived   = HMAC-SHA1(key = SECRET_KEY, msg = "flask-session")
//   signature = base64url_nopad(HMAC-SHA1(key = derived, msg = sid))
//
// A signature is checked, never skipped: a cookie that does not verify is an error, not a
// lookup. Pure; no I/O.

#include "util/error.hpp"
#include "util/secret.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace rctl::session {

// Longest cookie value accepted (browsers cap a whole cookie at about 4 KiB).
inline constexpr std::size_t k_max_cookie_bytes = 4096;

// The salt Flask-Session gives its Signer.
inline constexpr std::string_view k_flask_session_salt = "flask-session";

// The signature Flask-Session's signer gives `sid` under `secret_key` (base64url, no
// padding): "9hCOm2Wn75C8TExsthOboQV5Z7c" for secret "sekrit" and sid
// "f2c3cb18-2853-4627-afb9-92a8074399f5". Fails only if libcrypto does.
Expected<std::string> flask_session_signature(std::string_view secret_key, std::string_view sid);

// What a cookie value says.
struct CookieSession {
  std::string sid;
  bool signed_cookie = false;  // it carried a signature, and the signature verified
};

// The session id in cookie `value`. Surrounding whitespace and one pair of double quotes
// (RFC 6265 quoted form) are removed first. With `secret`, the value must be "sid.signature"
// (split at the last '.') and the signature must verify (constant-time comparison).
// Without `secret`, the value must be a bare sid.
// Fails with:
//   ErrorKind::usage        empty or longer than k_max_cookie_bytes; control characters,
//                           spaces, ';' or '=' (a "name=value" pasted whole); or a
//                           signed-looking value ("x.y") without `secret`
//   ErrorKind::check_failed the signature is missing, not base64url, or does not verify
Expected<CookieSession> session_from_cookie(std::string_view value, const util::Secret* secret);

}  // namespace rctl::session
