// rctl ratelimit probe: prove that a rate limit holds on this Redis, under concurrency.

#include "context.hpp"

#include "ratelimit/probe.hpp"
#include "ratelimit/render.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace rctl::commands {

namespace {

struct ProbeFlags {
  std::string limit, strategy, key;
  std::optional<std::int64_t> hits;
  int concurrency = 1;
  bool dry_run = false;
};

int run_probe(Context& ctx, const ProbeFlags& f) {
  ratelimit::ProbeOptions o;
  if (!f.limit.empty()) o.limits = value_or_throw(ratelimit::parse_limits(f.limit));
  if (!f.strategy.empty()) {
    o.strategy = ratelimit::parse_probe_strategy(f.strategy);
    if (!o.strategy)
      throw Failure(ErrorKind::usage, fmt::format("invalid --strategy '{}'", f.strategy),
                    "use fixed, moving or sliding");
  }
  if (!f.key.empty()) o.key = f.key;
  o.hits = f.hits;
  o.concurrency = f.concurrency;
  o.dry_run = f.dry_run;
  if (f.dry_run && f.concurrency > 1)
    throw Failure(ErrorKind::usage, "--dry-run sends no hits, so --concurrency does not apply");
  if (!o.key && o.limits.empty()) throw Failure(ErrorKind::usage, "--limit is required", "e.g. --limit 20/minute");
  if (!o.key && !o.strategy)
    throw Failure(ErrorKind::usage, "--strategy is required for a scratch key",
                  "fixed, moving or sliding: the strategy the application's limiter uses");
  auto& target = ctx.connect(config::Role::ratelimit);
  auto plans = ratelimit::plan_probe(target, o);
  util::install_interrupt_handler();
  auto report = ratelimit::run_probe(target, plans, o);
  auto& printer = ctx.printer();
  printer.emit(ratelimit::render_probe(report));
  if (const auto* error = report.first_error()) {
    printer.error_line(*error);
    return static_cast<int>(exit_code_for(error->kind));
  }
  if (report.interrupted) {
    printer.error_line({ErrorKind::interrupted, "interrupted; scratch keys were deleted", {}});
    return static_cast<int>(ExitCode::interrupted);
  }
  return report.passed() ? 0 : static_cast<int>(ExitCode::check_failed);
}

}  // namespace

void register_ratelimit_probe(CLI::App& group, Context& ctx) {
  auto f = std::make_shared<ProbeFlags>();
  auto* probe = group.add_subcommand(
      "probe",
      "Hit a limit with the limits library's own atomic Lua steps, from C connections at once, and check that "
      "exactly the limit got through (exit 1 otherwise). Runs on a scratch key rctl:probe:{id}:... that is "
      "deleted afterwards; with --key it consumes the application's real budget for that key");
  probe->add_option("--limit", f->limit, "The limit, e.g. 20/minute, '5 per 10 seconds', '10/hour;100/day'")
      ->type_name("SPEC");
  probe
      ->add_option("--strategy", f->strategy,
                   "fixed, moving or sliding (limits' fixed-window, moving-window, "
                   "sliding-window-counter); derived from --key when it can be")
      ->type_name("NAME");
  probe
      ->add_option("--key", f->key,
                   "Probe the application's own key instead of a scratch key: the hits CONSUME ITS REAL BUDGET "
                   "(clients of that key get 429s until the window frees them); see --dry-run")
      ->type_name("KEY");
  probe->add_option("--hits", f->hits, "Hits to send (default: twice the amount)")
      ->type_name("N")
      ->check(CLI::Range(std::int64_t{1}, ratelimit::k_max_probe_hits));
  probe->add_option("--concurrency", f->concurrency, "Connections sending hits at once (default 1)")
      ->type_name("C")
      ->check(CLI::Range(1, ratelimit::k_max_probe_concurrency));
  probe->add_flag("--dry-run", f->dry_run, "Read the key and compute how many hits would get through; send none");
  probe->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_probe(ctx, *f); }; });
}

}  // namespace rctl::commands
