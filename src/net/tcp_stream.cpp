#include "net/asio_streams.hpp"

#include <asio/error.hpp>
#include <asio/write.hpp>

namespace rctl::net::detail {

namespace {

// The same wrapper serves TCP and unix sockets: both are Asio stream sockets.
template <class Socket>
class SocketStream final : public Stream {
 public:
  explicit SocketStream(Socket socket) : m_socket(std::move(socket)) {}

  void async_read_some(std::span<char> buffer, Handler handler) override {
    m_socket.async_read_some(asio::buffer(buffer.data(), buffer.size()), std::move(handler));
  }

  void async_write(std::span<const char> data, Handler handler) override {
    asio::async_write(m_socket, asio::buffer(data.data(), data.size()), std::move(handler));
  }

  void close() override {
    std::error_code ignored;
    m_socket.shutdown(asio::socket_base::shutdown_both, ignored);
    m_socket.close(ignored);
  }

  bool secure() const override { return false; }

 private:
  Socket m_socket;
};

}  // namespace

std::unique_ptr<Stream> make_tcp_stream(asio::ip::tcp::socket socket) {
  std::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  return std::make_unique<SocketStream<asio::ip::tcp::socket>>(std::move(socket));
}

std::unique_ptr<Stream> make_unix_stream(asio::local::stream_protocol::socket socket) {
  return std::make_unique<SocketStream<asio::local::stream_protocol::socket>>(std::move(socket));
}

}  // namespace rctl::net::detail

namespace rctl::net {

bool is_end_of_stream(const std::error_code& ec) {
  return ec == asio::error::eof || ec.message().find("stream truncated") != std::string::npos;
}

}  // namespace rctl::net
