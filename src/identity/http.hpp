#pragma once
// A minimal HTTP/1.1 client for the credential endpoints (STS, ECS container credentials,
// EC2 instance metadata, Azure managed identity): one request per connection
// ("Connection: close"), a deadline over the whole exchange, a bounded reply. Plain http for
// the link-local and loopback endpoints; https (certificate and host name verified) for STS.

#include "util/duration.hpp"
#include "util/error.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rctl::identity {

// The largest reply accepted, headers and body together: credential replies are a few KiB.
inline constexpr std::size_t k_max_http_reply_bytes = 256 * 1024;

struct HttpUrl {
  bool https = false;
  std::string host;  // without brackets for IPv6
  int port = 80;
  std::string target = "/";  // path and query, as sent
};

// Parses "http://host[:port][/path?query]" (or https). Fails with ErrorKind::usage.
Expected<HttpUrl> parse_http_url(std::string_view url);

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // Host and Content-Length are added
  std::string body;
  std::string ca_file;  // https: a PEM bundle to verify with instead of the system store
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // The first value of header `name` (lower-case), or "".
  std::string header(std::string_view name) const;
};

// Sends `request` and reads the whole reply within `timeout`. Fails with ErrorKind::connect
// or timeout when the endpoint cannot be reached in time, ErrorKind::tls on a certificate
// problem, ErrorKind::protocol on a malformed or oversized reply. `what` names the endpoint
// in errors ("the EC2 instance metadata service"); header values are never repeated in them.
Expected<HttpResponse> http_request(const HttpRequest& request, util::Millis timeout, std::string_view what);

// Parses a complete HTTP/1.1 reply (status line, headers, a body by Content-Length, chunked,
// or up to the end). Fails with ErrorKind::protocol.
Expected<HttpResponse> parse_http_response(std::string_view bytes);

}  // namespace rctl::identity
