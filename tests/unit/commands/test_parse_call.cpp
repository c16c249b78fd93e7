// `rctl call` parsing: everything from COMMAND on reaches the server as typed, even words that
// look like rctl's flags; rctl's own flags go before it.
#include "commands/call.hpp"

#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace rctl::commands;

namespace {

// Parses `line` as main() would (global -o on the root, fallthrough on), with a run function
// that records the flags.
std::optional<CallFlags> call_flags_of(const std::string& line, std::string* output = nullptr) {
  GlobalOptions options;
  Context ctx(options);
  CLI::App app{"test"};
  app.set_help_flag("--help");
  app.fallthrough();
  app.add_option("-o,--output", options.output);
  std::optional<CallFlags> seen;
  register_call(app, ctx, [&](Context&, const CallFlags& f) {
    seen = f;
    return 0;
  });
  app.parse(line, false);
  if (ctx.run) CHECK(ctx.run() == 0);
  if (output) *output = options.output;
  return seen;
}

using CallWords = std::vector<std::string>;

}  // namespace

TEST_CASE("commands parse: call passes COMMAND and its arguments as typed") {
  auto f = call_flags_of("call SET k -1");
  REQUIRE(f);
  CHECK(f->args == CallWords{"SET", "k", "-1"});
}

TEST_CASE("commands parse: call keeps words that look like rctl flags after COMMAND") {
  auto f = call_flags_of("call GET --help");
  REQUIRE(f);
  CHECK(f->args == CallWords{"GET", "--help"});
  f = call_flags_of("call SET --raw -o --node x");
  REQUIRE(f);
  CHECK(f->args == CallWords{"SET", "--raw", "-o", "--node", "x"});
  CHECK_FALSE(f->raw);
  CHECK(f->node.empty());
}

TEST_CASE("commands parse: call keeps a command named like an rctl subcommand") {
  auto f = call_flags_of("call latency doctor");
  REQUIRE(f);
  CHECK(f->args == CallWords{"latency", "doctor"});
}

TEST_CASE("commands parse: call's own flags and the global ones come before COMMAND") {
  std::string output;
  auto f = call_flags_of("-o json call --node 127.0.0.1:7000 --raw GET k", &output);
  REQUIRE(f);
  CHECK(output == "json");
  CHECK(f->node == "127.0.0.1:7000");
  CHECK(f->raw);
  CHECK(f->args == CallWords{"GET", "k"});
  f = call_flags_of("call --all-primaries DBSIZE");
  REQUIRE(f);
  CHECK(f->all_primaries);
  CHECK(f->args == CallWords{"DBSIZE"});
}

TEST_CASE("commands parse: call --help is help, not a command") {
  CHECK_THROWS_AS(call_flags_of("call --help"), CLI::CallForHelp);
}
