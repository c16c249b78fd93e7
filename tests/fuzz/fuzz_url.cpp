// libFuzzer target: Redis URL parsing (net::parse_url) and the helpers that print URLs.
//
// URLs come from flags, environment variables and profiles that other tools wrote, so the
// parser sees arbitrary bytes. Invariants: never crashes or throws; a parsed URL has a port
// in 1..65535 (or is a unix socket with a path); a password (from a `user:password@` part)
// never appears in an error message, in redact_url() or in describe().

#include "net/endpoint.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_url: %s\n", what);
  std::abort();
}

// What a user would call the password: after the first ':' of the userinfo (the whole
// userinfo when it has no ':', as redis-cli reads it), and `rest` set to the URL without it.
std::string raw_password(std::string_view url, std::string& rest) {
  rest = std::string(url);
  auto start = url.find("://");
  if (start == std::string_view::npos) return {};
  start += 3;
  auto end = url.find_first_of("/?#", start);
  auto authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  auto userinfo = authority.substr(0, at);
  auto colon = userinfo.find(':');
  rest = std::string(url.substr(0, start)) + std::string(url.substr(start + at));
  return std::string(colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1));
}

// Only long secrets that occur nowhere else in the URL are checked, so that a password such
// as "6379" that is also the port is not a false finding.
bool distinctive(std::string_view secret, std::string_view rest) {
  if (secret.size() < 8 || rest.find(secret) != std::string_view::npos) return false;
  for (char c : secret)
    if (c == '*' || c == '%') return false;  // "****" is the mask itself; %xx is decoded
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  std::string rest;
  const std::string secret = raw_password(url, rest);
  const bool check_secret = distinctive(secret, rest);

  const std::string redacted = rctl::net::redact_url(url);
  if (check_secret && redacted.find(secret) != std::string::npos) fail("redact_url shows the password");

  auto parsed = rctl::net::parse_url(url);
  if (!parsed) {
    const auto& e = parsed.error();
    if (e.kind != rctl::ErrorKind::usage) fail("a bad URL is not a usage error");
    if (check_secret && (e.message.find(secret) != std::string::npos || e.hint.find(secret) != std::string::npos))
      fail("error message shows the password");
    return 0;
  }
  const auto& ep = parsed->endpoint;
  if (ep.transport == rctl::net::Transport::unix_socket) {
    if (ep.socket_path.empty()) fail("unix URL without a path");
  } else if (ep.port < 1 || ep.port > 65535) {
    fail("port out of range");
  }
  if (parsed->db && *parsed->db < 0) fail("negative db");
  const std::string shown = rctl::net::describe(ep);
  if (check_secret && shown.find(secret) != std::string::npos) fail("describe() shows the password");
  for (const auto& w : parsed->warnings)
    if (check_secret && w.find(secret) != std::string::npos) fail("a warning shows the password");
  return 0;
}
