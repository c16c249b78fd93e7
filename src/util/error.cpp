#include "util/error.hpp"

namespace rctl {

ExitCode exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage: return ExitCode::usage;
    case ErrorKind::connect:
    case ErrorKind::timeout:
    case ErrorKind::tls:
    case ErrorKind::outcome_unknown: return ExitCode::connect;
    case ErrorKind::auth:
    case ErrorKind::permission: return ExitCode::auth;
    case ErrorKind::not_found: return ExitCode::not_found;
    case ErrorKind::server:
    case ErrorKind::protocol:
    case ErrorKind::internal: return ExitCode::server;
    case ErrorKind::check_failed:
    case ErrorKind::output: return ExitCode::check_failed;
    case ErrorKind::interrupted: return ExitCode::interrupted;
  }
  return ExitCode::server;
}

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage: return "usage";
    case ErrorKind::connect: return "connect";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::tls: return "tls";
    case ErrorKind::auth: return "auth";
    case ErrorKind::permission: return "permission";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::server: return "server";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::outcome_unknown: return "outcome_unknown";
    case ErrorKind::check_failed: return "check_failed";
    case ErrorKind::interrupted: return "interrupted";
    case ErrorKind::output: return "output";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

}  // namespace rctl
