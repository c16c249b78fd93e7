#pragma once
// Reading a password from the safe places: a file, or the terminal without echo.

#include "util/error.hpp"
#include "util/secret.hpp"

#include <string>
#include <vector>

namespace rctl::config {

// Reads the password from `path`, dropping trailing CR/LF (secret stores add them). Adds a
// warning to `warnings` when the file is readable by other users.
Expected<util::Secret> read_password_file(const std::string& path, std::vector<std::string>& warnings);

// The same from standard input (`--password-file -`), for pipelines: `vault read ... | rctl`.
Expected<util::Secret> read_password_stdin();

// Prompts on the controlling terminal with echo off. Fails with ErrorKind::usage when there
// is no terminal.
Expected<util::Secret> ask_password(const std::string& prompt);

}  // namespace rctl::config
