#include "net/endpoint.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace rctl::net {

namespace {

// RFC 3986 percent-decoding; nullopt on a malformed escape such as "%zz" or a trailing "%4".
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = util::hex_value(text[i + 1]), lo = util::hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

bool contains_at(std::string_view text) { return text.find('@') != std::string_view::npos; }

// True when a query option's name (not its value) contains '@'.
bool at_in_query_key(std::string_view query) {
  for (auto pair : util::split(query, '&'))
    if (contains_at(pair.substr(0, pair.find('=')))) return true;
  return false;
}

constexpr std::string_view k_unencoded_userinfo =
    "'@' after the host: percent-encode '/', '?' and '#' in the user name and password "
    "(%2F, %3F, %23)";

std::optional<bool> parse_bool(std::string_view v) {
  auto s = util::to_lower(v);
  if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
  if (s == "0" || s == "false" || s == "no" || s == "off") return false;
  return std::nullopt;
}

std::optional<util::Millis> parse_seconds(std::string_view v) {
  auto d = util::parse_double(v);
  // Written so that NaN fails too (from_chars accepts "nan").
  if (!d || !(*d >= 0 && *d <= 1e9)) return std::nullopt;
  return util::Millis(static_cast<std::int64_t>(*d * 1000.0));
}

// Applies one `key=value` query option; returns an error message or empty.
std::string apply_query_option(ParsedUrl& out, std::string_view key, const std::string& value) {
  if (key == "db") {
    auto n = util::parse_int(value);
    if (!n || *n < 0 || *n > 1'000'000) return fmt::format("invalid db '{}'", value);
    out.db = static_cast<int>(*n);
  } else if (key == "password") {
    out.password = util::Secret(value);
  } else if (key == "username" || key == "user") {
    out.username = value;
  } else if (key == "ssl_cert_reqs") {
    auto v = util::to_lower(value);
    if (v == "none" || v == "cert_none") out.verify_peer = false;
    else if (v == "optional" || v == "cert_optional" || v == "required" || v == "cert_required") out.verify_peer = true;
    else return fmt::format("invalid ssl_cert_reqs '{}' (none, optional or required)", value);
  } else if (key == "ssl_check_hostname") {
    auto b = parse_bool(value);
    if (!b) return fmt::format("invalid ssl_check_hostname '{}'", value);
    out.check_hostname = *b;
  } else if (key == "ssl_ca_certs") {
    out.ca_file = value;
  } else if (key == "ssl_certfile") {
    out.cert_file = value;
  } else if (key == "ssl_keyfile") {
    out.key_file = value;
  } else if (key == "socket_timeout" || key == "socket_connect_timeout") {
    auto t = parse_seconds(value);
    if (!t) return fmt::format("invalid {} '{}' (seconds)", key, value);
    (key == "socket_timeout" ? out.command_timeout : out.connect_timeout) = *t;
  } else if (key == "protocol") {
    if (value != "2" && value != "3") return fmt::format("invalid protocol '{}' (2 or 3)", value);
    out.protocol = value == "2" ? 2 : 3;
  } else {
    out.warnings.push_back(fmt::format("ignoring URL option '{}'", key));
  }
  return {};
}

std::string parse_query(ParsedUrl& out, std::string_view query) {
  if (query.empty()) return {};
  for (auto pair : util::split(query, '&')) {
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!key || !value) return "illegal character in URL encoding";
    if (auto msg = apply_query_option(out, *key, *value); !msg.empty()) return msg;
  }
  return {};
}

// Splits "user:pass" userinfo. A lone value without ':' is a password, as redis-cli reads it
// (or the user name when the password comes from elsewhere: see ParsedUrl::lone_userinfo);
// an empty user before ':' means "password only" (AUTH <password>), never AUTH "" <password>.
std::string parse_userinfo(ParsedUrl& out, std::string_view info) {
  auto colon = info.find(':');
  auto user_part = colon == std::string_view::npos ? std::string_view{} : info.substr(0, colon);
  auto pass_part = colon == std::string_view::npos ? info : info.substr(colon + 1);
  auto user = percent_decode(user_part);
  auto pass = percent_decode(pass_part);
  if (!user || !pass) return "illegal character in URL encoding";
  if (!user->empty()) out.username = *user;
  if (!pass->empty()) out.password = util::Secret(*pass);
  out.lone_userinfo = colon == std::string_view::npos && !pass->empty();
  return {};
}

