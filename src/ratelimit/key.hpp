#pragma once
// The key layouts of the Python `limits` library (used by Flask-Limiter), parsed into who is
// limited, where, and by how much. The key carries the limit itself:
//
//   LIMITER/<identifiers...>/<amount>/<multiples>/<granularity>          limits < 3.7
//   LIMITS:LIMITER/<identifiers...>/<amount>/<multiples>/<granularity>   limits >= 3.7
//   LIMITS:{LIMITER/...}  and  LIMITS:{LIMITER/...}/-1                   sliding-window counter
//                                                                        (current, previous)
//
// "LIMITS" is limits' default key prefix (configurable since 5.1: any prefix before ':' is
// accepted); "LIMITER" is its default namespace. Flask-Limiter's identifiers are
// [key_prefix?, key_func(), scope] (flask_limiter/extension.py), so the last identifier is
// the scope (endpoint, "endpoint:scope", a shared scope, "global", "...:METHOD") and the ones
// before it say who is limited.

#include "ratelimit/spec.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::ratelimit {

enum class KeyLayout {
  limits,  // LIMITER/... (limits < 3.7: Debian 12's limits 2.8 with Flask-Limiter 3.3)
  limits_prefixed,  // <prefix>:LIMITER/... (limits >= 3.7)
  limits_sliding,  // <prefix>:{LIMITER/...} and .../-1 (limits >= 4.1 sliding-window counter)
};

struct LimitsKey {
  KeyLayout layout = KeyLayout::limits;
  std::string prefix;  // "LIMITS" (empty for the plain layout)
  std::string name_space;  // "LIMITER"
  std::vector<std::string> identifiers;  // between the namespace and the amount
  std::string identity;  // who: the identifiers before the scope, joined by '/'
  std::string scope;  // where: the last identifier
  LimitItem limit;
  bool previous_window = false;  // sliding: this is the ".../-1" key
  std::string current_key;  // sliding: the current-window key; else the key itself
  std::string previous_key;  // sliding: current_key + "/-1"; else empty
};

// Parses `key` as a limits key; nullopt when it is not one (no namespace, a non-numeric
// amount or multiple, a multiple of 0, an unknown granularity, an unbalanced brace).
std::optional<LimitsKey> parse_limits_key(std::string_view key);

// The limits key for `identifiers` and `limit` in `layout` (the inverse of parse_limits_key,
// with the default prefix and namespace): what Flask-Limiter writes for that limit.
std::string limits_key_for(KeyLayout layout, const std::vector<std::string>& identifiers, const LimitItem& limit);

// True when `key` belongs to client `id`: for a limits key, when `id` is its identity or one of
// the identifiers before the scope; for any other key, when `id` is one of the parts between
// ':', '/', '{' and '}'.
bool key_matches_client(std::string_view key, const std::optional<LimitsKey>& parsed, std::string_view id);

// The stable name of a layout in JSON: "limits", "limits-prefixed", "limits-sliding".
const char* to_string(KeyLayout layout);

}  // namespace rctl::ratelimit
