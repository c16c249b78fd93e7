#include "client/connection.hpp"

#include "client/server_error.hpp"
#include "resp/writer.hpp"

#include <fmt/format.h>

#include <deque>

namespace rctl::client {

namespace {

using Clock = std::chrono::steady_clock;

// Large enough for a SCAN page or a few hundred UNLINK replies in one read.
constexpr std::size_t k_read_buffer_size = 64 * 1024;

// Pub/sub messages waiting for wait_push(). A subscriber reads them one at a time; a server
// that floods faster than that loses the excess rather than growing rctl without end.
constexpr std::size_t k_max_queued_pushes = 1024;

std::string seconds_text(std::chrono::milliseconds t) {
  return fmt::format("{:g}s", static_cast<double>(t.count()) / 1000.0);
}

}  // namespace

struct Connection::State : std::enable_shared_from_this<State> {
  State(net::EventLoop& loop, ConnectionOptions options, std::unique_ptr<net::Stream> stream)
      : loop(loop),
        options(std::move(options)),
        stream(std::move(stream)),
        reader(this->options.limits),
        deadline(loop),
        read_buffer(k_read_buffer_size) {}

  struct Pending {
    ReplyHandler handler;
    std::chrono::milliseconds extra{0};
  };

  net::EventLoop& loop;
  ConnectionOptions options;
  std::unique_ptr<net::Stream> stream;
  resp::Reader reader;
  HandshakeReport report;
  net::Timer deadline;
  std::vector<char> read_buffer;
  std::string out;  // queued, not yet handed to the stream
  std::string writing;  // being written
  bool write_active = false;
  bool read_active = false;
  bool subscribed = false;  // unsolicited replies are push messages
  bool handshaking = true;  // commands may carry the password (HELLO AUTH, AUTH)
  bool any_reply = false;  // the server has answered at least once
  std::deque<Pending> pending;
  std::deque<resp::Value> pushes;
  std::optional<Error> failure;

  std::string where() const { return net::describe(options.endpoint); }

  void send(Command command, ReplyHandler handler) {
    if (failure) {
      loop.post([handler = std::move(handler), error = *failure] { handler(std::unexpected(error)); });
      return;
    }
    resp::append_command(out, command.args);
    // The password's copies in the arguments and the write buffer are wiped once sent, so
    // they do not linger in freed memory (core dumps are off too: see main.cpp).
    if (handshaking || command.carries_secret)
      for (auto& arg : command.args) util::wipe(arg);
    if (command.reply_is_push) {
      subscribed = true;
    } else {
      pending.push_back({std::move(handler), command.extra_timeout});
    }
    flush();
    start_read();
    // A reply's deadline starts when it becomes the next one due, never later.
    if (pending.size() == 1) arm_deadline();
  }

  void flush() {
    if (write_active || out.empty() || failure) return;
    writing.clear();
    std::swap(out, writing);
    write_active = true;
    stream->async_write(writing, [self = shared_from_this()](std::error_code ec, std::size_t) {
      self->write_active = false;
      if (self->handshaking) util::wipe(self->writing);
      if (ec) return self->fail_transport(ec, "sending");
      self->flush();
    });
  }

  void start_read() {
    if (read_active || failure || (pending.empty() && !subscribed)) return;
    read_active = true;
    stream->async_read_some(read_buffer, [self = shared_from_this()](std::error_code ec, std::size_t n) {
      self->read_active = false;
      if (ec) return self->fail_transport(ec, "reading");
      self->on_bytes(std::string_view(self->read_buffer.data(), n));
    });
  }

