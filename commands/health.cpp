// rctl health: reachability, TLS, auth, latency, replication, memory, cluster state.

#include "health.hpp"

#include "health/health.hpp"
#include "health/render.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>

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

// Errors that waiting cannot clear: a wrong password, missing ACL rights, a certificate that
// does not verify, plaintext sent to a TLS port (the server closes before any reply, and the
// connection says so in its hint). Refused connections, timeouts and LOADING can clear.
bool cannot_clear(const Error& e) {
  switch (e.kind) {
    case ErrorKind::usage:
    case ErrorKind::auth:
    case ErrorKind::permission:
    case ErrorKind::tls: return true;
    case ErrorKind::connect: return e.hint.starts_with("the server may require TLS");
    default: return false;
  }
}

bool ready(const health::HealthReport& r, bool strict) {
  return r.level == health::Level::ok || (!strict && r.level == health::Level::warning);
}

}  // namespace

int run_health(Context& ctx, const HealthFlags& f) {
  auto& printer = ctx.printer();
  health::HealthOptions options;
  options.samples = f.samples;
  auto ms = [](const std::string& text, std::string_view flag) {
    return value_or_throw(util::parse_duration_ms(text, flag));
  };
  auto& t = options.thresholds;
  t.latency_warn_ms = ms(f.latency_warn, "--latency-warn");
  t.latency_crit_ms = ms(f.latency_crit, "--latency-crit");
  t.memory_warn_pct = f.memory_warn;
  t.memory_crit_pct = f.memory_crit;
  t.lag_warn_s = ms(f.lag_warn, "--lag-warn") / 1000.0;
  t.lag_crit_s = ms(f.lag_crit, "--lag-crit") / 1000.0;
  // Name the pair: a bare number is seconds, so `--latency-warn 20` is 20s, above 500ms.
  auto ordered = [](double warn, double crit, std::string_view name, const std::string& warn_text,
                    const std::string& crit_text) {
    if (warn > crit)
      throw Failure(ErrorKind::usage,
                    fmt::format("--{}-warn {} is above --{}-crit {}", name, warn_text, name, crit_text),
                    "a bare number is seconds: give a unit (250ms, 5s) and keep warn at or below crit");
  };
  ordered(t.latency_warn_ms, t.latency_crit_ms, "latency", f.latency_warn, f.latency_crit);
  ordered(t.memory_warn_pct, t.memory_crit_pct, "memory", fmt::format("{}", f.memory_warn),
          fmt::format("{}", f.memory_crit));
  ordered(t.lag_warn_s, t.lag_crit_s, "lag", f.lag_warn, f.lag_crit);
  // Days left: fewer is worse, so warn is the larger number.
  if (f.cert_warn_days < f.cert_crit_days)
    throw Failure(ErrorKind::usage,
                  fmt::format("--cert-warn-days {} is below --cert-crit-days {}", f.cert_warn_days, f.cert_crit_days),
                  "warn earlier than critical: --cert-warn-days 21 --cert-crit-days 7");
  t.cert_warn_days = f.cert_warn_days;
  t.cert_crit_days = f.cert_crit_days;
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
    bool hopeless = error ? cannot_clear(*error)
                          : std::any_of(report->nodes.begin(), report->nodes.end(),
                                        [](const health::NodeHealth& n) { return n.error && cannot_clear(*n.error); });
    if (done || now >= deadline || util::interrupted() || hopeless) {
      if (util::interrupted()) throw Failure(ErrorKind::interrupted, "interrupted while waiting for the server");
      if (report) {
        printer.emit(health::render_health(*report, options));
        return exit_status(*report, printer.format(), f.strict);
      }
      // A server that is down or refuses us is CRITICAL; a check that could not be made as
      // asked (`--cluster` against a standalone server, a bug) is UNKNOWN, via main().
      if (nagios && error->kind != ErrorKind::usage && error->kind != ErrorKind::internal) {
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
  ctx.formats().accept_also(*cmd, {output::Format::nagios});
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
  cmd->add_option("--cert-warn-days", f->cert_warn_days, "TLS certificate expiry that warns, in days (default 21)")
      ->type_name("N")
      ->check(CLI::Range(0, 3650));
  cmd->add_option("--cert-crit-days", f->cert_crit_days, "TLS certificate expiry that is critical, in days (default 7)")
      ->type_name("N")
      ->check(CLI::Range(0, 3650));
  cmd->add_flag("--strict", f->strict, "Treat warnings as failures (exit 1)");
  cmd->callback([&ctx, f, run] { ctx.run = [&ctx, f, run] { return run(ctx, *f); }; });
}

}  // namespace rctl::commands
