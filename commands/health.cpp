// rctl health: reachability, TLS, auth, latency, replication, memory, cluster state.

#include "health.hpp"

#include "health/health.hpp"
#include "health/render.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace rctl::commands {

namespace {

int nagios_code(health::Level level) {
  return level == health::Level::ok ? 0 : level == health::Level::warning ? 1 : 2;
}

// Exit status: nagios has its own scale; otherwise critical (or warning with --strict) is 1.
int exit_status(const health::HealthReport& r, output::Format format, bool strict) {
  if (format == output::Format::nagios) return nagios_code(r.level);
  if (r.level == health::Level::critical || (strict && r.level == health::Level::warning)) return 1;
  return 0;
}

bool ready(const health::HealthReport& r, bool strict) {
  return r.level == health::Level::ok || (!strict && r.level == health::Level::warning);
}

}  // namespace

int run_health(Context& ctx, const HealthFlags& f) {
  ctx.require_format({output::Format::table, output::Format::json, output::Format::nagios}, "health");
  ctx.nagios_exit_codes = true;
  auto& printer = ctx.printer();
  health::HealthOptions options;
  options.samples = f.samples;
  options.thresholds.latency_warn_ms = static_cast<double>(duration_flag(f.latency_warn, "--latency-warn").count());
  options.thresholds.latency_crit_ms = static_cast<double>(duration_flag(f.latency_crit, "--latency-crit").count());
  options.thresholds.memory_warn_pct = f.memory_warn;
  options.thresholds.memory_crit_pct = f.memory_crit;
  options.thresholds.lag_warn_s = static_cast<double>(duration_flag(f.lag_warn, "--lag-warn").count()) / 1000.0;
  options.thresholds.lag_crit_s = static_cast<double>(duration_flag(f.lag_crit, "--lag-crit").count()) / 1000.0;
  if (options.thresholds.latency_warn_ms > options.thresholds.latency_crit_ms ||
      options.thresholds.memory_warn_pct > options.thresholds.memory_crit_pct ||
      options.thresholds.lag_warn_s > options.thresholds.lag_crit_s)
    throw Failure(ErrorKind::usage, "a warning threshold is above its critical threshold");
  bool nagios = printer.format() == output::Format::nagios;

  auto connect = ctx.connector(config::Role::general);
  auto deadline =
      std::chrono::steady_clock::now() + (f.wait.empty() ? util::Millis(0) : duration_flag(f.wait, "--wait"));
  if (!f.wait.empty()) util::install_interrupt_handler();
  long pause_ms = 100;
  for (int attempt = 1;; ++attempt) {
    options.started = std::chrono::steady_clock::now();  // the check's time includes connecting
    auto client = connect();
    std::optional<health::HealthReport> report;
    std::optional<Error> error;
    if (client) report = health::check_health(**client, options);
    else error = client.error();
    bool done = report ? ready(*report, f.strict) : false;
    auto now = std::chrono::steady_clock::now();
    if (done || now >= deadline || util::interrupted()) {
      if (util::interrupted()) throw Failure(ErrorKind::interrupted, "interrupted while waiting for the server");
      if (report) {
        printer.emit(health::render_health(*report, options));
        return exit_status(*report, printer.format(), f.strict);
      }
      if (nagios) {
        auto r = health::unreachable_report(ctx.connection_options(config::Role::general), *error);
        printer.emit(health::render_health(r, options));
        return 2;
      }
      throw Failure(*error);
    }
    auto left = std::chrono::duration_cast<util::Millis>(deadline - now);
    printer.note(
        fmt::format("waiting ({}): {} ({} left)", attempt,
                    report ? std::string("not healthy yet: ") + health::to_string(report->level) : error->message,
                    util::format_duration(left)));
    util::sleep_interruptible(std::min<long>(pause_ms, left.count()));
    pause_ms = std::min<long>(pause_ms * 2, 1000);
  }
}

void register_health(CLI::App& app, Context& ctx) {
  register_health(app, ctx, [](Context& c, const HealthFlags& f) { return run_health(c, f); });
}

void register_health(CLI::App& app, Context& ctx, HealthRun run) {
  auto f = std::make_shared<HealthFlags>();
  auto* cmd = app.add_subcommand("health", "Check reachability, latency, memory, replication and cluster state");
  cmd->add_option("--wait", f->wait, "Retry until healthy or until this much time has passed (CI readiness)")
      ->type_name("DUR");
  cmd->add_option("--samples", f->samples, "PINGs per node for latency figures")
      ->type_name("N")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--latency-warn", f->latency_warn, "PING p99 that warns (default 100ms)")->type_name("DUR");
  cmd->add_option("--latency-crit", f->latency_crit, "PING p99 that is critical (default 500ms)")->type_name("DUR");
  cmd->add_option("--memory-warn", f->memory_warn, "Percent of maxmemory that warns (default 80)")
      ->type_name("PCT")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--memory-crit", f->memory_crit, "Percent of maxmemory that is critical (default 95)")
      ->type_name("PCT")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--lag-warn", f->lag_warn, "Replication lag that warns (default 10s)")->type_name("DUR");
  cmd->add_option("--lag-crit", f->lag_crit, "Replication lag that is critical (default 60s)")->type_name("DUR");
  cmd->add_flag("--strict", f->strict, "Treat warnings as failures (exit 1)");
  cmd->callback([&ctx, f, run] { ctx.run = [&ctx, f, run] { return run(ctx, *f); }; });
}

}  // namespace rctl::commands
