#pragma once
// Where a Redis server is and how to reach it, parsed from the URLs that apps and
// managed services hand out: redis://, rediss://, unix://.

#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/secret.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::net {

enum class Transport { tcp, tls, unix_socket };

struct Endpoint {
  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";  // DNS name, IPv4, or IPv6 without brackets
  int port = 6379;
  std::string socket_path;  // unix sockets only
};

// Everything a URL can carry. Fields the URL did not mention stay empty, so that flags and
// environment can fill them in order of precedence.
struct ParsedUrl {
  Endpoint endpoint;
  std::optional<std::string> username;
  std::optional<util::Secret> password;
  // "x@host": `password` holds x, which is the user name instead when a password is given
  // by --password, --password-file or --askpass.
  bool lone_userinfo = false;
  std::optional<int> db;
  std::optional<bool> verify_peer;  // ssl_cert_reqs=none -> false
  std::optional<bool> check_hostname;  // ssl_check_hostname=false -> false
  std::optional<std::string> ca_file;  // ssl_ca_certs
  std::optional<std::string> cert_file;  // ssl_certfile
  std::optional<std::string> key_file;  // ssl_keyfile
  std::optional<util::Millis> connect_timeout;  // socket_connect_timeout (seconds)
  std::optional<util::Millis> command_timeout;  // socket_timeout (seconds)
  std::optional<int> protocol;  // protocol=2|3
  bool cluster = false;  // redis+cluster:// (limits' storage URL for a cluster)
  std::vector<std::string> warnings;  // ignored query options, etc.
};

// Parses a Redis URL. Bad URLs fail with ErrorKind::usage; the message never contains
// the password. redis+cluster://[:password@]host:port[,host:port...] (the limits library's
// cluster URL) is a cluster seed: the first host is used. redis+sentinel:// is refused.
Expected<ParsedUrl> parse_url(std::string_view url);

// "host:port", "[::1]:6379" or "unix:/path" for messages.
std::string describe(const Endpoint& endpoint);

// The URL with any password replaced by "****", for messages about a URL we could not parse.
std::string redact_url(std::string_view url);

// True when `host` is an IPv4 or IPv6 literal (no SNI is sent for those, RFC 6066).
bool is_ip_literal(std::string_view host);

}  // namespace rctl::net
