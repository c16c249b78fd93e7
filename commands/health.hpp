#pragma once
// `rctl health`: its flags and the seam between parsing and running (see stats.hpp): the
// three-argument register_health takes the function that runs the parsed command.

#include "context.hpp"

#include <functional>
#include <string>

namespace rctl::commands {

// Thresholds stay text until run_health parses them, so a bad one is a usage error there.
struct HealthFlags {
  std::string wait;
  int samples = 5;
  std::string latency_warn = "100ms", latency_crit = "500ms";
  double memory_warn = 80, memory_crit = 95;
  std::string lag_warn = "10s", lag_crit = "60s";
  int cert_warn_days = 21, cert_crit_days = 7;  // TLS certificate expiry
  bool strict = false;
};

using HealthRun = std::function<int(Context&, const HealthFlags&)>;

// Checks once (or until healthy with --wait), prints, returns the exit code.
int run_health(Context& ctx, const HealthFlags& f);

// Adds `health` to `app`; parsing it sets ctx.run to call `run` with the parsed flags.
void register_health(CLI::App& app, Context& ctx, HealthRun run);

}  // namespace rctl::commands
