// rctl latency: PING round trips per node, interval by interval, with a summary and histogram
// at the end; --doctor for what the server's latency monitor recorded.

#include "context.hpp"

#include "latency/latency.hpp"
#include "latency/render.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>

namespace rctl::commands {

namespace {

struct LatencyFlags {
  std::string interval = "1s";
  int count = 0;  // 0: until Ctrl-C
  bool doctor = false;
};

int run_latency_doctor(Context& ctx) {
  auto report = latency::doctor(ctx.connect());
  ctx.printer().emit(latency::render_doctor(report));
  auto failed = std::find_if(report.nodes.begin(), report.nodes.end(), [](const auto& n) { return n.error; });
  if (failed == report.nodes.end()) return 0;
  ctx.printer().error_line(*failed->error);
  return static_cast<int>(exit_code_for(failed->error->kind));
}

int run_latency(Context& ctx, const LatencyFlags& f) {
  if (f.doctor) return run_latency_doctor(ctx);
  auto interval = duration_flag(f.interval, "--interval");
  if (interval < util::Millis{100} || interval > util::Millis{3600 * 1000})
    throw Failure(ErrorKind::usage, "--interval must be between 100ms and 1h");
  util::install_interrupt_handler();
  latency::Sampler sampler(ctx.connect());
  auto& printer = ctx.printer();
  for (int done = 0; f.count == 0 || done < f.count; ++done) {
    printer.emit_line(latency::render_interval(sampler.sample(interval)));
    if (util::interrupted()) break;
  }
  auto summary = sampler.summary(util::interrupted());
  auto doc = latency::render_summary(summary);
  // JSON lines: the summary is one more line; a table gets its blank-line-separated blocks.
  if (printer.format() == output::Format::json) printer.emit_line(doc);
  else printer.emit(doc);
  if (summary.interrupted) return static_cast<int>(ExitCode::interrupted);
  bool any = std::any_of(summary.nodes.begin(), summary.nodes.end(), [](const auto& n) { return n.stats.samples > 0; });
  if (!any && !summary.nodes.empty() && summary.nodes.front().error) {
    printer.error_line(*summary.nodes.front().error);
    return static_cast<int>(exit_code_for(summary.nodes.front().error->kind));
  }
  return 0;
}

}  // namespace

void register_latency(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<LatencyFlags>();
  auto* cmd = app.add_subcommand("latency", "PING round trips of every node per interval, with a histogram at the end");
  auto* interval =
      cmd->add_option("--interval", f->interval, "Length of one measuring interval (default 1s)")->type_name("DUR");
  auto* count = cmd->add_option("--count", f->count, "Stop after N intervals (default: until Ctrl-C)")
                    ->type_name("N")
                    ->check(CLI::Range(1, 1000000));
  cmd->add_flag("--doctor", f->doctor, "Show LATENCY DOCTOR and LATENCY HISTORY of every node instead")
      ->excludes(interval)
      ->excludes(count);
  cmd->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_latency(ctx, *f); }; });
}

}  // namespace rctl::commands
