// Opening a stream: resolve, connect, and for TLS the handshake, all under one deadline.

#include "net/asio_streams.hpp"

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <fmt/format.h>

#include <chrono>

namespace rctl::net {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string seconds_text(std::chrono::milliseconds timeout) {
  return fmt::format("{:g}s", static_cast<double>(timeout.count()) / 1000.0);
}

// One connection attempt. Shared by the handlers so that whichever of "finished" and
// "deadline passed" happens first wins, exactly once.
struct Attempt : std::enable_shared_from_this<Attempt> {
  Attempt(EventLoop& loop, Endpoint ep, TlsSettings tls, std::chrono::milliseconds timeout, ConnectHandler handler)
      : loop(loop),
        endpoint(std::move(ep)),
        tls(std::move(tls)),
        timeout(timeout),
        handler(std::move(handler)),
        resolver(loop.context()),
        tcp(loop.context()),
        unix_socket(loop.context()),
        timer(loop.context()) {}

  EventLoop& loop;
  Endpoint endpoint;
  TlsSettings tls;
  std::chrono::milliseconds timeout;
  ConnectHandler handler;
  asio::ip::tcp::resolver resolver;
  asio::ip::tcp::socket tcp;
  asio::local::stream_protocol::socket unix_socket;
  std::unique_ptr<detail::TlsClient> tls_client;
  asio::steady_timer timer;
  ConnectReport report;
  Clock::time_point start = Clock::now();
  bool finished = false;

  void finish(Expected<std::unique_ptr<Stream>> result) {
    if (finished) return;
    finished = true;
    timer.cancel();
    handler(std::move(result), report);
  }

  void fail_with(ErrorKind kind, std::string message, std::string hint = {}) {
    finish(std::unexpected(Error{kind, std::move(message), std::move(hint)}));
  }

  void start_deadline() {
    timer.expires_after(timeout);
    timer.async_wait([self = shared_from_this()](const std::error_code& ec) {
      if (ec || self->finished) return;
      std::error_code ignored;
      self->resolver.cancel();
      self->tcp.close(ignored);
      self->unix_socket.close(ignored);
      if (self->tls_client) self->tls_client->close();
      bool in_tls = self->tls_client != nullptr;
      self->fail_with(ErrorKind::timeout,
                      fmt::format("timed out {} {} after {}", in_tls ? "in the TLS handshake with" : "connecting to",
                                  describe(self->endpoint), seconds_text(self->timeout)),
                      in_tls ? "the server may not speak TLS on this port: use redis:// instead of rediss://"
                             : "check the host, port and firewall; raise --connect-timeout if the "
                               "network is slow");
    });
  }

  void start_unix() {
    unix_socket.async_connect(asio::local::stream_protocol::endpoint(endpoint.socket_path),
                              [self = shared_from_this()](const std::error_code& ec) {
                                if (self->finished) return;
                                if (ec)
                                  return self->fail_with(
                                      ErrorKind::connect,
                                      fmt::format("cannot connect to {}: {}", describe(self->endpoint), ec.message()));
                                self->report.connect_ms = ms_since(self->start);
                                self->report.peer = self->endpoint.socket_path;
                                self->finish(detail::make_unix_stream(std::move(self->unix_socket)));
                              });
  }

  void start_tcp() {
    // IP literals need no resolver (Asio's async resolver runs getaddrinfo on a thread).
    std::error_code ec;
    auto address = asio::ip::make_address(endpoint.host, ec);
    if (!ec) {
      auto results = asio::ip::tcp::resolver::results_type::create(
          asio::ip::tcp::endpoint(address, static_cast<unsigned short>(endpoint.port)), endpoint.host,
          std::to_string(endpoint.port));
      return connect_to(results);
    }
    resolver.async_resolve(
        endpoint.host, std::to_string(endpoint.port),
        [self = shared_from_this()](const std::error_code& ec, asio::ip::tcp::resolver::results_type results) {
          if (self->finished) return;
          if (ec)
            return self->fail_with(ErrorKind::connect,
                                   fmt::format("cannot resolve host '{}': {}", self->endpoint.host, ec.message()));
          self->connect_to(results);
        });
  }

  void connect_to(const asio::ip::tcp::resolver::results_type& results) {
    asio::async_connect(
        tcp, results, [self = shared_from_this()](const std::error_code& ec, const asio::ip::tcp::endpoint& peer) {
          if (self->finished) return;
          if (ec)
            return self->fail_with(ErrorKind::connect,
                                   fmt::format("cannot connect to {}: {}", describe(self->endpoint), ec.message()),
                                   "is the server running and the port right?");
          self->report.connect_ms = ms_since(self->start);
          self->report.peer = fmt::format("{}", peer.address().to_string());
          if (self->endpoint.transport == Transport::tls) return self->handshake();
          self->finish(detail::make_tcp_stream(std::move(self->tcp)));
        });
  }

  void handshake() {
    auto client = detail::make_tls_client(std::move(tcp), endpoint.host, tls);
    if (!client) return finish(std::unexpected(client.error()));
    tls_client = std::move(*client);
    auto handshake_start = Clock::now();
    tls_client->async_handshake([self = shared_from_this(), handshake_start](Expected<void> ok) {
      if (self->finished) return;
      if (!ok) {
        auto error = ok.error();
        error.message = fmt::format("{}: {}", describe(self->endpoint), error.message);
        return self->finish(std::unexpected(std::move(error)));
      }
      self->report.tls_handshake_ms = ms_since(handshake_start);
      self->report.tls_version = self->tls_client->version();
      self->report.tls_cipher = self->tls_client->cipher();
      self->report.tls_not_after = self->tls_client->peer_not_after();
      self->finish(std::unique_ptr<Stream>(std::move(self->tls_client)));
    });
  }
};

}  // namespace

void async_connect(EventLoop& loop, const Endpoint& endpoint, const TlsSettings& tls, std::chrono::milliseconds timeout,
                   ConnectHandler handler) {
  auto attempt = std::make_shared<Attempt>(loop, endpoint, tls, timeout, std::move(handler));
  attempt->start_deadline();
  if (endpoint.transport == Transport::unix_socket) attempt->start_unix();
  else attempt->start_tcp();
}

}  // namespace rctl::net
