#include "session/cookie.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace rctl;
using session::session_from_cookie;

namespace {

// Produced by itsdangerous 2.1.2 (Debian 12) exactly as Flask-Session 0.3.2 signs:
//   Signer(secret, salt='flask-session', key_derivation='hmac').sign(sid)
struct Vector {
  std::string secret;
  const char* sid;
  const char* cookie;
};
const Vector k_vectors[] = {
    {"sekrit", "f2c3cb18-2853-4627-afb9-92a8074399f5",
     "f2c3cb18-2853-4627-afb9-92a8074399f5.9hCOm2Wn75C8TExsthOboQV5Z7c"},
    {"a much longer secret key with spaces and \xc3\xbcn\xc3\xaf"
     "c\xc3\xb6"
     "d\xc3\xa9",
     "0ad2bd3e-7b58-4d0a-9d5c-4d0f0a3c9e11", "0ad2bd3e-7b58-4d0a-9d5c-4d0f0a3c9e11.VjoK0NzxNSohxAdDYGexMnjY_u0"},
    {"k", "Zm9vYmFy_-xyz0123456789abcdefghijklmnopqrs",
     "Zm9vYmFy_-xyz0123456789abcdefghijklmnopqrs.q1oSqQjyw_BEjnVh-wdldfdTdEU"},
    // A sid with dots: itsdangerous splits at the last one.
    {std::string(100, 'x'), "sid.with.dots", "sid.with.dots.TkS5duatq3jQupHHXIE4VDyHisc"},
};

}  // namespace

TEST_CASE("flask_session_signature matches itsdangerous", "[ops][session][cookie]") {
  for (const auto& v : k_vectors) {
    std::string cookie = v.cookie;
    auto sig = session::flask_session_signature(v.secret, v.sid);
    REQUIRE(sig);
    CHECK(std::string(v.sid) + "." + *sig == cookie);
  }
}

TEST_CASE("signed cookies verify and map to their sid", "[ops][session][cookie]") {
  for (const auto& v : k_vectors) {
    util::Secret secret(v.secret);
    auto r = session_from_cookie(v.cookie, &secret);
    REQUIRE(r);
    CHECK(r->sid == v.sid);
    CHECK(r->signed_cookie);
  }
  util::Secret secret("sekrit");
  // Whitespace and the RFC 6265 quoted form are accepted.
  auto quoted = session_from_cookie(" \"f2c3cb18-2853-4627-afb9-92a8074399f5.9hCOm2Wn75C8TExsthOboQV5Z7c\"\n", &secret);
  REQUIRE(quoted);
  CHECK(quoted->sid == "f2c3cb18-2853-4627-afb9-92a8074399f5");
}

TEST_CASE("bad signatures are failed checks, never lookups", "[ops][session][cookie]") {
  util::Secret secret("sekrit");
  const std::string sid = "f2c3cb18-2853-4627-afb9-92a8074399f5";
  const std::string good = "9hCOm2Wn75C8TExsthOboQV5Z7c";
  auto fails = [&](const std::string& cookie, const util::Secret& s) {
    auto r = session_from_cookie(cookie, &s);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::check_failed);
    return r.error().message;
  };
  CHECK(fails(sid + "." + good, util::Secret("Sekrit")).find("does not verify") != std::string::npos);  // wrong secret
  CHECK(fails(sid + ".8hCOm2Wn75C8TExsthOboQV5Z7c", secret).find("does not verify") !=
        std::string::npos);  // one char off
  CHECK(fails(sid + "." + good.substr(0, 26), secret).find("does not verify") != std::string::npos);  // truncated
  CHECK(fails(sid + "." + good + "AAAA", secret).find("does not verify") != std::string::npos);  // extended
  CHECK(fails(sid + "." + good + "AA", secret).find("base64url") != std::string::npos);  // impossible length
  CHECK(fails("f2c3cb18-2853-4627-afb9-92a8074399f6." + good, secret).find("does not verify") !=
        std::string::npos);  // other sid
  CHECK(fails(sid + ".9hCOm2Wn75C8TExsthOboQV5Z7c!", secret).find("base64url") != std::string::npos);
  CHECK(fails(sid + ".9hCOm2Wn75C8TExs+hOboQV5Z7c", secret).find("base64url") !=
        std::string::npos);  // standard alphabet
  CHECK(fails(sid + ".", secret).find("base64url") != std::string::npos);
  CHECK(fails("." + good, secret).find("no session id") != std::string::npos);
  // The app signs: an unsigned cookie cannot be one of its cookies.
  CHECK(fails(sid, secret).find("not signed") != std::string::npos);
}

TEST_CASE("unsigned cookies map directly; signed ones need the secret", "[ops][session][cookie]") {
  auto plain = session_from_cookie("dfb254e1-3bdf-4c73-89ae-17d3ccadd57a", nullptr);
  REQUIRE(plain);
  CHECK(plain->sid == "dfb254e1-3bdf-4c73-89ae-17d3ccadd57a");
  CHECK_FALSE(plain->signed_cookie);
  auto token = session_from_cookie("Zm9vYmFy_-xyz0123456789abcdefghijklmnopqrs", nullptr);
  REQUIRE(token);
  CHECK(token->sid == "Zm9vYmFy_-xyz0123456789abcdefghijklmnopqrs");

  auto needs_secret = session_from_cookie("f2c3cb18-2853-4627-afb9-92a8074399f5.9hCOm2Wn75C8TExsthOboQV5Z7c", nullptr);
  REQUIRE_FALSE(needs_secret);
  CHECK(needs_secret.error().kind == ErrorKind::usage);
  CHECK(needs_secret.error().hint.find("--secret-env") != std::string::npos);
}

TEST_CASE("malformed cookie values are usage errors", "[ops][session][cookie]") {
  util::Secret secret("sekrit");
  const std::vector<std::string> bad_values = {
      "", "   ", "\"\"", "session=abc", "abc; Path=/", "a b", "a\x1b[2Jb", std::string("a\0b", 3)};
  for (const auto& bad : bad_values) {
    auto r = session_from_cookie(bad, nullptr);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::usage);
    auto s = session_from_cookie(bad, &secret);
    REQUIRE_FALSE(s);
    CHECK(s.error().kind == ErrorKind::usage);
  }
  // At the length limit and one byte over.
  CHECK(session_from_cookie(std::string(session::k_max_cookie_bytes, 'a'), nullptr));
  auto over = session_from_cookie(std::string(session::k_max_cookie_bytes + 1, 'a'), nullptr);
  REQUIRE_FALSE(over);
  CHECK(over.error().kind == ErrorKind::usage);
}
