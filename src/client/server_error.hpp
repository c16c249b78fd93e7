#pragma once
// Server error replies ("-WRONGTYPE ...", "-NOPERM ...") classified once, by their first word.

#include "util/error.hpp"

#include <string>
#include <string_view>

namespace rctl::client {

enum class ServerErrorKind {
  generic,  // ERR and anything unrecognised
  unknown_command,  // ERR unknown command (also a command disabled by rename-command)
  wrong_type,  // WRONGTYPE
  no_auth,  // NOAUTH
  wrong_pass,  // WRONGPASS, or ERR invalid password
  no_perm,  // NOPERM (ACL)
  no_proto,  // NOPROTO (HELLO with an unsupported protocol)
  moved,  // MOVED slot host:port
  ask,  // ASK slot host:port
  try_again,  // TRYAGAIN
  cluster_down,  // CLUSTERDOWN
  cross_slot,  // CROSSSLOT
  loading,  // LOADING
  busy,  // BUSY (a script is running)
  read_only,  // READONLY (a write sent to a replica)
  master_down,  // MASTERDOWN
  oom,  // OOM (maxmemory reached, noeviction)
  no_script,  // NOSCRIPT
  exec_abort,  // EXECABORT
};

// Classifies an error reply's text (without the leading '-').
ServerErrorKind classify(std::string_view message);

// True for errors that mean "the server refuses this command by design" (unknown or
// disabled command, ACL denial): the basis of `unsupported` verdicts.
bool is_refusal(ServerErrorKind kind);

// Converts an error reply to rctl's Error: auth/permission/server kinds; `context` names the
// command or step ("AUTH", "GET user:1").
Error to_error(std::string_view message, std::string_view context);

// to_error for a command the server refuses by design, with a hint on what to do: the ACL
// grant that allows exactly `command` ("SLOWLOG GET" -> +slowlog|get) for NOPERM, the
// provider for an unknown (disabled, renamed) command. For per-node diagnostics where one
// refusing node is reported, not fatal.
Error refusal_error(std::string_view message, std::string_view command);

}  // namespace rctl::client
