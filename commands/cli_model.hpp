#pragma once
// The command tree as plain data, read from the CLI11 definitions: the one source that
// shell completions and the man page's option reference are generated from.

#include <string>
#include <vector>

namespace CLI {
class App;
class Validator;
}  // namespace CLI

namespace rctl::commands {

struct OptionModel {
  std::vector<std::string> shorts;  // "o"
  std::vector<std::string> longs;  // "output"
  std::string value_name;  // "FORMAT"; empty for flags
  std::vector<std::string> choices;  // fixed values (IsMember, one_of_each), in order
  bool list = false;  // a comma list of choices ("G,..")
  bool file = false;  // the value is a path
  bool output_format = false;  // -o: what it accepts depends on the command (CommandModel::formats)
  std::string description;
  std::string group;
};

struct PositionalModel {
  std::string name;  // "prefix"
  std::string value_name;
  std::string description;
  std::vector<std::string> choices;  // fixed values (IsMember), in order
  bool required = false;
  bool repeated = false;
};

struct CommandModel {
  std::string name;  // "cache"; the root is "rctl"
  std::string description;
  std::vector<OptionModel> options;  // this level's own options (root: the global flags)
  std::vector<PositionalModel> positionals;
  std::vector<CommandModel> commands;
  std::vector<std::string> formats;  // what -o accepts here (a group: what any command below accepts)
  // Everything from the first positional word on belongs to someone else (`rctl call GET k
  // -1`): completion offers nothing there, not even rctl's own flags.
  bool passthrough = false;
};

class FormatTable;

// Reads the tree below (and including) `app`. Hidden subcommands are left out, and so are
// options a parent already has (the help flag CLI11 copies into every subcommand).
CommandModel read_model(const CLI::App& app, const FormatTable& formats);

// Names the items a comma-list option ("strings,keys") takes, for --help and for completions
// (read_model's choices). It does not check them: the command does, against the same table,
// with a message that says which item is wrong and why.
CLI::Validator comma_list_choices(const std::vector<std::string>& names);

// Words joined by single spaces.
std::string space_joined(const std::vector<std::string>& words);

// What a shell completes after an option that takes a value: "file", "value",
// "choices A B..." or "list A B..." (a comma list of those).
std::string value_kind(const OptionModel& option);

// Generators: complete scripts for each shell, deterministic for a given model.
std::string bash_completion(const CommandModel& root);
std::string zsh_completion(const CommandModel& root);
std::string fish_completion(const CommandModel& root);

// The GLOBAL OPTIONS and COMMANDS sections of the man page, in scdoc syntax.
std::string man_reference(const CommandModel& root);

}  // namespace rctl::commands
