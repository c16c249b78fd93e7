// The -o table: what each command accepts is what completions and the man page offer.
#include "commands/cli_model.hpp"
#include "commands/format_table.hpp"

#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

// Inside the namespace rather than `using namespace`: unity batches share this file's scope.
namespace rctl::commands {

TEST_CASE("a command accepts table, json, what it declared, and none") {
  CLI::App root{"test", "rctl"};
  auto* health = root.add_subcommand("health", "h");
  auto* cache = root.add_subcommand("cache", "c");
  auto* get = cache->add_subcommand("get", "g");
  FormatTable table;
  table.accept_also(*health, {output::Format::nagios});
  using F = output::Format;
  CHECK(table.accepted(*health) == std::vector<F>{F::table, F::json, F::nagios, F::none});
  CHECK(table.accepted(*get) == std::vector<F>{F::table, F::json, F::none});
  // A group offers what any command below it accepts; the root offers the union.
  CHECK(table.offered(*cache) == std::vector<std::string>{"table", "json", "none"});
  CHECK(table.offered(root) == std::vector<std::string>{"table", "json", "nagios", "none"});
}

TEST_CASE("the model lists an option a parent already has once") {
  CLI::App root{"test", "rctl"};
  root.set_help_flag("--help", "Print this help message and exit");
  auto* cache = root.add_subcommand("cache", "c");
  auto* get = cache->add_subcommand("get", "g");
  std::string only;
  get->add_option("--only", only, "groups")->type_name("G,..")->check(comma_list_choices({"a", "b"}));
  auto model = read_model(root, FormatTable{});
  auto count_help = [](const CommandModel& m) {
    return std::ranges::count_if(m.options,
                                 [](const OptionModel& o) { return o.longs == std::vector<std::string>{"help"}; });
  };
  CHECK(count_help(model) == 1);
  REQUIRE(model.commands.size() == 1);
  CHECK(count_help(model.commands[0]) == 0);
  const auto& get_model = model.commands[0].commands.at(0);
  REQUIRE(get_model.options.size() == 1);
  CHECK(get_model.options[0].list);
  CHECK(get_model.options[0].choices == std::vector<std::string>{"a", "b"});
  CHECK(value_kind(get_model.options[0]) == "list a b");
}

}  // namespace rctl::commands
