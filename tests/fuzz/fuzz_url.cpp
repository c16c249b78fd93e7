// libFuzzer target: Redis URL parsing (net::parse_url) and the helpers that print URLs.
//
// URLs come from flags, environment variables and profiles that other tools wrote, so the
// parser sees arbitrary bytes. Invariants: never crashes or throws; a bad URL is a usage
// error; a parsed URL has a port in 1..65535 (or is a unix socket with a path); and the
// password of a `user:password@` part never shows in redact_url(), an error message or hint,
// describe() or a warning.
//
// The password check is differential: the same URL with the password's letters and digits
// replaced (its punctuation kept, so the URL keeps its structure) must not lose the password
// from what is shown. Otherwise text the message always contains (the hint says
// "redis://[user:password@]host") would pass for a leak of a password that is "password".

#include "net/endpoint.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_url: %s\n", what);
  std::abort();
}

// Where the password is in `url`: after the first ':' of the userinfo (the whole userinfo
// when it has no ':', as redis-cli reads it). Empty when there is none.
struct Span {
  std::size_t at = 0;
  std::size_t size = 0;
};

Span password_span(std::string_view url) {
  auto start = url.find("://");
  if (start == std::string_view::npos) return {};
  start += 3;
  auto end = url.find_first_of("/?#", start);
  auto authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  auto colon = authority.substr(0, at).find(':');
  auto from = colon == std::string_view::npos ? 0 : colon + 1;
  return {start + from, at - from};
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Only long passwords with letters or digits to replace are checked (a short one shows up by
// chance), and none with '*' (the mask itself) or '%' (decoded: the parser sees other bytes).
bool checkable(std::string_view secret) {
  if (secret.size() < 8) return false;
  std::size_t alnum = 0;
  for (char c : secret) {
    if (c == '*' || c == '%') return false;
    alnum += is_alnum(c) ? 1 : 0;
  }
  return alnum >= 4;
}

// Everything rctl may print about a URL.
std::vector<std::string> shown(std::string_view url) {
  std::vector<std::string> out{rctl::net::redact_url(url)};
  auto parsed = rctl::net::parse_url(url);
  if (!parsed) {
    out.push_back(parsed.error().message);
    out.push_back(parsed.error().hint);
    return out;
  }
  out.push_back(rctl::net::describe(parsed->endpoint));
  for (const auto& w : parsed->warnings) out.push_back(w);
  return out;
}

bool contains(const std::vector<std::string>& texts, std::string_view needle) {
  for (const auto& t : texts)
    if (t.find(needle) != std::string::npos) return true;
  return false;
}

void check_password_hidden(std::string_view url) {
  const Span span = password_span(url);
  const std::string_view secret = url.substr(span.at, span.size);
  if (!checkable(secret)) return;
  std::string other(url);
  for (std::size_t i = 0; i < span.size; ++i) {
    char& c = other[span.at + i];
    if (is_alnum(c)) c = c == 'q' ? 'z' : 'q';
  }
  if (contains(shown(url), secret) && !contains(shown(other), secret)) fail("the password is shown");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  auto parsed = rctl::net::parse_url(url);
  if (!parsed) {
    if (parsed.error().kind != rctl::ErrorKind::usage) fail("a bad URL is not a usage error");
  } else {
    const auto& ep = parsed->endpoint;
    if (ep.transport == rctl::net::Transport::unix_socket) {
      if (ep.socket_path.empty()) fail("unix URL without a path");
    } else if (ep.port < 1 || ep.port > 65535) {
      fail("port out of range");
    }
    if (parsed->db && *parsed->db < 0) fail("negative db");
  }
  check_password_hidden(url);
  return 0;
}
