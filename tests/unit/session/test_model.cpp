#include "session/model.hpp"
#include "session/scan.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace rctl;
using Json = nlohmann::ordered_json;

namespace {

std::optional<session::SessionUser> user_of(const Json& data) {
  return session::session_user(data, session::default_user_fields());
}

decode::DecodedValue decoded(decode::Format format, Json data) {
  decode::DecodedValue v;
  v.format = format;
  v.data = std::move(data);
  return v;
}

}  // namespace

TEST_CASE("session_user: the common user fields, in order", "[ops][session]") {
  CHECK(user_of({{"user_id", 42}})->id == "42");
  CHECK(user_of({{"user_id", 42}})->field == "user_id");
  CHECK(user_of({{"_user_id", "7"}})->field == "_user_id");  // Flask-Login
  CHECK(user_of({{"_auth_user_id", "3"}, {"_auth_user_hash", "x"}})->id == "3");  // Django
  CHECK(user_of({{"uid", "u-1"}})->id == "u-1");
  CHECK(user_of({{"email", "ann@example.com"}})->id == "ann@example.com");
  CHECK(user_of({{"username", "ann"}})->id == "ann");
  // Earlier fields win whatever the order in the data.
  auto both = user_of({{"email", "ann@example.com"}, {"user_id", 5}});
  CHECK(both->id == "5");
  CHECK(both->field == "user_id");
  // Large and negative integers, and integral floats, as Python would print them.
  CHECK(user_of({{"user_id", std::uint64_t{18446744073709551615ull}}})->id == "18446744073709551615");
  CHECK(user_of({{"user_id", -1}})->id == "-1");
  CHECK(user_of({{"user_id", 42.0}})->id == "42");
  CHECK(user_of({{"user_id", 4.5}})->id == "4.5");
}

TEST_CASE("session_user: values that name no user", "[ops][session]") {
  CHECK_FALSE(user_of(Json::object()));
  CHECK_FALSE(user_of({{"user_id", nullptr}}));
  CHECK_FALSE(user_of({{"user_id", ""}}));
  CHECK_FALSE(user_of({{"user_id", true}}));
  CHECK_FALSE(user_of({{"user_id", Json::array({1})}}));
  CHECK_FALSE(user_of({{"user_id", {{"id", 1}}}}));
  CHECK_FALSE(user_of({{"user_id", {{"$float", "nan"}}}}));
  CHECK_FALSE(user_of({{"USER_ID", 1}}));  // field names are exact
  CHECK_FALSE(user_of(Json::array({{{"user_id", 1}}})));
  CHECK_FALSE(user_of("user_id"));
  // A null first field falls through to the next one.
  CHECK(user_of({{"user_id", nullptr}, {"email", "b@example.com"}})->id == "b@example.com");
}

TEST_CASE("session_user: custom fields and dotted paths", "[ops][session]") {
  Json data = {{"user", {{"id", 9}, {"profile", {{"login", "zed"}}}}}, {"user_id", 1}};
  CHECK(session::session_user(data, {"user.id"})->id == "9");
  CHECK(session::session_user(data, {"user.id"})->field == "user.id");
  CHECK(session::session_user(data, {"user.profile.login"})->id == "zed");
  CHECK_FALSE(session::session_user(data, {"user.missing"}));
  CHECK_FALSE(session::session_user(data, {"user_id.x"}));
  CHECK(session::session_user(data, {"nope", "user_id"})->id == "1");
}

TEST_CASE("session_last_activity", "[ops][session]") {
  CHECK(*session::session_last_activity({{"last_activity", "2026-01-02T03:04:05"}}) == "2026-01-02T03:04:05");
  CHECK(*session::session_last_activity({{"updated_at", 1767000000.5}, {"last_seen", 17}}) == 17);
  CHECK_FALSE(session::session_last_activity({{"last_activity", nullptr}}));
  CHECK_FALSE(session::session_last_activity({{"created_at", "x"}}));
  CHECK_FALSE(session::session_last_activity(Json::array()));
}

TEST_CASE("classify_store", "[ops][session]") {
  using session::SessionStore;
  auto pickle_dict = decoded(decode::Format::pickle, {{"user_id", 1}});
  CHECK(session::classify_store(":1:django.contrib.sessions.cacheabc", pickle_dict) == SessionStore::django);
  CHECK(session::classify_store("myapp:1:django.contrib.sessions.cached_dbabc", pickle_dict) == SessionStore::django);
  CHECK(session::classify_store("starsessions.x", decoded(decode::Format::json, {{"a", 1}})) ==
        SessionStore::starsessions);
  CHECK(session::classify_store("session:x", decoded(decode::Format::json, {{"_permanent", true}})) ==
        SessionStore::flask_session);
  CHECK(session::classify_store("session:x", pickle_dict) == SessionStore::flask_session);
  CHECK(session::classify_store("session:x", decoded(decode::Format::msgpack, {{"a", 1}})) ==
        SessionStore::flask_session);
  CHECK(session::classify_store("app:s:1", decoded(decode::Format::json, {{"user_id", 1}, {"ip_address", "::1"}})) ==
        SessionStore::json_record);
  CHECK(session::classify_store("app:s:1", decoded(decode::Format::json, {{"x", 1}})) == SessionStore::unknown);
  CHECK(session::classify_store("session:x", decoded(decode::Format::utf8_text, "hello")) == SessionStore::unknown);
  CHECK(session::classify_store("session:x", decode::DecodedValue{}) == SessionStore::unknown);
  CHECK(std::string(session::to_string(SessionStore::json_record)) == "json_record");
}

