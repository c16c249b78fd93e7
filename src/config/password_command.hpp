#pragma once
// Running a credential helper (`--password-command`, `password-command =` in a profile): the
// command's standard output is the password, as with git's credential helpers and AWS's
// credential_process. The output is a secret: it never appears in an error message.

#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/secret.hpp"

#include <string>

namespace rctl::config {

// How long a helper may take by default (a helper may wait for a touch or a biometric prompt).
inline constexpr util::Millis k_password_command_timeout{30'000};

// The most bytes a helper may print; more is an error (a password is never that long).
inline constexpr std::size_t k_max_password_command_bytes = 64 * 1024;

// Runs `command` through /bin/sh -c, with standard input from /dev/null and standard error
// passed through (a helper's own prompts and errors reach the user). Returns its standard
// output less one trailing newline ("\n" or "\r\n"). `what` names the command in errors
// ("--password-command", "profile 'prod' password-command"); the command's text is never
// repeated, it may hold a token of its own. Fails with ErrorKind::auth when the command
// cannot start, exits non-zero, is killed by a signal, prints nothing or more than
// k_max_password_command_bytes, or runs past `timeout` (then it is killed);
// ErrorKind::interrupted on Ctrl-C.
Expected<util::Secret> run_password_command(const std::string& command, const std::string& what,
                                            util::Millis timeout = k_password_command_timeout);

}  // namespace rctl::config
