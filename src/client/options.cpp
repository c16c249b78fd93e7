#include "client/options.hpp"

#include <fmt/format.h>

namespace rctl::client {

Expected<Target> make_target(const config::Settings& s) {
  Target target;
  auto& o = target.options;
  std::optional<net::ParsedUrl> url;
  if (s.url) {
    auto parsed = net::parse_url(*s.url);
    if (!parsed) {
      auto error = parsed.error();
      if (s.url_source != "--url") error.message += fmt::format(" (from {})", s.url_source);
      return std::unexpected(error);
    }
    url = std::move(*parsed);
    o.endpoint = url->endpoint;
    target.warnings = url->warnings;
  }
  if (s.socket) {
    o.endpoint.transport = net::Transport::unix_socket;
    o.endpoint.socket_path = *s.socket;
  }
  if (s.host) {
    o.endpoint.host = *s.host;
    if (o.endpoint.transport == net::Transport::unix_socket) {
      // A unix URL leaves port 0 behind; --host means TCP on the default port.
      o.endpoint.transport = net::Transport::tcp;
      o.endpoint.port = net::Endpoint{}.port;
    }
  }
  if (s.port) o.endpoint.port = *s.port;
  if (s.tls && o.endpoint.transport == net::Transport::tcp) o.endpoint.transport = net::Transport::tls;

  o.username = s.user ? s.user : (url ? url->username : std::nullopt);
  if (s.password) o.password = s.password;
  else if (url && url->password) o.password = url->password;
  // redis://ro@host --password-file F: `ro` names the user whose password F holds.
  if (url && url->lone_userinfo && url->password && s.password_explicit && !s.user)
    o.username = url->password->reveal();
  o.db = s.db.value_or(url && url->db ? *url->db : 0);

  bool verify = !s.insecure && (!url || url->verify_peer.value_or(true));
  o.tls.verify_peer = verify;
  o.tls.verify_hostname = verify && (!url || url->check_hostname.value_or(true));
  o.tls.ca_file = !s.cacert.empty() ? s.cacert : (url ? url->ca_file.value_or("") : "");
  o.tls.cert_file = !s.cert.empty() ? s.cert : (url ? url->cert_file.value_or("") : "");
  o.tls.key_file = !s.key.empty() ? s.key : (url ? url->key_file.value_or("") : "");
  o.tls.sni = s.sni;
  if (o.endpoint.transport == net::Transport::tls && !s.insecure && url && url->verify_peer == false)
    target.warnings.push_back("the URL's ssl_cert_reqs=none turns off TLS certificate verification");
  else if (o.endpoint.transport == net::Transport::tls && !s.insecure && url && url->check_hostname == false)
    target.warnings.push_back(
        "the URL's ssl_check_hostname=false turns off TLS host name verification: "
        "any certificate from a trusted CA is accepted for this server");

  o.connect_timeout =
      s.connect_timeout.value_or(url && url->connect_timeout ? *url->connect_timeout : k_default_timeout);
  o.command_timeout = s.timeout.value_or(url && url->command_timeout ? *url->command_timeout : k_default_timeout);
  if (s.max_reply_elements) o.limits.max_reply_elements = *s.max_reply_elements;
  if (s.max_reply_bytes) o.limits.max_reply_bytes = *s.max_reply_bytes;
  o.protocol = s.resp2 ? 2 : (url && url->protocol ? *url->protocol : 3);
  target.force_cluster = s.cluster || (url && url->cluster);
  target.retries = s.retries;
  return target;
}

std::string describe(const ConnectionOptions& o) {
  const auto& ep = o.endpoint;
  auto auth = o.password ? fmt::format("{}:****@", o.username.value_or("")) : std::string{};
  if (ep.transport == net::Transport::unix_socket)
    return fmt::format("unix://{}{}{}", auth, ep.socket_path, o.db ? fmt::format("?db={}", o.db) : "");
  return fmt::format("{}://{}{}{}", ep.transport == net::Transport::tls ? "rediss" : "redis", auth, net::describe(ep),
                     o.db ? fmt::format("/{}", o.db) : "");
}

}  // namespace rctl::client
