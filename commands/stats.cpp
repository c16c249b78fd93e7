// rctl stats: INFO made readable, once or every interval with --watch.

#include "stats.hpp"

#include "client/options.hpp"
#include "stats/stats.hpp"
#include "stats/render.hpp"
#include "util/atomic_file.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>

#include <fmt/format.h>

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

// The `addr` label a node of this target would carry, for a target that never answered.
std::string stats_addr_label(const client::ConnectionOptions& o) {
  if (o.endpoint.transport == net::Transport::unix_socket) return "unix:" + o.endpoint.socket_path;
  return fmt::format("{}:{}", o.endpoint.host, o.endpoint.port);
}

// Prometheus output goes to stdout, or with --textfile replaces that file in one step so that
// node_exporter never reads half of it.
void emit_stats(Context& ctx, const StatsFlags& f, const stats::StatsReport& report) {
  auto doc = stats::render_stats(report);
  if (f.textfile.empty()) return ctx.printer().emit(doc);
  if (auto written = util::write_file_atomically(f.textfile, doc.prometheus.value_or("")); !written)
    throw Failure(written.error());
}

// An unreachable server is a sample too, as exporters report it: `redis_up 0`, then the error
// and its exit code (3), so that an alert on redis_up fires instead of the scrape going stale.
int stats_once(Context& ctx, const StatsFlags& f) {
  if (ctx.printer().format() != output::Format::prometheus) {
    emit_stats(ctx, f, sample(ctx.connect()));
    return 0;
  }
  std::optional<Error> down;
  try {
    emit_stats(ctx, f, sample(ctx.connect()));
    return 0;
  } catch (const Failure& failure) {
    auto kind = failure.error().kind;
    if (kind != ErrorKind::connect && kind != ErrorKind::timeout) throw;
    down = failure.error();
  }
  stats::StatsReport report;
  auto options = ctx.connection_options(config::Role::general);
  report.target = client::describe(options);
  stats::NodeStats node;
  node.address = stats_addr_label(options);
  node.error = *down;
  report.nodes.push_back(std::move(node));
  emit_stats(ctx, f, report);
  ctx.printer().error_line(*down);
  return static_cast<int>(exit_code_for(down->kind));
}

}  // namespace

int run_stats(Context& ctx, const StatsFlags& f) {
  auto& printer = ctx.printer();
  if (f.watch.empty()) {
    if (f.count) throw Failure(ErrorKind::usage, "--count needs --watch");
    if (!f.textfile.empty() && printer.format() != output::Format::prometheus)
      throw Failure(ErrorKind::usage, "--textfile writes the Prometheus text format", "drop -o, or use -o prometheus");
    return stats_once(ctx, f);
  }
  if (!f.textfile.empty()) throw Failure(ErrorKind::usage, "--textfile writes one sample; it does not support --watch");
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
  ctx.formats().accept_also(*cmd, {output::Format::prometheus});
  cmd->add_option("--watch", f->watch, "Print one line of rates every interval until Ctrl-C")->type_name("DUR");
  cmd->add_option("--count", f->count, "With --watch: stop after N lines")
      ->type_name("N")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--textfile", f->textfile,
                  "Write the Prometheus text to PATH atomically (for node_exporter's textfile collector)")
      ->type_name("PATH");
  cmd->callback([&ctx, f, run] {
    // --textfile is Prometheus output; -o given with it must say the same (checked in run).
    if (!f->textfile.empty() && ctx.options().output.empty()) ctx.options().output = "prometheus";
    ctx.run = [&ctx, f, run] { return run(ctx, *f); };
  });
}

}  // namespace rctl::commands
