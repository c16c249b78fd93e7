#pragma once
// The one error type of rctl and the one table that maps it to exit codes.
//
// Layers below the domains return Expected<T>; domains may also throw Failure (which wraps
// an Error) for "cannot continue" cases. Only commands/main.cpp catches.

#include <expected>
#include <string>
#include <utility>

namespace rctl {

// What went wrong, in the terms an operator acts on. Each kind maps to exactly one exit code.
enum class ErrorKind {
  usage,  // bad flag, bad URL, destructive action refused without --yes
  connect,  // DNS, refused, unreachable, connection closed
  timeout,  // connect or reply deadline passed
  tls,  // TLS handshake or certificate verification failed
  auth,  // WRONGPASS, NOAUTH, invalid password/user
  permission,  // NOPERM (ACL)
  not_found,  // key, session or job does not exist
  server,  // Redis answered with an error reply
  protocol,  // Redis broke the protocol (malformed or oversized reply)
  outcome_unknown,  // a non-idempotent command may have reached the server before a failure
  check_failed,  // unhealthy, a test failed, a job failed
  interrupted,  // Ctrl-C
  output,  // stdout could not be written (disk full, I/O error); not a closed pipe
  internal,  // a bug or a local I/O failure
};

// Exit codes documented in README and man page (DESIGN.md "Exit codes").
enum class ExitCode : int {
  ok = 0,
  check_failed = 1,
  usage = 2,
  connect = 3,
  auth = 4,
  not_found = 5,
  server = 6,
  interrupted = 130,
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;  // one line, no trailing period, never contains a secret
  std::string hint;  // optional second line telling the user what to try
};

template <class T>
using Expected = std::expected<T, Error>;

// Shorthand for `return fail(ErrorKind::usage, "...")` in functions returning Expected<T>.
inline std::unexpected<Error> fail(ErrorKind kind, std::string message, std::string hint = {}) {
  return std::unexpected<Error>(Error{kind, std::move(message), std::move(hint)});
}

// The exit code for an error kind; the only place this mapping lives.
ExitCode exit_code_for(ErrorKind kind);

// Stable snake_case name of an error kind, used in JSON error objects.
const char* to_string(ErrorKind kind);

// Exception carrying an Error, thrown by a domain when it cannot continue.
class Failure : public std::exception {
 public:
  explicit Failure(Error error) : m_error(std::move(error)) {}
  Failure(ErrorKind kind, std::string message, std::string hint = {})
      : m_error{kind, std::move(message), std::move(hint)} {}
  const Error& error() const { return m_error; }
  const char* what() const noexcept override { return m_error.message.c_str(); }

 private:
  Error m_error;
};

// Returns the value of `result` or throws its error as a Failure.
template <class T>
T value_or_throw(Expected<T>&& result) {
  if (!result) throw Failure(std::move(result.error()));
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

}  // namespace rctl
