#pragma once
// The command tree as plain data, read from the CLI11 definitions: the one source that
// shell completions and the man page's option reference are generated from.

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace rctl::commands {

struct OptionModel {
  std::vector<std::string> shorts;  // "o"
  std::vector<std::string> longs;  // "output"
  std::string value_name;  // "FORMAT"; empty for flags
  std::vector<std::string> choices;  // fixed values (IsMember), in order
  bool file = false;  // the value is a path
  std::string description;
  std::string group;
};

struct PositionalModel {
  std::string name;  // "prefix"
  std::string value_name;
  std::string description;
  bool required = false;
  bool repeated = false;
};

struct CommandModel {
  std::string name;  // "cache"; the root is "rctl"
  std::string description;
  std::vector<OptionModel> options;  // this level's own options (root: the global flags)
  std::vector<PositionalModel> positionals;
  std::vector<CommandModel> commands;
  // Everything from the first positional word on belongs to someone else (`rctl call GET k
  // -1`): completion offers nothing there, not even rctl's own flags.
  bool passthrough = false;
};

// Reads the tree below (and including) `app`. Hidden subcommands are left out.
CommandModel read_model(const CLI::App& app);

// Generators: complete scripts for each shell, deterministic for a given model.
std::string bash_completion(const CommandModel& root);
std::string zsh_completion(const CommandModel& root);
std::string fish_completion(const CommandModel& root);

// The GLOBAL OPTIONS and COMMANDS sections of the man page, in scdoc syntax.
std::string man_reference(const CommandModel& root);

}  // namespace rctl::commands
