#pragma once
// Which -o formats each command accepts. Commands declare theirs when they register; the
// check after parsing, the generated completions and the man page all read this one table,
// so what is offered is exactly what is accepted.

#include "output/printer.hpp"

#include <map>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace rctl::commands {

class FormatTable {
 public:
  // `command` prints these formats besides table and json (health: nagios, stats:
  // prometheus). Declared at registration.
  void accept_also(const CLI::App& command, std::vector<output::Format> formats);

  // What a runnable command accepts, in Format order: table, json, what it declared, and
  // none (the exit code alone, accepted everywhere).
  std::vector<output::Format> accepted(const CLI::App& command) const;

  // For completions: what -o may be given at this command level. A group of commands offers
  // what any command below it accepts (`rctl cache -o json get k` is valid).
  std::vector<std::string> offered(const CLI::App& command) const;

  // The global -o option's help: "table, json, none (exit code only; health: nagios; ...)",
  // commands named in alphabetical order.
  std::string help() const;

 private:
  std::map<const CLI::App*, std::vector<output::Format>> m_extra;
};

}  // namespace rctl::commands
