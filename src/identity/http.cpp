#include "identity/http.hpp"

#include "net/event_loop.hpp"
#include "net/stream.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <memory>
#include <optional>

namespace rctl::identity {

namespace {

std::string_view http_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::unexpected<Error> bad_reply(std::string_view why) {
  return fail(ErrorKind::protocol, fmt::format("malformed HTTP reply: {}", why));
}

// Decodes a chunked body; nullopt when it is not complete or not well formed.
std::optional<std::string> dechunk(std::string_view body) {
  std::string out;
  for (;;) {
    auto eol = body.find("\r\n");
    if (eol == std::string_view::npos) return std::nullopt;
    auto size_text = body.substr(0, eol);
    if (auto semi = size_text.find(';'); semi != std::string_view::npos) size_text = size_text.substr(0, semi);
    std::size_t size = 0;
    if (size_text.empty() || size_text.size() > 8) return std::nullopt;
    for (char c : http_trim(size_text)) {
      int d = util::hex_value(c);
      if (d < 0) return std::nullopt;
      size = size * 16 + static_cast<std::size_t>(d);
    }
    body.remove_prefix(eol + 2);
    if (size == 0) return out;
    if (body.size() < size + 2) return std::nullopt;
    out.append(body.substr(0, size));
    body.remove_prefix(size + 2);
  }
}

// One exchange on the loop: connect, write, read until the peer closes or the bound.
struct HttpExchange : std::enable_shared_from_this<HttpExchange> {
  std::unique_ptr<net::Stream> stream;
  std::string request_bytes;
  std::string reply;
  char buffer[8192];
  std::optional<Error> error;
  bool done = false;

  void finish(std::optional<Error> e = std::nullopt) {
    if (done) return;
    done = true;
    error = std::move(e);
    if (stream) stream->close();
  }

  void read_more() {
    stream->async_read_some(buffer, [self = shared_from_this()](std::error_code ec, std::size_t n) {
      if (self->done) return;
      if (ec) {
        if (net::is_end_of_stream(ec)) return self->finish();
        return self->finish(Error{ErrorKind::connect, fmt::format("reading the reply failed: {}", ec.message()), {}});
      }
      self->reply.append(self->buffer, n);
      if (self->reply.size() > k_max_http_reply_bytes)
        return self->finish(
            Error{ErrorKind::protocol, fmt::format("reply larger than {} KiB", k_max_http_reply_bytes / 1024), {}});
      // A complete reply with a Content-Length ends here even if the peer keeps the
      // connection open.
      if (auto parsed = parse_http_response(self->reply); parsed && !parsed->header("content-length").empty())
        return self->finish();
      self->read_more();
    });
  }
};

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

Expected<HttpUrl> parse_http_url(std::string_view url) {
  HttpUrl out;
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else if (url.starts_with("https://")) {
    url.remove_prefix(8);
    out.https = true;
    out.port = 443;
  } else {
    return fail(ErrorKind::usage, "an endpoint URL must start with http:// or https://");
  }
  auto slash = url.find_first_of("/?");
  auto authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    out.target = std::string(url.substr(slash));
    if (out.target.front() == '?') out.target = "/" + out.target;
  }
  if (authority.find('@') != std::string_view::npos)
    return fail(ErrorKind::usage, "an endpoint URL may not carry user information");
  std::string_view port_text;
  if (authority.starts_with("[")) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail(ErrorKind::usage, "bad IPv6 address in an endpoint URL");
    out.host = std::string(authority.substr(1, close - 1));
    auto rest = authority.substr(close + 1);
    if (rest.starts_with(":")) port_text = rest.substr(1);
    else if (!rest.empty()) return fail(ErrorKind::usage, "bad endpoint URL");
  } else {
    auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return fail(ErrorKind::usage, "an endpoint URL needs a host");
  if (!port_text.empty()) {
    auto port = util::parse_int(port_text);
    if (!port || *port < 1 || *port > 65535) return fail(ErrorKind::usage, "bad port in an endpoint URL");
    out.port = static_cast<int>(*port);
  }
  return out;
}

Expected<HttpResponse> parse_http_response(std::string_view bytes) {
  auto head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return bad_reply("no end of headers");
  auto head = bytes.substr(0, head_end);
  auto body = bytes.substr(head_end + 4);
  HttpResponse out;
  auto eol = head.find("\r\n");
  auto status_line = head.substr(0, eol);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ')
    return bad_reply("no status line");
  auto status = util::parse_int(status_line.substr(9, 3));
  if (!status || *status < 100 || *status > 599) return bad_reply("bad status code");
  out.status = static_cast<int>(*status);
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 2);
    eol = head.find("\r\n");
    auto line = head.substr(0, eol);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return bad_reply("bad header line");
    out.headers.emplace_back(util::to_lower(line.substr(0, colon)), std::string(http_trim(line.substr(colon + 1))));
  }
  if (util::to_lower(out.header("transfer-encoding")).find("chunked") != std::string::npos) {
    auto decoded = dechunk(body);
    if (!decoded) return bad_reply("incomplete chunked body");
    out.body = std::move(*decoded);
  } else if (auto length_text = out.header("content-length"); !length_text.empty()) {
    auto length = util::parse_int(length_text);
    if (!length || *length < 0) return bad_reply("bad Content-Length");
    if (body.size() < static_cast<std::size_t>(*length)) return bad_reply("body shorter than Content-Length");
    out.body = std::string(body.substr(0, static_cast<std::size_t>(*length)));
  } else {
    out.body = std::string(body);
  }
  return out;
}

