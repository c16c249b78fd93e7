#include "session/cookie.hpp"

#include "decode/bytes.hpp"
#include "util/hmac.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace rctl::session {

namespace {

// The base64url alphabet without padding: all a signature may contain.
bool is_base64url(std::string_view text) {
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Expected<std::string> raw_signature(std::string_view secret_key, std::string_view sid) {
  auto derived = util::hmac(util::Digest::sha1, secret_key, k_flask_session_salt);
  if (!derived) return std::unexpected(derived.error());
  return util::hmac(util::Digest::sha1, *derived, sid);
}

std::unexpected<Error> bad_cookie(std::string message) {
  return fail(ErrorKind::check_failed, std::move(message),
              "the cookie was not signed with this secret: check --secret-env names the app's SECRET_KEY, "
              "or the cookie was altered");
}

}  // namespace

Expected<std::string> flask_session_signature(std::string_view secret_key, std::string_view sid) {
  auto raw = raw_signature(secret_key, sid);
  if (!raw) return std::unexpected(raw.error());
  return decode::base64_encode(*raw, decode::Base64Alphabet::url_safe, false);
}

Expected<CookieSession> session_from_cookie(std::string_view value, const util::Secret* secret) {
  value = util::trim(value);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  if (value.empty()) return fail(ErrorKind::usage, "--cookie: the cookie value is empty");
  if (value.size() > k_max_cookie_bytes)
    return fail(ErrorKind::usage, fmt::format("--cookie: the value is longer than {} bytes", k_max_cookie_bytes));
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ';' || c == ' ' || c == '=')
      return fail(ErrorKind::usage,
                  "--cookie: give only the cookie's value (no name=, spaces, ';' or control characters)",
                  "for 'session=abc.def; Path=/' pass --cookie abc.def");
  }
  auto dot = value.rfind('.');
  if (!secret) {
    if (dot != std::string_view::npos)
      return fail(ErrorKind::usage, "the cookie looks signed (sid.signature) and no secret was given",
                  "pass --secret-env NAME, NAME being an environment variable that holds the app's SECRET_KEY");
    return CookieSession{std::string(value), false};
  }
  if (dot == std::string_view::npos)
    return bad_cookie("the cookie is not signed (no '.signature'), but the app signs its cookies");
  auto sid = value.substr(0, dot);
  auto signature = value.substr(dot + 1);
  if (sid.empty()) return bad_cookie("the cookie has a signature but no session id");
  // 27 characters carry a SHA-1 (20 bytes); anything else cannot verify.
  if (signature.empty() || !is_base64url(signature)) return bad_cookie("the cookie's signature is not base64url");
  auto presented = decode::base64_decode(signature, decode::Base64Alphabet::url_safe);
  if (!presented) return bad_cookie("the cookie's signature is not base64url");
  auto expected = raw_signature(secret->reveal(), sid);
  if (!expected) return std::unexpected(expected.error());
  if (!util::constant_time_equal(*presented, *expected)) return bad_cookie("the cookie's signature does not verify");
  return CookieSession{std::string(sid), true};
}

}  // namespace rctl::session