  void on_bytes(std::string_view bytes) {
    reader.feed(bytes);
    bool progressed = false;
    while (!failure) {
      auto result = reader.next();
      if (std::holds_alternative<resp::NeedMore>(result)) break;
      if (auto* error = std::get_if<resp::ProtocolError>(&result)) {
        bool too_large = error->message.starts_with("reply too large");
        fail({ErrorKind::protocol, fmt::format("protocol error from {}: {}", where(), error->message),
              too_large ? "if such a reply is expected, raise RCTL_MAX_REPLY_ELEMENTS or "
                          "RCTL_MAX_REPLY_MB; the connection was closed"
                        : "the server (or something in between) sent a malformed reply; the "
                          "connection was closed"});
        return;
      }
      if (dispatch(std::move(std::get<resp::Value>(result)))) progressed = true;
    }
    if (failure) return;
    // Only a completed reply moves the deadline (on to the next reply). Partial bytes and
    // push messages never do: a server dripping a reply, or sending pushes forever, must not
    // keep a command alive past --timeout.
    if (progressed) arm_deadline();
    start_read();
  }

  // Hands a value to the reply it answers; returns true when it completed a pending reply.
  bool dispatch(resp::Value value) {
    any_reply = true;
    bool is_push = value.type == resp::Type::push;
    if (is_push || pending.empty()) {
      // Accepted only on a connection that subscribed (pub/sub), and in RESP3 only as push
      // messages or the error refusing a (P)SUBSCRIBE; anything else is unsolicited and
      // dropped, as is a flood beyond the queue.
      bool wanted = subscribed && (is_push || value.is_error() || report.protocol < 3);
      if (wanted && pushes.size() < k_max_queued_pushes) pushes.push_back(std::move(value));
      return false;
    }
    auto handler = std::move(pending.front().handler);
    pending.pop_front();
    handler(std::move(value));
    return true;
  }

  void arm_deadline() {
    if (pending.empty() || failure) return deadline.cancel();
    auto limit = options.command_timeout + pending.front().extra;
    deadline.start(limit, [weak = weak_from_this(), limit] {
      auto self = weak.lock();
      if (!self || self->pending.empty()) return;
      self->fail({ErrorKind::timeout,
                  fmt::format("no complete reply from {} within {}", self->where(), seconds_text(limit)),
                  "the server is slow or stalled (--timeout bounds each whole reply); raise "
                  "--timeout if this is expected"});
    });
  }

  void fail_transport(const std::error_code& ec, std::string_view phase) {
    if (failure) return;
    bool eof = net::is_end_of_stream(ec);
    std::string hint;
    if (!any_reply && !stream->secure() && options.endpoint.transport != net::Transport::unix_socket)
      hint = "the server may require TLS: use rediss:// or --tls";
    auto what = eof ? std::string("connection closed by server") : ec.message();
    fail({ErrorKind::connect, fmt::format("{} while {} ({})", what, phase, where()), hint});
  }

  void fail(Error error) {
    if (failure) return;
    failure = error;
    deadline.cancel();
    stream->close();
    auto waiting = std::move(pending);
    pending.clear();
    for (auto& p : waiting) p.handler(std::unexpected(error));
  }
};

}  // namespace rctl::client

namespace rctl::client {

namespace {

// Runs the handshake: HELLO 3 (with AUTH and SETNAME) and SELECT, falling back to RESP2
// (AUTH, CLIENT SETNAME, SELECT) on servers and proxies that do not know HELLO.
class Handshake : public std::enable_shared_from_this<Handshake> {
 public:
  Handshake(std::shared_ptr<Connection::State> state, Connection::OpenHandler done,
            std::function<std::unique_ptr<Connection>(std::shared_ptr<Connection::State>)> wrap)
      : m_state(std::move(state)), m_done(std::move(done)), m_wrap(std::move(wrap)) {}

  void start() {
    m_start = Clock::now();
    if (m_state->options.protocol >= 3) hello();
    else resp2();
  }

 private:
  const ConnectionOptions& opts() const { return m_state->options; }
  bool has_password() const { return opts().password && !opts().password->empty(); }

