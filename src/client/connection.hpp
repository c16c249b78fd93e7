#pragma once
// One connection to one Redis server: connect, handshake (HELLO/AUTH/SELECT/SETNAME),
// pipelined commands with reply deadlines. Error replies are values (resp::Type::error);
// only transport, timeout and protocol failures are Errors.

#include "client/command.hpp"
#include "net/endpoint.hpp"
#include "net/event_loop.hpp"
#include "net/stream.hpp"
#include "resp/reader.hpp"
#include "resp/value.hpp"
#include "util/error.hpp"
#include "util/secret.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rctl::client {

inline constexpr std::chrono::milliseconds k_default_timeout{5000};

struct ConnectionOptions {
  net::Endpoint endpoint;
  net::TlsSettings tls;
  std::chrono::milliseconds connect_timeout = k_default_timeout;
  std::chrono::milliseconds command_timeout = k_default_timeout;
  std::optional<std::string> username;  // ACL user; empty = password-only AUTH
  std::optional<util::Secret> password;
  int db = 0;
  int protocol = 3;  // 3: HELLO 3 with fallback to RESP2; 2: RESP2 only
  std::string client_name = "rctl";
  resp::ReaderLimits limits;
};

// What the connection learned while opening, for health reports.
struct HandshakeReport {
  net::ConnectReport connect;
  double handshake_ms = 0;  // HELLO/AUTH/SELECT round trips
  int protocol = 2;  // negotiated RESP version
  bool authenticated = false;  // AUTH (or HELLO AUTH) succeeded
  std::string server_version;  // from HELLO, when available
};

using ReplyHandler = std::function<void(Expected<resp::Value>)>;

class Connection {
 public:
  using OpenHandler = std::function<void(Expected<std::unique_ptr<Connection>>)>;

  // Connects and runs the handshake on `loop`, returning when done (runs the loop).
  // Fails with connect/timeout/tls/auth/permission errors.
  static Expected<std::unique_ptr<Connection>> open(net::EventLoop& loop, const ConnectionOptions& options);

  // Asynchronous open; `handler` runs on the loop.
  static void async_open(net::EventLoop& loop, ConnectionOptions options, OpenHandler handler);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Queues `command`; `handler` receives its reply (error replies included) or an Error when
  // the connection failed before the reply arrived. Replies arrive in order.
  void send(Command command, ReplyHandler handler);

  // Sends all `commands` in one write and waits for every reply (runs the loop). The result
  // holds one value per command; it is an Error only if the connection failed.
  Expected<std::vector<resp::Value>> exec(std::vector<Command> commands);

  // Sends one command and waits for its reply (runs the loop).
  Expected<resp::Value> exec(Command command);

  // Waits up to `timeout` for the next out-of-band message (pub/sub), running the loop.
  // Fails with ErrorKind::timeout when none arrives.
  Expected<resp::Value> wait_push(std::chrono::milliseconds timeout);

  // Commands sent whose replies have not arrived yet.
  std::size_t in_flight() const;

  // True once the connection failed; every later send fails at once.
  bool broken() const;

  const HandshakeReport& report() const;
  const ConnectionOptions& options() const;
  net::EventLoop& loop();

  // Closes the connection; pending handlers get an error.
  void close();

  // Implementation detail, defined in connection.cpp.
  struct State;

 private:
  explicit Connection(std::shared_ptr<State> state);
  std::shared_ptr<State> m_state;
};

}  // namespace rctl::client
