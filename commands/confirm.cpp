#include "confirm.hpp"

#include "decode/bytes.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

#include <iostream>
#include <unistd.h>

namespace rctl::commands {

void require_confirmable(const std::string& what, bool yes) {
  if (yes) return;
  if (::isatty(STDIN_FILENO) != 1 || ::isatty(STDERR_FILENO) != 1)
    throw Failure(ErrorKind::usage,
                  fmt::format("refusing to {} without confirmation", decode::escape_for_terminal(what)),
                  "pass --yes to confirm, or --dry-run to see what would change");
}

void confirm_destructive(const std::string& what, bool yes) {
  if (yes) return;
  require_confirmable(what, yes);
  std::cerr << fmt::format("rctl: about to {}.\nType 'yes' to continue: ", decode::escape_for_terminal(what))
            << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "yes" && answer != "y") throw Failure(ErrorKind::usage, "not confirmed; nothing was changed");
}

}  // namespace rctl::commands
