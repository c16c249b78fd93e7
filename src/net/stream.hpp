#pragma once
// A connected byte stream (TCP, TLS or unix socket) and how to open one with a deadline.

#include "net/endpoint.hpp"
#include "net/event_loop.hpp"
#include "util/error.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <system_error>

namespace rctl::net {

class Stream {
 public:
  using Handler = std::function<void(std::error_code, std::size_t)>;
  virtual ~Stream() = default;

  // Reads at least one byte into `buffer`; the handler gets the count or an error (EOF included).
  virtual void async_read_some(std::span<char> buffer, Handler handler) = 0;

  // Writes all of `data`, which must stay alive until the handler runs.
  virtual void async_write(std::span<const char> data, Handler handler) = 0;

  // Closes the stream; pending handlers complete with an error.
  virtual void close() = 0;

  // True for TLS streams.
  virtual bool secure() const = 0;
};

// TLS settings. Verification of the certificate chain and of the host name is on unless
// the user explicitly turns it off.
struct TlsSettings {
  bool verify_peer = true;  // check the chain against the CA bundle
  bool verify_hostname = true;  // check the certificate's SAN against the host name (or IP)
  std::string ca_file;  // PEM bundle; empty = system CA store
  std::string cert_file;  // client certificate for mutual TLS
  std::string key_file;  // client key for mutual TLS
  std::string sni;  // server name to send and verify; empty = the endpoint host
};

// What happened while connecting, for health reports.
struct ConnectReport {
  double connect_ms = 0;  // TCP (or unix) connect, DNS included
  double tls_handshake_ms = 0;  // 0 without TLS
  std::string peer;  // address actually connected to
  std::string tls_version;  // e.g. "TLSv1.3"
  std::string tls_cipher;
  // The server certificate's notAfter (its expiry), when TLS was used and the server sent one.
  std::optional<std::chrono::system_clock::time_point> tls_not_after;
};

// The TLS library linked into this binary, as it names itself ("OpenSSL 3.0.17 1 Jul 2025"):
// it is linked statically, so this is the one every connection uses.
std::string tls_library_version();

// True when `ec` means the peer closed the stream (EOF, or TLS without close_notify).
bool is_end_of_stream(const std::error_code& ec);

using ConnectHandler = std::function<void(Expected<std::unique_ptr<Stream>>, ConnectReport)>;

// Resolves and connects to `endpoint` (and does the TLS handshake for Transport::tls),
// failing with ErrorKind::connect / timeout / tls and a message naming host:port.
void async_connect(EventLoop& loop, const Endpoint& endpoint, const TlsSettings& tls, std::chrono::milliseconds timeout,
                   ConnectHandler handler);

}  // namespace rctl::net