std::string parse_host_port(ParsedUrl& out, std::string_view hostport) {
  std::string_view host, port;
  if (!hostport.empty() && hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return "unterminated IPv6 address";
    host = hostport.substr(1, close - 1);
    auto rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return "unexpected text after IPv6 address";
      port = rest.substr(1);
      if (port.empty()) return "empty port";
    }
    if (!is_ip_literal(host)) return "invalid IPv6 address";
  } else {
    auto colon = hostport.rfind(':');
    if (colon != std::string_view::npos && hostport.find(':') != colon)
      return "IPv6 addresses must be written in brackets, e.g. [::1]:6379";
    host = hostport.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = hostport.substr(colon + 1);
      if (port.empty()) return "empty port";
    }
  }
  if (!host.empty()) {
    auto decoded = percent_decode(host);
    if (!decoded) return "illegal character in URL encoding";
    for (unsigned char c : *decoded)
      if (c <= ' ' || c == '/' || c == '@' || c == '?' || c == '#' || c >= 0x7f)
        return "invalid character in host name";
    out.endpoint.host = *decoded;
  }
  if (!port.empty()) {
    auto n = util::parse_int(port);
    if (!n || *n < 1 || *n > 65535) return fmt::format("invalid port '{}'", port);
    out.endpoint.port = static_cast<int>(*n);
  }
  return {};
}

