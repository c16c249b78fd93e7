#pragma once
// Internal to src/net: the Asio-backed Stream implementations. Only net/*.cpp include this.

#include "net/stream.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>

#include <functional>
#include <memory>
#include <string>

namespace rctl::net::detail {

// Wraps a connected TCP socket (Nagle disabled: rctl pipelines small commands).
std::unique_ptr<Stream> make_tcp_stream(asio::ip::tcp::socket socket);

// Wraps a connected unix-domain socket.
std::unique_ptr<Stream> make_unix_stream(asio::local::stream_protocol::socket socket);

// A TLS client stream over a connected TCP socket, before its handshake.
class TlsClient : public Stream {
 public:
  using HandshakeHandler = std::function<void(Expected<void>)>;
  // Performs the handshake with SNI and certificate/host-name verification as configured.
  virtual void async_handshake(HandshakeHandler handler) = 0;
  virtual std::string version() const = 0;
  virtual std::string cipher() const = 0;
  // The peer certificate's notAfter; nothing before the handshake or without a certificate.
  virtual std::optional<std::chrono::system_clock::time_point> peer_not_after() const = 0;
};

// Builds a TLS client for `host` (the name or IP checked against the certificate).
// Fails with ErrorKind::tls when the CA bundle or client certificate cannot be loaded.
Expected<std::unique_ptr<TlsClient>> make_tls_client(asio::ip::tcp::socket socket, const std::string& host,
                                                     const TlsSettings& settings);

}  // namespace rctl::net::detail