  void hello() {
    Command c = cmd({"HELLO", "3"});
    if (has_password()) {
      c.args.push_back("AUTH");
      c.args.push_back(opts().username.value_or("default"));
      c.args.push_back(opts().password->reveal());
    }
    c.args.push_back("SETNAME");
    c.args.push_back(opts().client_name);
    m_state->send(std::move(c), [self = shared_from_this()](Expected<resp::Value> reply) {
      if (!reply) return self->finish(std::unexpected(reply.error()));
      if (reply->is_error()) {
        auto kind = classify(reply->str);
        if (kind == ServerErrorKind::wrong_pass || kind == ServerErrorKind::no_auth || kind == ServerErrorKind::no_perm)
          return self->finish(std::unexpected(auth_error(reply->str, "HELLO")));
        return self->resp2();  // unknown command, NOPROTO, or a proxy that refuses HELLO
      }
      self->m_state->report.protocol = 3;
      self->m_state->report.authenticated = self->has_password();
      self->read_hello(*reply);
      self->select();
    });
  }

  void read_hello(const resp::Value& map) {
    for (std::size_t i = 0; i + 1 < map.elements.size(); i += 2)
      if (map.elements[i].str == "version") m_state->report.server_version = map.elements[i + 1].str;
  }

  void resp2() {
    m_state->report.protocol = 2;
    if (!has_password()) return after_auth();
    // AUTH is answered before anything else is sent: a refused password must end the
    // connection before a single command runs as the default user.
    Command c = opts().username ? cmd({"AUTH", *opts().username, opts().password->reveal()})
                                : cmd({"AUTH", opts().password->reveal()});
    m_state->send(std::move(c), [self = shared_from_this()](Expected<resp::Value> reply) {
      if (!reply) return self->finish(std::unexpected(reply.error()));
      if (reply->is_error()) return self->finish(std::unexpected(auth_error(reply->str, "AUTH")));
      self->m_state->report.authenticated = true;
      self->after_auth();
    });
  }

  void after_auth() {
    // Some managed services disable CLIENT SETNAME; the name is a courtesy, so errors are ignored.
    m_state->send(cmd({"CLIENT", "SETNAME", opts().client_name}), [](Expected<resp::Value>) {});
    select();
  }

  void select() {
    if (opts().db == 0) return finish({});
    m_state->send(cmd({"SELECT", std::to_string(opts().db)}), [self = shared_from_this()](Expected<resp::Value> reply) {
      if (!reply) return self->finish(std::unexpected(reply.error()));
      if (reply->is_error()) {
        auto error = to_error(reply->str, fmt::format("SELECT {}", self->opts().db));
        // A cluster has only database 0 (Redis refuses SELECT there): say so rather than
        // leave the user to decode the server's wording.
        if (reply->str.find("cluster mode") != std::string::npos)
          error.hint = "a Redis Cluster has only database 0: drop -n/--db (or the /N of the URL)";
        return self->finish(std::unexpected(std::move(error)));
      }
      self->finish({});
    });
  }

  static Error auth_error(const std::string& message, std::string_view step) {
    auto error = to_error(message, step);
    if (error.kind == ErrorKind::server) error.kind = ErrorKind::auth;
    return error;
  }

  void finish(Expected<void> result) {
    if (m_finished) return;
    if (result && m_state->failure) result = std::unexpected(*m_state->failure);
    // Wait until every handshake reply is in, so the first user command starts clean.
    if (result && !m_state->pending.empty()) {
      m_state->send(cmd({"PING"}), [self = shared_from_this()](Expected<resp::Value> r) {
        // finish() ignores calls once m_finished is set, so report through complete().
        self->m_finished = false;
        if (!r) return self->complete(std::unexpected(r.error()));
        self->complete({});
      });
      m_finished = true;
      return;
    }
    complete(std::move(result));
  }

  void complete(Expected<void> result) {
    if (m_finished) return;
    m_finished = true;
    if (!result) {
      m_state->fail(result.error());
      return m_done(std::unexpected(result.error()));
    }
    m_state->handshaking = false;
    m_state->report.handshake_ms = std::chrono::duration<double, std::milli>(Clock::now() - m_start).count();
    m_done(m_wrap(m_state));
  }