std::string parse_db_path(ParsedUrl& out, std::string_view path) {
  if (path.empty() || path == "/") return {};
  auto db = util::parse_int(path.substr(1));
  if (!db || *db < 0 || *db > 1'000'000) return fmt::format("invalid database number '{}'", path.substr(1));
  out.db = static_cast<int>(*db);
  return {};
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

Expected<ParsedUrl> parse_url(std::string_view url) {
  ParsedUrl out;
  // Set when an '@' follows a host that had none before it: a password with an unencoded
  // '/', '?' or '#' ended the authority early, so the details would quote pieces of it.
  bool stray_at = false;
  auto bad = [&](std::string_view why) {
    if (stray_at) why = k_unencoded_userinfo;
    return fail(ErrorKind::usage, fmt::format("invalid URL '{}': {}", redact_url(url), why),
                "expected redis://[user:password@]host[:port][/db], rediss://... or unix:///path");
  };
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad("missing scheme");
  auto scheme = util::to_lower(url.substr(0, scheme_end));
  auto rest = url.substr(scheme_end + 3);
  if (scheme == "redis+cluster" || scheme == "rediss+cluster") {
    out.cluster = true;
    scheme.erase(scheme.find('+'));
  }
  if (scheme == "redis+sentinel" || scheme == "rediss+sentinel")
    return fail(ErrorKind::usage,
                fmt::format("{}:// URLs are not supported: rctl does not ask Sentinel for the primary", scheme),
                "ask it yourself (SENTINEL get-master-addr-by-name NAME) and connect with redis://host:port");
  if (scheme == "redis") out.endpoint.transport = Transport::tcp;
  else if (scheme == "rediss") out.endpoint.transport = Transport::tls;
  else if (scheme == "unix" || scheme == "redis+unix" || scheme == "redis-socket")
    out.endpoint.transport = Transport::unix_socket;
  else return bad(fmt::format("unknown scheme '{}'", scheme));

  std::string_view fragment;
  if (auto hash = rest.find('#'); hash != std::string_view::npos) {
    fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }

  if (out.endpoint.transport == Transport::unix_socket) {
    // unix://[user[:password]@]/path/to/redis.sock
    auto at = rest.rfind('@');
    if (at != std::string_view::npos) {
      if (auto msg = parse_userinfo(out, rest.substr(0, at)); !msg.empty()) return bad(msg);
      rest = rest.substr(at + 1);
    }
    auto path = percent_decode(rest);
    if (!path) return bad("illegal character in URL encoding");
    if (path->empty() || path->front() != '/') return bad("unix socket path must be absolute");
    out.endpoint.socket_path = *path;
    out.endpoint.host.clear();
    out.endpoint.port = 0;
  } else {
    auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    auto path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    // The password may itself contain '@' when not encoded; the host never does.
    auto at = authority.rfind('@');
    // A valid URL has '@' after the host only inside a query value; anywhere else it means
    // a password with an unencoded '/', '?' or '#' (and an '@') was cut short, and any detail
    // would quote the rest of it.
    bool at_after_host = contains_at(path) || contains_at(fragment) || at_in_query_key(query);
    if (at != std::string_view::npos) {
      if (at_after_host) {
        stray_at = true;
        return bad(k_unencoded_userinfo);
      }
      if (auto msg = parse_userinfo(out, authority.substr(0, at)); !msg.empty()) return bad(msg);
      authority = authority.substr(at + 1);
    } else if (contains_at(path) || contains_at(query) || contains_at(fragment)) {
      stray_at = true;
      // A valid URL has '@' after the host only inside a query value.
      if (contains_at(path) || contains_at(fragment) || at_in_query_key(query)) return bad(k_unencoded_userinfo);
    }
    if (out.cluster) {
      // host:port,host:port: any node is a seed; topology comes from the cluster itself.
      auto seeds = util::split(authority, ',');
      if (seeds.size() > 1)
        out.warnings.push_back(
            fmt::format("{} seed nodes in the URL: using the first, {}", seeds.size(), seeds.front()));
      authority = seeds.front();
    }
    if (auto msg = parse_host_port(out, authority); !msg.empty()) return bad(msg);
    if (auto msg = parse_db_path(out, path); !msg.empty()) return bad(msg);
  }
  if (auto msg = parse_query(out, query); !msg.empty()) return bad(msg);
  return out;
}

std::string describe(const Endpoint& endpoint) {
  if (endpoint.transport == Transport::unix_socket) return "unix:" + endpoint.socket_path;
  if (endpoint.host.find(':') != std::string::npos) return fmt::format("[{}]:{}", endpoint.host, endpoint.port);
  return fmt::format("{}:{}", endpoint.host, endpoint.port);
}

std::string redact_url(std::string_view url) {
  // The ranges to mask are found on the URL as given and masked together at the end, so that
  // masking one (a query value holding '@') cannot hide another from the search (a userinfo
  // password holding "&password=").
  std::vector<std::pair<std::size_t, std::size_t>> hide;  // [begin, end)
  // Query-string passwords: only whole keys, right after '?' or '&'.
  for (std::string_view key : {"password=", "ssl_password="}) {
    for (auto pos = url.find(key); pos != std::string_view::npos; pos = url.find(key, pos + 1)) {
      if (pos == 0 || (url[pos - 1] != '?' && url[pos - 1] != '&')) continue;
      auto value_start = pos + key.size();
      auto value_end = url.find('&', value_start);
      hide.emplace_back(value_start, value_end == std::string_view::npos ? url.size() : value_end);
    }
  }
  auto scheme_end = url.find("://");
  auto start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  // Only a password after the first '?' behind "://" is certainly in the query; "&password="
  // before it may be part of a userinfo password and must not shield an '@' from masking (a
  // '?' in front of "://" is no query either: found by fuzzing, a scheme holding one left the
  // userinfo shown).
  const auto query = url.find('?', start);
  auto in_query_value = [&](std::size_t i) {
    for (const auto& [b, e] : hide)
      if (query != std::string_view::npos && b > query && i >= b && i < e) return true;
    return false;
  };
  // The URL could not be parsed, so where its authority ends is unknown: a password may hold
  // an unencoded '@', '/', '?' or '#'. Mask up to the last '@' of the whole URL (over-masking
  // a message beats quoting part of a password), unless that '@' is in a query password.
  auto at = url.rfind('@');
  while (at != std::string_view::npos && at >= start && in_query_value(at))
    at = at == 0 ? std::string_view::npos : url.rfind('@', at - 1);
  if (at != std::string_view::npos && at >= start) {
    // The user name is kept only when it is plainly one: text up to a ':' with no '@' in it.
    auto colon = url.find(':', start);
    auto first_at = url.find('@', start);
    bool user_shown = colon != std::string_view::npos && colon < first_at;
    hide.emplace_back(user_shown ? colon + 1 : start, at);
  }
  std::sort(hide.begin(), hide.end());
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < hide.size();) {
    auto [b, e] = hide[i];
    for (++i; i < hide.size() && hide[i].first <= e; ++i) e = std::max(e, hide[i].second);
    if (b < copied) continue;
    out.append(url.substr(copied, b - copied));
    out += "****";
    copied = e;
  }
  out.append(url.substr(copied));
  return out;
}

}  // namespace rctl::net
