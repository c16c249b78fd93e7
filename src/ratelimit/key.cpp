#include "ratelimit/key.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rctl::ratelimit {

namespace {

constexpr std::string_view k_previous_suffix = "/-1";

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses "<namespace>/<ids...>/<amount>/<multiples>/<granularity>" into `out`.
bool parse_body(std::string_view body, LimitsKey& out) {
  auto parts = util::split(body, '/');
  if (parts.size() < 4) return false;
  auto n = parts.size();
  auto granularity = parse_granularity(parts[n - 1]);
  if (!granularity || !all_digits(parts[n - 2]) || !all_digits(parts[n - 3])) return false;
  // More digits than an int64 holds is not something limits wrote.
  if (parts[n - 2].size() > 18 || parts[n - 3].size() > 18) return false;
  auto multiples = util::parse_int(parts[n - 2]);
  auto amount = util::parse_int(parts[n - 3]);
  if (!multiples || !amount || *multiples < 1) return false;
  if (parts[0].empty() || parts[0].find_first_of("{}") != std::string_view::npos) return false;
  out.name_space = std::string(parts[0]);
  out.limit = LimitItem{*amount, *multiples, *granularity};
  for (std::size_t i = 1; i + 3 < n; ++i) out.identifiers.emplace_back(parts[i]);
  const auto& ids = out.identifiers;
  if (ids.size() == 1) {
    out.identity = ids.front();  // limits used directly with one identifier: that is "who"
  } else if (ids.size() > 1) {
    std::vector<std::string> who(ids.begin(), ids.end() - 1);
    out.identity = util::join(who, "/");
    out.scope = ids.back();
  }
  return true;
}

}  // namespace

std::optional<LimitsKey> parse_limits_key(std::string_view key) {
  LimitsKey out;
  std::string_view rest = key;
  if (rest.ends_with(std::string(1, '}') + std::string(k_previous_suffix))) {
    out.previous_window = true;
    rest.remove_suffix(k_previous_suffix.size());
  }
  auto brace = rest.find(":{");
  auto slash = rest.find('/');
  if (rest.ends_with('}') && brace != std::string_view::npos && brace < slash) {
    // <prefix>:{<body>}: the braces make both window keys hash to one cluster slot.
    out.layout = KeyLayout::limits_sliding;
    out.prefix = std::string(rest.substr(0, brace));
    auto body = rest.substr(brace + 2, rest.size() - brace - 3);
    if (out.prefix.empty() || !parse_body(body, out)) return std::nullopt;
    out.current_key = std::string(rest);
    out.previous_key = out.current_key + std::string(k_previous_suffix);
    return out;
  }
  if (out.previous_window) return std::nullopt;
  if (slash == std::string_view::npos) return std::nullopt;
  // A prefix ends at the last ':' before the first '/' (identities such as IPv6 addresses may
  // hold ':' later on).
  auto colon = rest.substr(0, slash).rfind(':');
  if (colon != std::string_view::npos) {
    out.layout = KeyLayout::limits_prefixed;
    out.prefix = std::string(rest.substr(0, colon));
    if (out.prefix.empty()) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
  if (!parse_body(rest, out)) return std::nullopt;
  out.current_key = std::string(key);
  return out;
}

std::string limits_key_for(KeyLayout layout, const std::vector<std::string>& identifiers, const LimitItem& limit) {
  std::string body = "LIMITER";
  for (const auto& id : identifiers) body += "/" + id;
  body += "/" + limit.key_suffix();
  switch (layout) {
    case KeyLayout::limits: return body;
    case KeyLayout::limits_prefixed: return "LIMITS:" + body;
    case KeyLayout::limits_sliding: return "LIMITS:{" + body + "}";
  }
  return body;
}

bool key_matches_client(std::string_view key, const std::optional<LimitsKey>& parsed, std::string_view id) {
  if (id.empty()) return false;
  if (parsed) {
    if (parsed->identity == id) return true;
    const auto& ids = parsed->identifiers;
    auto who = ids.size() > 1 ? ids.size() - 1 : ids.size();
    return std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(who), id) !=
           ids.begin() + static_cast<std::ptrdiff_t>(who);
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i <= key.size(); ++i) {
    if (i < key.size() && key[i] != ':' && key[i] != '/' && key[i] != '{' && key[i] != '}') continue;
    if (key.substr(start, i - start) == id) return true;
    start = i + 1;
  }
  return false;
}

const char* to_string(KeyLayout layout) {
  switch (layout) {
    case KeyLayout::limits: return "limits";
    case KeyLayout::limits_prefixed: return "limits-prefixed";
    case KeyLayout::limits_sliding: return "limits-sliding";
  }
  return "limits";
}

}  // namespace rctl::ratelimit
