#pragma once
// Confirmation for destructive commands: --yes, or a typed "yes" on a terminal; refused
// (usage error, exit 2) when stdin is not a terminal.

#include <string>

namespace rctl::commands {

// Returns when the action may go ahead; throws a usage Failure naming --yes and --dry-run
// otherwise. `what` describes the action ("delete every key starting with 'x' on 3 primaries").
void confirm_destructive(const std::string& what, bool yes);

}  // namespace rctl::commands