Expected<HttpResponse> http_request(const HttpRequest& request, util::Millis timeout, std::string_view what) {
  auto url = parse_http_url(request.url);
  if (!url) return std::unexpected(url.error());
  auto with_what = [&](Error e) {
    e.message = fmt::format("{}: {}", what, e.message);
    return std::unexpected(std::move(e));
  };
  net::Endpoint endpoint;
  endpoint.transport = url->https ? net::Transport::tls : net::Transport::tcp;
  endpoint.host = url->host;
  endpoint.port = url->port;
  // The loop outlives the exchange: the stream's socket belongs to it.
  net::EventLoop loop;
  auto exchange = std::make_shared<HttpExchange>();
  auto host_header = url->host.find(':') != std::string::npos ? fmt::format("[{}]", url->host) : url->host;
  if ((url->https && url->port != 443) || (!url->https && url->port != 80))
    host_header += fmt::format(":{}", url->port);
  auto& out = exchange->request_bytes;
  out = fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", request.method, url->target, host_header);
  for (const auto& [k, v] : request.headers) out += fmt::format("{}: {}\r\n", k, v);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT")
    out += fmt::format("Content-Length: {}\r\n", request.body.size());
  out += "\r\n" + request.body;

  net::Timer deadline(loop);
  deadline.start(timeout, [exchange, timeout] {
    exchange->finish(Error{ErrorKind::timeout, fmt::format("no reply within {}", util::format_duration(timeout)), {}});
  });
  net::TlsSettings tls;  // verification on: the chain and the host name
  tls.ca_file = request.ca_file;
  net::async_connect(
      loop, endpoint, tls, timeout, [exchange](Expected<std::unique_ptr<net::Stream>> stream, net::ConnectReport) {
        if (exchange->done) return;
        if (!stream) return exchange->finish(stream.error());
        exchange->stream = std::move(*stream);
        exchange->stream->async_write(exchange->request_bytes, [exchange](std::error_code ec, std::size_t) {
          if (exchange->done) return;
          if (ec)
            return exchange->finish(
                Error{ErrorKind::connect, fmt::format("sending the request failed: {}", ec.message()), {}});
          exchange->read_more();
        });
      });
  loop.run_until([&] { return exchange->done; });
  deadline.cancel();
  exchange->finish();  // no-op when done; closes a stream still open
  exchange->stream.reset();  // while the loop that owns its socket is alive
  util::wipe(exchange->request_bytes);  // it may carry a token header
  if (exchange->error) return with_what(*exchange->error);
  auto parsed = parse_http_response(exchange->reply);
  util::wipe(exchange->reply);
  if (!parsed) return with_what(parsed.error());
  return parsed;
}

}  // namespace rctl::identity
