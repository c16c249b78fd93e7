#include "session/mask.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace rctl;
using Json = nlohmann::ordered_json;

TEST_CASE("is_sensitive_key", "[ops][session][mask]") {
  for (const char* key :
       {"password",     "Password",      "user_password", "passwd",          "PASSPHRASE",      "pwd",
        "secret",       "client_secret", "token",         "csrf_token",      "_csrf_token",     "X-CSRF-Token",
        "xsrf",         "api_key",       "apiKey",        "API Key",         "x-api-key",       "Authorization",
        "credentials",  "private_key",   "jwt",           "oauth_signature", "remember_cookie", "_auth_user_hash",
        "access_token", "refreshToken"}) {
    INFO(key);
    CHECK(session::is_sensitive_key(key));
  }
  for (const char* key : {"user_id", "_user_id", "_auth_user_id", "_permanent", "email", "username", "roles",
                          "last_activity", "ip_address", "device", "cart", "api", "key", "pass", "auth", ""}) {
    INFO(key);
    CHECK_FALSE(session::is_sensitive_key(key));
  }
}

TEST_CASE("mask_secrets masks at any depth and reports paths", "[ops][session][mask]") {
  Json data = Json::parse(R"({
    "user_id": 42,
    "csrf_token": "abc123",
    "oauth": {"access_token": "ya29.x", "scope": "email", "refresh_token": {"value": "r", "exp": 1}},
    "keys": [{"name": "a", "secret": "s1"}, {"name": "b", "secret": "s2"}, "plain"],
    "Password": null,
    "profile": {"nickname": "ann"},
    "obj": {"$pickle": "app.User", "state": {"password_hash": "pbkdf2$...", "name": "ann"}}
  })");
  auto paths = session::mask_secrets(data);
  CHECK(paths == std::vector<std::string>{"csrf_token", "oauth.access_token", "oauth.refresh_token", "keys[0].secret",
                                          "keys[1].secret", "obj.state.password_hash"});
  CHECK(data["user_id"] == 42);
  CHECK(data["csrf_token"] == "****");
  CHECK(data["oauth"]["access_token"] == "****");
  CHECK(data["oauth"]["scope"] == "email");
  CHECK(data["oauth"]["refresh_token"] == "****");  // a whole object under a sensitive key
  CHECK(data["keys"][0]["name"] == "a");
  CHECK(data["keys"][1]["secret"] == "****");
  CHECK(data["keys"][2] == "plain");
  CHECK(data["Password"].is_null());  // null reveals nothing and stays null
  CHECK(data["profile"]["nickname"] == "ann");
  CHECK(data["obj"]["state"]["name"] == "ann");
  CHECK(data["obj"]["state"]["password_hash"] == "****");
  // Key order is kept.
  CHECK(data.begin().key() == "user_id");
  // Nothing sensitive: unchanged, no paths.
  Json plain = {{"a", 1}, {"b", Json::array({1, 2})}};
  Json copy = plain;
  CHECK(session::mask_secrets(plain).empty());
  CHECK(plain == copy);
  // Scalars and arrays at the top level.
  Json s = "token";
  CHECK(session::mask_secrets(s).empty());
  Json arr = Json::array({{{"token", "t"}}});
  CHECK(session::mask_secrets(arr) == std::vector<std::string>{"[0].token"});
}
