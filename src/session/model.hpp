#pragma once
// `rctl session`, the pure part: where web sessions live in Redis, which store wrote one, and
// who it belongs to. No I/O here; session_scan/session.cpp read Redis and call these.
//
// Stores (reference/formats.md §2), recognised per value:
//   Flask-Session 0.3-0.6   "session:<sid>"   pickle of the session dict, SETEX lifetime
//   Flask-Session 0.7+      "session:<sid>"   msgpack (msgspec) or JSON of the dict
//   Django cache sessions   ":1:django.contrib.sessions.cache<key>" (and cached_db), pickle
//   starsessions            "starsessions.<id>" JSON
//   JSON session records    "<prefix><id>" JSON with user_id, created_at, last_activity, ...

#include "decode/detect.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::session {

// The prefixes scanned when --prefix is not given, in lookup order for `session show SID`.
const std::vector<std::string>& default_session_prefixes();

// The fields that name a session's user, tried in this order: user_id, _user_id (Flask-Login),
// _auth_user_id (Django), uid, email, username.
const std::vector<std::string>& default_user_fields();

// The fields that hold a session's last activity, tried in this order.
const std::vector<std::string>& last_activity_fields();

// Which application library wrote a session (best effort, for people and the format mix).
enum class SessionStore { flask_session, django, starsessions, json_record, unknown };

// "flask_session", "django", "starsessions", "json_record", "unknown".
const char* to_string(SessionStore store);

// The store that wrote the value under `key`, in this order: a Django key prefix
// (`...django.contrib.sessions.cache` / `cached_db`) -> django; a `starsessions.` key ->
// starsessions; a dict with Flask's `_permanent` flag -> flask_session; a JSON dict with any
// record field (created_at, last_activity, ip_address, user_agent, device...) ->
// json_record; a pickle or msgpack dict -> flask_session; anything else -> unknown.
SessionStore classify_store(std::string_view key, const decode::DecodedValue& value);

// A session's user as found in its data.
struct SessionUser {
  std::string id;  // the value as text: strings as they are, integers in decimal
  std::string field;  // the field it came from ("user_id", "user.id", ...)
};

// The user of decoded session `data`: the first of `fields` that is present with a string
// (non-empty), integer, or finite number value. A field may be a dotted path into nested
// objects ("user.id"). Booleans, null, objects and arrays name no user. nullopt when no
// field matches or `data` is not an object.
std::optional<SessionUser> session_user(const nlohmann::ordered_json& data, const std::vector<std::string>& fields);

// The top-level members `fields` look in (each field's part before its first dot), once each.
std::vector<std::string> user_member_names(const std::vector<std::string>& fields);

// The value of the first last_activity_fields() entry present in `data` (as stored: an ISO
// string, an epoch number, ...), or nullopt.
std::optional<nlohmann::ordered_json> session_last_activity(const nlohmann::ordered_json& data);

// The longest of `prefixes` that `key` starts with, or nullopt.
std::optional<std::string_view> matching_prefix(std::string_view key, const std::vector<std::string>& prefixes);

// One SCAN MATCH pattern that covers every prefix, so the keyspace is walked once however
// many stores are looked for: the escaped longest common prefix followed by `*`; with no
// common prefix, a class of the escaped first bytes (`[\s\:]*`). SCAN results are still
// checked against the literal prefixes. An empty prefix in the list gives "*".
std::string scan_pattern_for(const std::vector<std::string>& prefixes);

// The keys a session id may live under, one per prefix in order; when `sid` itself starts
// with one of the prefixes (a whole key was given), that key comes first.
std::vector<std::string> candidate_keys(std::string_view sid, const std::vector<std::string>& prefixes);

}  // namespace rctl::session
