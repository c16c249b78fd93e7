// rctl slowlog: the slow log of every node as one timeline, grouped by command on request,
// reset after showing, or followed with --watch.

#include "confirm.hpp"
#include "context.hpp"
#include "progress.hpp"

#include "client/options.hpp"
#include "slowlog/render.hpp"
#include "slowlog/slowlog.hpp"
#include "util/duration.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace rctl::commands {

namespace {

struct SlowlogFlags {
  std::int64_t limit = 128;
  std::string since, min, watch;
  bool full = false, group = false, reset = false, dry_run = false, yes = false;
};

constexpr const char* k_reset_what = "empty the slow log (SLOWLOG RESET) on every node shown";

// A report in which no node answered SLOWLOG is a failure: the first node's error decides
// the exit code (a permission refusal is 4, an unreachable node 3).
slowlog::Report slowlog_sample(cluster::Client& target, const slowlog::Options& options) {
  auto report = slowlog::collect(target, options);
  if (slowlog::none_answered(report)) throw Failure(*report.nodes.front().error);
  return report;
}

void warn_node_errors(output::Printer& printer, const slowlog::Report& report) {
  for (const auto& n : report.nodes)
    if (n.error) printer.warning(fmt::format("{}: {}", n.address, n.error->message));
}

int slowlog_watch(Context& ctx, const SlowlogFlags& f, const slowlog::Options& options,
                  const slowlog::RenderOptions& render) {
  auto interval = duration_flag(f.watch, "--watch");
  if (interval.count() < 100) throw Failure(ErrorKind::usage, "--watch interval must be at least 100ms");
  util::install_interrupt_handler();
  auto& printer = ctx.printer();
  auto& target = ctx.connect();
  auto report = slowlog_sample(target, options);
  slowlog::Watermarks marks;
  (void)marks.take_new(report.entries, report.nodes);
  printer.emit_line(slowlog::render_report(report, render));
  warn_node_errors(printer, report);
  while (true) {
    util::sleep_interruptible(interval.count());
    if (util::interrupted()) break;
    auto poll = slowlog::collect(target, options);
    auto fresh = marks.take_new(poll.entries, poll.nodes);
    // A node that fails is said once, when it starts failing, and again when it is back:
    // a watch that goes quiet must not look like a calm server.
    for (const auto& n : fresh.failed)
      printer.warning(
          fmt::format("{}: {}; its new entries are not shown until it answers again", n.address, n.error->message));
    for (const auto& address : fresh.recovered) printer.warning(fmt::format("{}: answers again", address));
    for (const auto& [address, count] : fresh.missed)
      printer.warning(
          fmt::format("{}: {} entr{} came and went between two polls unread (more than --limit {} new, "
                      "or dropped by slowlog-max-len); poll more often or raise --limit",
                      address, count, count == 1 ? "y" : "ies", options.limit));
    const bool news_for_json = !fresh.failed.empty() || !fresh.recovered.empty() || !fresh.missed.empty();
    if (!fresh.entries.empty() || (news_for_json && printer.format() == output::Format::json))
      printer.emit_line(slowlog::render_poll(fresh, poll.taken, render));
  }
  return interrupted_exit(printer, "interrupted; every entry seen until then was printed");
}

int run_slowlog(Context& ctx, const SlowlogFlags& f) {
  slowlog::Options options;
  options.limit = f.limit;
  if (!f.since.empty()) {
    auto since = duration_flag(f.since, "--since");
    options.since_s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch() - since)
            .count();
  }
  if (!f.min.empty())
    options.min_us = static_cast<std::int64_t>(value_or_throw(util::parse_duration_ms(f.min, "--min")) * 1000.0);
  slowlog::RenderOptions render{f.full, f.group};
  if (!f.watch.empty()) {
    if (f.reset) throw Failure(ErrorKind::usage, "--reset empties the log once; it does not go with --watch");
    return slowlog_watch(ctx, f, options, render);
  }
  if (f.dry_run && !f.reset) throw Failure(ErrorKind::usage, "--dry-run goes with --reset");
  if (f.reset && !f.dry_run) require_confirmable(k_reset_what, f.yes);
  auto& printer = ctx.printer();
  auto& target = ctx.connect();
  auto report = slowlog_sample(target, options);
  if (!f.reset || f.dry_run) {
    printer.emit(slowlog::render_report(report, render));
    warn_node_errors(printer, report);
    if (f.dry_run)
      printer.note(fmt::format("dry run: --reset would empty the slow log of {} node(s)",
                               std::count_if(report.nodes.begin(), report.nodes.end(),
                                             [](const slowlog::NodeResult& n) { return !n.error; })));
    return 0;
  }
  // The report is shown before asking, so the reset empties what the user has seen; in JSON
  // the report then also says which nodes were reset, so it is printed once, afterwards.
  if (printer.format() == output::Format::table && !f.yes) {
    printer.emit(slowlog::render_report(report, render));
    confirm_destructive(k_reset_what, f.yes);
    slowlog::reset(target, report);
    output::Document after;
    for (const auto& n : report.nodes)
      if (n.reset) after.blocks.emplace_back(output::Text{n.address + ": slow log reset", output::Tone::dim});
    printer.emit(after);
  } else {
    confirm_destructive(k_reset_what, f.yes);
    slowlog::reset(target, report);
    printer.emit(slowlog::render_report(report, render));
  }
  warn_node_errors(printer, report);
  for (const auto& n : report.nodes)
    if (n.reset_error)
      return failed_exit(printer, *n.reset_error,
                         fmt::format("{}: SLOWLOG RESET failed: {}", n.address, n.reset_error->message));
  return 0;
}

}  // namespace

void register_slowlog(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<SlowlogFlags>();
  auto* cmd = app.add_subcommand(
      "slowlog", "The slow log of every node (primaries and replicas) as one timeline, with LATENCY LATEST");
  cmd->add_option("--limit", f->limit, "Entries read per node (SLOWLOG GET count; default 128)")
      ->type_name("N")
      ->check(CLI::Range(std::int64_t{1}, slowlog::k_max_limit));
  cmd->add_option("--since", f->since, "Only entries from the last DUR (e.g. 15m)")->type_name("DUR");
  cmd->add_option("--min", f->min, "Only entries at least this slow (e.g. 10ms, 500us as 0.5ms)")->type_name("DUR");
  cmd->add_flag("--full", f->full, "Show whole command lines (tables cut long arguments; JSON has them all)");
  cmd->add_flag("--group", f->group, "Aggregate by command name: count, total, p99 and max time");
  cmd->add_flag("--reset", f->reset, "After showing, empty the slow log of every node shown (asks first)");
  cmd->add_flag("--dry-run", f->dry_run, "With --reset: show, and say what would be reset, without resetting");
  cmd->add_flag("-y,--yes", f->yes, "Do not ask before --reset (required when stdin is not a terminal)");
  cmd->add_option("--watch", f->watch, "Poll every DUR and print only new entries (and what was missed) until Ctrl-C")
      ->type_name("DUR");
  cmd->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_slowlog(ctx, *f); }; });
}

}  // namespace rctl::commands
