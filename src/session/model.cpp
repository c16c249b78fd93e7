#include "session/model.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

namespace rctl::session {

namespace {

using Json = nlohmann::ordered_json;

// Fields that mark a JSON value as a session record (beyond its user).
constexpr std::array<std::string_view, 9> k_record_fields = {
    "created_at", "last_activity", "last_seen", "ip_address", "ip", "user_agent", "device", "expires_at", "login_at"};

// The member `name` of an object, found without building a key string (this runs for every
// session of a scan). Objects built by the decoders hold each key once, so the first match is
// the one find() would return.
const Json* object_member(const Json& data, std::string_view name) {
  if (!data.is_object()) return nullptr;
  for (const auto& [key, value] : data.get_ref<const Json::object_t&>())
    if (key == name) return &value;
  return nullptr;
}

const Json* field_at(const Json& data, std::string_view path) {
  const Json* at = &data;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const auto part = dot == std::string_view::npos ? path.substr(start) : path.substr(start, dot - start);
    at = object_member(*at, part);
    if (!at || dot == std::string_view::npos) return at;
    start = dot + 1;
  }
}

std::optional<std::string> user_text(const Json& v) {
  if (v.is_string()) {
    auto s = v.get<std::string>();
    if (s.empty()) return std::nullopt;
    return s;
  }
  if (v.is_number_integer())
    return v.is_number_unsigned() ? std::to_string(v.get<std::uint64_t>()) : std::to_string(v.get<std::int64_t>());
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d)) return std::nullopt;
    // 42.0 is user 42, as Python's int(42.0) would say.
    if (d == std::floor(d) && std::fabs(d) < 9.0e15) return std::to_string(static_cast<std::int64_t>(d));
    return fmt::format("{}", d);
  }
  return std::nullopt;
}

bool is_dict(const decode::DecodedValue& v) { return v.data && v.data->is_object(); }

}  // namespace

const std::vector<std::string>& default_session_prefixes() {
  static const std::vector<std::string> prefixes = {
      "session:",  // Flask-Session (SESSION_KEY_PREFIX default)
      ":1:django.contrib.sessions.cache",  // Django cache backend, KEY_PREFIX '' VERSION 1
      ":1:django.contrib.sessions.cached_db",  // Django cached_db backend
      "starsessions.",  // starsessions RedisStore
  };
  return prefixes;
}

const std::vector<std::string>& default_user_fields() {
  static const std::vector<std::string> fields = {"user_id", "_user_id", "_auth_user_id", "uid", "email", "username"};
  return fields;
}

const std::vector<std::string>& last_activity_fields() {
  static const std::vector<std::string> fields = {"last_activity", "last_activity_at", "last_seen", "last_seen_at",
                                                  "last_active",   "last_access",      "updated_at"};
  return fields;
}

const char* to_string(SessionStore store) {
  switch (store) {
    case SessionStore::flask_session: return "flask_session";
    case SessionStore::django: return "django";
    case SessionStore::starsessions: return "starsessions";
    case SessionStore::json_record: return "json_record";
    case SessionStore::unknown: return "unknown";
  }
  return "unknown";
}

SessionStore classify_store(std::string_view key, const decode::DecodedValue& value) {
  if (key.find("django.contrib.sessions.cache") != std::string_view::npos) return SessionStore::django;
  if (util::starts_with(key, "starsessions.")) return SessionStore::starsessions;
  if (!is_dict(value)) return SessionStore::unknown;
  const Json& data = *value.data;
  if (object_member(data, "_permanent")) return SessionStore::flask_session;
  if (value.format == decode::Format::json) {
    for (auto f : k_record_fields)
      if (object_member(data, f)) return SessionStore::json_record;
  }
  if (value.format == decode::Format::pickle || value.format == decode::Format::msgpack)
    return SessionStore::flask_session;
  return SessionStore::unknown;
}

std::optional<SessionUser> session_user(const Json& data, const std::vector<std::string>& fields) {
  if (!data.is_object()) return std::nullopt;
  for (const auto& field : fields) {
    const Json* v = field_at(data, field);
    if (!v) continue;
    if (auto text = user_text(*v)) return SessionUser{std::move(*text), field};
  }
  return std::nullopt;
}

std::vector<std::string> user_member_names(const std::vector<std::string>& fields) {
  std::vector<std::string> names;
  for (const auto& field : fields) {
    std::string name = field.substr(0, field.find('.'));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
  }
  return names;
}

std::optional<Json> session_last_activity(const Json& data) {
  if (!data.is_object()) return std::nullopt;
  for (const auto& field : last_activity_fields()) {
    const Json* v = object_member(data, field);
    if (v && !v->is_null()) return *v;
  }
  return std::nullopt;
}

std::optional<std::string_view> matching_prefix(std::string_view key, const std::vector<std::string>& prefixes) {
  std::optional<std::string_view> best;
  for (const auto& p : prefixes)
    if (util::starts_with(key, p) && (!best || p.size() > best->size())) best = p;
  return best;
}

std::string scan_pattern_for(const std::vector<std::string>& prefixes) {
  if (prefixes.empty()) return "*";
  std::string_view common = prefixes.front();
  for (const auto& p : prefixes) {
    std::size_t n = 0;
    while (n < common.size() && n < p.size() && common[n] == p[n]) ++n;
    common = common.substr(0, n);
  }
  if (!common.empty()) return util::prefix_pattern(common);
  std::set<char> firsts;
  for (const auto& p : prefixes) {
    if (p.empty()) return "*";
    firsts.insert(p.front());
  }
  // Inside a class Redis's matcher takes `\x` as a literal x, so every byte is escaped
  // (no `^`, `-` or `]` can be read as class syntax).
  std::string pattern = "[";
  for (char c : firsts) {
    pattern += '\\';
    pattern += c;
  }
  return pattern + "]*";
}

std::vector<std::string> candidate_keys(std::string_view sid, const std::vector<std::string>& prefixes) {
  std::vector<std::string> keys;
  if (matching_prefix(sid, prefixes)) keys.emplace_back(sid);
  for (const auto& p : prefixes) {
    std::string key = p + std::string(sid);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace rctl::session