  std::shared_ptr<Connection::State> m_state;
  Connection::OpenHandler m_done;
  std::function<std::unique_ptr<Connection>(std::shared_ptr<Connection::State>)> m_wrap;
  Clock::time_point m_start;
  bool m_finished = false;
};

}  // namespace

Connection::Connection(std::shared_ptr<State> state) : m_state(std::move(state)) {}

Connection::~Connection() { close(); }

void Connection::async_open(net::EventLoop& loop, ConnectionOptions options, OpenHandler handler) {
  auto endpoint = options.endpoint;
  auto tls = options.tls;
  auto timeout = options.connect_timeout;
  net::async_connect(loop, endpoint, tls, timeout,
                     [&loop, options = std::move(options), handler = std::move(handler)](
                         Expected<std::unique_ptr<net::Stream>> stream, net::ConnectReport report) mutable {
                       if (!stream) return handler(std::unexpected(stream.error()));
                       auto state = std::make_shared<State>(loop, std::move(options), std::move(*stream));
                       state->report.connect = std::move(report);
                       auto wrap = [](std::shared_ptr<State> s) {
                         return std::unique_ptr<Connection>(new Connection(std::move(s)));
                       };
                       std::make_shared<Handshake>(state, std::move(handler), wrap)->start();
                     });
}

Expected<std::unique_ptr<Connection>> Connection::open(net::EventLoop& loop, const ConnectionOptions& options) {
  std::optional<Expected<std::unique_ptr<Connection>>> result;
  async_open(loop, options, [&](Expected<std::unique_ptr<Connection>> r) { result = std::move(r); });
  loop.run_until([&] { return result.has_value(); });
  if (!result) return fail(ErrorKind::internal, "event loop ended before the connection opened");
  return std::move(*result);
}

void Connection::send(Command command, ReplyHandler handler) { m_state->send(std::move(command), std::move(handler)); }

Expected<std::vector<resp::Value>> Connection::exec(std::vector<Command> commands) {
  std::vector<std::optional<Expected<resp::Value>>> replies(commands.size());
  std::size_t remaining = commands.size();
  for (std::size_t i = 0; i < commands.size(); ++i)
    m_state->send(std::move(commands[i]), [&replies, &remaining, i](Expected<resp::Value> r) {
      replies[i] = std::move(r);
      --remaining;
    });
  m_state->loop.run_until([&] { return remaining == 0; });
  std::vector<resp::Value> values;
  values.reserve(replies.size());
  for (auto& r : replies) {
    if (!r) return fail(ErrorKind::internal, "event loop ended before all replies arrived");
    if (!*r) return std::unexpected(r->error());
    values.push_back(std::move(**r));
  }
  return values;
}

Expected<resp::Value> Connection::exec(Command command) {
  std::vector<Command> one;
  one.push_back(std::move(command));
  auto replies = exec(std::move(one));
  if (!replies) return std::unexpected(replies.error());
  return std::move(replies->front());
}

Expected<resp::Value> Connection::wait_push(std::chrono::milliseconds timeout) {
  auto& s = *m_state;
  if (s.pushes.empty() && !s.failure) {
    bool expired = false;
    net::Timer timer(s.loop);
    timer.start(timeout, [&] { expired = true; });
    s.start_read();
    s.loop.run_until([&] { return expired || !s.pushes.empty() || s.failure.has_value(); });
  }
  if (!s.pushes.empty()) {
    auto v = std::move(s.pushes.front());
    s.pushes.pop_front();
    return v;
  }
  if (s.failure) return std::unexpected(*s.failure);
  return fail(ErrorKind::timeout, fmt::format("no message from {} within {}", s.where(), seconds_text(timeout)));
}

std::size_t Connection::in_flight() const { return m_state->pending.size(); }
bool Connection::broken() const { return m_state->failure.has_value(); }
const HandshakeReport& Connection::report() const { return m_state->report; }
const ConnectionOptions& Connection::options() const { return m_state->options; }
net::EventLoop& Connection::loop() { return m_state->loop; }

void Connection::close() {
  if (!m_state || m_state->failure) return;
  m_state->fail({ErrorKind::connect, fmt::format("connection to {} closed", m_state->where())});
}

}  // namespace rctl::client