TEST_CASE("matching_prefix takes the longest", "[ops][session]") {
  std::vector<std::string> prefixes = {"session:", "session:admin:", "x"};
  CHECK(*session::matching_prefix("session:admin:1", prefixes) == "session:admin:");
  CHECK(*session::matching_prefix("session:1", prefixes) == "session:");
  CHECK(*session::matching_prefix("xyz", prefixes) == "x");
  CHECK_FALSE(session::matching_prefix("sess", prefixes));
  CHECK_FALSE(session::matching_prefix("", prefixes));
}

TEST_CASE("scan_pattern_for covers every prefix in one pattern", "[ops][session]") {
  CHECK(session::scan_pattern_for({"session:"}) == "session:*");
  CHECK(session::scan_pattern_for({"myapp_session:", "myapp_sess*"}) == "myapp_sess*");
  CHECK(session::scan_pattern_for({"a*b:", "a*c:"}) == "a\\**");
  CHECK(session::scan_pattern_for(session::default_session_prefixes()) == "[\\:\\s]*");
  CHECK(session::scan_pattern_for({"]x", "^y", "-z", "\\w"}) == "[\\-\\\\\\]\\^]*");
  CHECK(session::scan_pattern_for({}) == "*");
  CHECK(session::scan_pattern_for({"a", ""}) == "*");
}

TEST_CASE("candidate_keys", "[ops][session]") {
  const auto& d = session::default_session_prefixes();
  auto keys = session::candidate_keys("abc", d);
  REQUIRE(keys.size() == d.size());
  CHECK(keys[0] == "session:abc");
  CHECK(keys[1] == ":1:django.contrib.sessions.cacheabc");
  CHECK(keys[3] == "starsessions.abc");
  // A whole key is tried as it is first.
  auto whole = session::candidate_keys("session:abc", d);
  CHECK(whole.front() == "session:abc");
  CHECK(whole[1] == "session:session:abc");
  CHECK(whole.size() == d.size() + 1);
}

TEST_CASE("make_session_record: session stats' members-only reading gives the same store and user", "[ops][session]") {
  std::vector<std::string> fields = session::default_user_fields();
  fields.push_back("user.id");
  const auto members = session::user_member_names(fields);
  CHECK(members ==
        std::vector<std::string>{"user_id", "_user_id", "_auth_user_id", "uid", "email", "username", "user"});
  auto same = [&](const std::string& key, const std::string& raw) {
    INFO(key);
    auto whole = session::make_session_record(key, "session:", "node", raw, 1000, fields);
    auto light = session::make_session_record(key, "session:", "node", raw, 1000, fields, &members);
    CHECK(light.decoded.format == whole.decoded.format);
    CHECK(light.decoded.note == whole.decoded.note);
    CHECK(light.store == whole.store);
    REQUIRE(light.user.has_value() == whole.user.has_value());
    if (whole.user) {
      CHECK(light.user->id == whole.user->id);
      CHECK(light.user->field == whole.user->field);
    }
    CHECK_FALSE(light.last_activity);
    return whole;
  };
  // pickle protocol 4 of {"_permanent": True, "user": {"id": 42}, "last_activity": "2026-01-01"}
  const std::string nested =
      "\x80\x04}\x94(\x8c\n_permanent\x94\x88\x8c\x04user\x94}\x94\x8c\x02id\x94K*s\x8c\rlast_activity\x94\x8c\n"
      "2026-01-01\x94u.";
  auto whole = same("session:a", nested);
  REQUIRE(whole.user);
  CHECK(whole.user->id == "42");
  CHECK(whole.user->field == "user.id");
  CHECK(whole.last_activity);
  same(":1:django.contrib.sessions.cacheabc", nested);
  // {"_auth_user_id": "7"} as Django pickles it, a list, JSON, text
  same(":1:django.contrib.sessions.cachex", "\x80\x04}\x94\x8c\r_auth_user_id\x94\x8c\x01\x37\x94s.");
  same("session:list",
       "\x80\x04]\x94(K\x01K\x02"
       "e.");
  same("session:json", R"({"user_id": 5, "created_at": 1})");
  same("session:text", "plain");
}
