// TLS through Asio + OpenSSL. The only file that talks to OpenSSL.

#include "net/asio_streams.hpp"

#include <asio/ssl.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <ctime>

#include <map>
#include <mutex>
#include <tuple>

namespace rctl::net::detail {

namespace {

using Context = asio::ssl::context;

std::string openssl_error_text() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// Contexts are cached per settings: loading the system CA store costs milliseconds, and a
// cluster command opens one connection per node.
Expected<std::shared_ptr<Context>> context_for(const TlsSettings& s) {
  using Key = std::tuple<bool, std::string, std::string, std::string>;
  static std::map<Key, std::shared_ptr<Context>> cache;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  Key key{s.verify_peer, s.ca_file, s.cert_file, s.key_file};
  if (auto it = cache.find(key); it != cache.end()) return it->second;

  auto ctx = std::make_shared<Context>(Context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  if (s.verify_peer) {
    int ok = s.ca_file.empty() ? SSL_CTX_set_default_verify_paths(native)
                               : SSL_CTX_load_verify_locations(native, s.ca_file.c_str(), nullptr);
    if (ok != 1)
      return fail(ErrorKind::tls,
                  s.ca_file.empty() ? "cannot load the system CA certificates"
                                    : fmt::format("cannot load CA file '{}': {}", s.ca_file, openssl_error_text()),
                  "check --cacert, or install the ca-certificates package");
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  }
  if (!s.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(native, s.cert_file.c_str()) != 1)
      return fail(ErrorKind::tls,
                  fmt::format("cannot load client certificate '{}': {}", s.cert_file, openssl_error_text()));
    const auto& key_file = s.key_file.empty() ? s.cert_file : s.key_file;
    if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1)
      return fail(ErrorKind::tls, fmt::format("cannot load client key '{}': {}", key_file, openssl_error_text()));
    if (SSL_CTX_check_private_key(native) != 1)
      return fail(ErrorKind::tls, "client key does not match the client certificate");
  }
  cache.emplace(key, ctx);
  return ctx;
}

// Explains a failed handshake in the user's terms, from the verification result when there is one.
Error handshake_error(SSL* ssl, const std::error_code& ec, const std::string& name) {
  long verify = SSL_get_verify_result(ssl);
  const std::string insecure_hint =
      "use --cacert to trust the server's CA; --insecure skips "
      "verification (not recommended)";
  switch (verify) {
    case X509_V_OK: break;
    case X509_V_ERR_HOSTNAME_MISMATCH:
      return {ErrorKind::tls, fmt::format("certificate does not match host name '{}'", name),
              "connect with the name the certificate was issued for, or set --sni; "
              "--insecure skips verification (not recommended)"};
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return {ErrorKind::tls, fmt::format("certificate does not match IP address {}", name),
              "connect with the host name the certificate was issued for; "
              "--insecure skips verification (not recommended)"};
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      return {ErrorKind::tls, fmt::format("certificate is not trusted: {}", X509_verify_cert_error_string(verify)),
              insecure_hint};
    default:
      return {ErrorKind::tls, fmt::format("certificate verification failed: {}", X509_verify_cert_error_string(verify)),
              insecure_hint};
  }
  auto text = ec.message();
  if (text.find("wrong version number") != std::string::npos ||
      text.find("packet length too long") != std::string::npos ||
      text.find("record layer failure") != std::string::npos)
    return {ErrorKind::tls, fmt::format("TLS handshake failed: {}", text),
            "the server does not seem to speak TLS on this port; use redis:// instead of rediss://"};
  return {ErrorKind::tls, fmt::format("TLS handshake failed: {}", text), {}};
}

class TlsStream final : public TlsClient {
 public:
  TlsStream(std::shared_ptr<Context> ctx, asio::ip::tcp::socket socket, std::string name)
      : m_ctx(std::move(ctx)),
        m_stream(std::move(socket), *m_ctx),
        m_ssl(m_stream.native_handle()),
        m_name(std::move(name)) {}

  Expected<void> configure(const TlsSettings& s) {
    SSL* ssl = m_ssl;
    bool ip = is_ip_literal(m_name);
    // RFC 6066: no SNI for IP literals.
    if (!ip && SSL_set_tlsext_host_name(ssl, m_name.c_str()) != 1)
      return fail(ErrorKind::tls, fmt::format("cannot set TLS server name '{}'", m_name));
    if (s.verify_peer && s.verify_hostname) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      // No fallback to the subject CN (RFC 6125 6.4.4, as browsers do): the name must be in a
      // subjectAltName. OpenSSL would otherwise accept a CN-only certificate for a DNS name.
      X509_VERIFY_PARAM_set_hostflags(param,
                                      X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
      int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, m_name.c_str())
                  : X509_VERIFY_PARAM_set1_host(param, m_name.c_str(), 0);
      if (ok != 1) return fail(ErrorKind::tls, fmt::format("cannot verify against '{}'", m_name));
    }
    return {};
  }

  void async_handshake(HandshakeHandler handler) override {
    m_stream.async_handshake(asio::ssl::stream_base::client,
                             [this, handler = std::move(handler)](const std::error_code& ec) {
                               if (ec)
                                 return handler(std::unexpected(handshake_error(m_stream.native_handle(), ec, m_name)));
                               handler({});
                             });
  }

  void async_read_some(std::span<char> buffer, Handler handler) override {
    m_stream.async_read_some(asio::buffer(buffer.data(), buffer.size()), std::move(handler));
  }

  void async_write(std::span<const char> data, Handler handler) override {
    asio::async_write(m_stream, asio::buffer(data.data(), data.size()), std::move(handler));
  }

  void close() override {
    // No close_notify round trip: a CLI that is done (or timed out) just drops the connection.
    std::error_code ignored;
    m_stream.lowest_layer().shutdown(asio::socket_base::shutdown_both, ignored);
    m_stream.lowest_layer().close(ignored);
  }

  bool secure() const override { return true; }

  std::string version() const override { return SSL_get_version(m_ssl); }
  std::string cipher() const override {
    auto* c = SSL_get_current_cipher(m_ssl);
    return c ? SSL_CIPHER_get_name(c) : "";
  }
  std::optional<std::chrono::system_clock::time_point> peer_not_after() const override {
    // SSL_get0_peer_certificate (OpenSSL 3) borrows the certificate: nothing to free.
    const X509* peer = SSL_get0_peer_certificate(m_ssl);
    if (!peer) return std::nullopt;
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(peer), &tm) != 1) return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
  }

 private:
  std::shared_ptr<Context> m_ctx;  // outlives m_stream
  asio::ssl::stream<asio::ip::tcp::socket> m_stream;
  SSL* m_ssl;  // owned by m_stream
  std::string m_name;
};

}  // namespace

Expected<std::unique_ptr<TlsClient>> make_tls_client(asio::ip::tcp::socket socket, const std::string& host,
                                                     const TlsSettings& settings) {
  auto ctx = context_for(settings);
  if (!ctx) return std::unexpected(ctx.error());
  std::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  auto name = settings.sni.empty() ? host : settings.sni;
  auto stream = std::make_unique<TlsStream>(*ctx, std::move(socket), name);
  if (auto ok = stream->configure(settings); !ok) return std::unexpected(ok.error());
  return stream;
}

}  // namespace rctl::net::detail

namespace rctl::net {

std::string tls_library_version() { return OpenSSL_version(OPENSSL_VERSION); }

}  // namespace rctl::net
