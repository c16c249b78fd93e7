#pragma once
// A command to send, with what the routing and retry logic needs to know about it.

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::client {

struct Command {
  std::vector<std::string> args;
  // Index in `args` of the key that routes the command on a cluster; -1 = no key (any node).
  int key_index = -1;
  // False for commands whose repetition changes the outcome (INCR, RPUSH, EVAL that writes):
  // after a connection failure they are reported as "outcome unknown", never re-sent.
  bool retry_safe = true;
  // Added to the reply deadline, for blocking commands such as BLPOP with a server timeout.
  std::chrono::milliseconds extra_timeout{0};
  // True for SUBSCRIBE-like commands whose confirmation arrives as a push message.
  bool reply_is_push = false;
  // True when an argument is a password or token (AUTH after a credential refresh): the
  // arguments are wiped once queued, as during the handshake.
  bool carries_secret = false;

  Command& key(int index) {
    key_index = index;
    return *this;
  }
  Command& unsafe_to_retry() {
    retry_safe = false;
    return *this;
  }
  Command& blocking(std::chrono::milliseconds extra) {
    extra_timeout = extra;
    return *this;
  }

  // The routing key, or an empty view when the command has none.
  std::string_view routing_key() const {
    return key_index >= 0 && static_cast<std::size_t>(key_index) < args.size()
               ? std::string_view(args[static_cast<std::size_t>(key_index)])
               : std::string_view{};
  }
  bool has_key() const { return key_index >= 0; }
  // Upper-cased command name for messages ("GET", "CLIENT SETNAME" is shown as "CLIENT").
  std::string name() const;
};

// Builds a command without a routing key: cmd({"PING"}), cmd({"INFO", "all"}).
Command cmd(std::initializer_list<std::string_view> args);

// Builds a command whose argument 1 is its key: keyed({"GET", key}).
Command keyed(std::initializer_list<std::string_view> args);

// Builds a command from an argument vector.
Command cmd(std::vector<std::string> args);

}  // namespace rctl::client
