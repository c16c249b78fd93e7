#pragma once
// Confirmation for destructive commands: --yes, or a typed "yes" on a terminal; refused
// (usage error, exit 2) when stdin is not a terminal.

#include <string>

namespace rctl::commands {

// Returns when the action may go ahead; throws a usage Failure naming --yes and --dry-run
// otherwise. `what` describes the action ("delete every key starting with 'x' on 3 primaries").
void confirm_destructive(const std::string& what, bool yes);

// For commands that ask only after printing a report (slowlog --reset): fails the same way
// as confirm_destructive, before any I/O, when asking will not be possible.
void require_confirmable(const std::string& what, bool yes);

}  // namespace rctl::commands
