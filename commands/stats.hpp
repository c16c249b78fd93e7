#pragma once
// `rctl stats`: its flags and the seam between parsing and running. Like gh's run functions,
// the three-argument register_stats takes the function that runs the parsed command, so a
// test can parse a command line and look at the flags without connecting to anything.

#include "context.hpp"

#include <functional>
#include <string>

namespace rctl::commands {

struct StatsFlags {
  std::string watch;  // --watch DUR; empty for one report
  int count = 0;  // --count N with --watch; 0 for until Ctrl-C
  std::string textfile;  // --textfile PATH: write the Prometheus text there, atomically
};

using StatsRun = std::function<int(Context&, const StatsFlags&)>;

// Samples once (or every --watch interval), prints, returns the exit code.
int run_stats(Context& ctx, const StatsFlags& f);

// Adds `stats` to `app`; parsing it sets ctx.run to call `run` with the parsed flags.
void register_stats(CLI::App& app, Context& ctx, StatsRun run);

}  // namespace rctl::commands
