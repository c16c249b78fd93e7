#pragma once
// `rctl call`: its flags and the seam between parsing and running (see stats.hpp), so a test
// can check that everything after COMMAND reaches the server untouched.

#include "context.hpp"

#include <functional>
#include <string>
#include <vector>

namespace rctl::commands {

struct CallFlags {
  std::vector<std::string> args;  // COMMAND and its arguments, exactly as typed
  std::string node;  // --node ADDR
  bool all_primaries = false;
  bool all_nodes = false;
  bool raw = false;
};

using CallRun = std::function<int(Context&, const CallFlags&)>;

// Sends the command, prints the reply; exit 6 on an error reply (4 for NOAUTH/NOPERM).
int run_call(Context& ctx, const CallFlags& f);

// Adds `call` to `app`; parsing it sets ctx.run to call `run` with the parsed flags.
void register_call(CLI::App& app, Context& ctx, CallRun run);

}  // namespace rctl::commands
