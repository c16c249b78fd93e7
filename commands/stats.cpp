// rctl stats: INFO made readable, once or every interval with --watch.

#include "stats.hpp"

#include "stats/stats.hpp"
#include "stats/render.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>

namespace rctl::commands {

namespace {

// A sample in which no node answered is a failure, not a report: the first node's error
// decides the exit code (a partly unreachable cluster is still reported, with redis_up 0).
stats::StatsReport sample(cluster::Client& target) {
  auto report = stats::collect_stats(target);
  bool any = std::any_of(report.nodes.begin(), report.nodes.end(), [](const stats::NodeStats& n) { return !n.error; });
  if (!any && !report.nodes.empty()) throw Failure(*report.nodes.front().error);
  return report;
}

}  // namespace

int run_stats(Context& ctx, const StatsFlags& f) {
  ctx.require_format({output::Format::table, output::Format::json, output::Format::prometheus}, "stats");
  auto& printer = ctx.printer();
  if (f.watch.empty()) {
    if (f.count) throw Failure(ErrorKind::usage, "--count needs --watch");
    auto& target = ctx.connect();
    printer.emit(stats::render_stats(sample(target)));
    return 0;
  }
  if (printer.format() == output::Format::prometheus)
    throw Failure(ErrorKind::usage, "--watch prints rates over time; it does not support -o prometheus",
                  "scrape `rctl stats -o prometheus` instead");
  auto interval = duration_flag(f.watch, "--watch");
  if (interval.count() < 100) throw Failure(ErrorKind::usage, "--watch interval must be at least 100ms");
  util::install_interrupt_handler();
  auto& target = ctx.connect();
  auto previous = sample(target);
  for (int printed = 0; f.count == 0 || printed < f.count; ++printed) {
    util::sleep_interruptible(interval.count());
    if (util::interrupted()) break;
    auto current = stats::collect_stats(target);
    auto doc = stats::render_watch(stats::compute_rates(previous, current), current.taken);
    printer.emit_line(doc);
    previous = std::move(current);
  }
  return util::interrupted() ? 130 : 0;
}

void register_stats(CLI::App& app, Context& ctx) {
  register_stats(app, ctx, [](Context& c, const StatsFlags& f) { return run_stats(c, f); });
}

void register_stats(CLI::App& app, Context& ctx, StatsRun run) {
  auto f = std::make_shared<StatsFlags>();
  auto* cmd = app.add_subcommand("stats", "Server statistics: ops/s, hit rate, memory, clients, keyspace, commands");
  cmd->add_option("--watch", f->watch, "Print one line of rates every interval until Ctrl-C")->type_name("DUR");
  cmd->add_option("--count", f->count, "With --watch: stop after N lines")
      ->type_name("N")
      ->check(CLI::Range(1, 1000000));
  cmd->callback([&ctx, f, run] { ctx.run = [&ctx, f, run] { return run(ctx, *f); }; });
}

}  // namespace rctl::commands
