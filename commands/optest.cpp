// rctl test: operation tests per capability group, with a verdict each, on a scratch
// namespace that is removed afterwards.

#include "cli_model.hpp"
#include "context.hpp"
#include "progress.hpp"

#include "optest/optest.hpp"
#include "optest/render.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>

namespace rctl::commands {

namespace {

constexpr int k_max_iterations = 1'000'000;
constexpr auto k_progress_every = std::chrono::milliseconds(100);

struct TestFlags {
  std::string only, skip;
  CLI::Option* only_option = nullptr;
  CLI::Option* skip_option = nullptr;
  int iterations = 1;
  bool strict = false;
  bool keep = false;
};

std::optional<std::string> given(const CLI::Option* option, const std::string& value) {
  return option && option->count() > 0 ? std::optional<std::string>(value) : std::nullopt;
}

int run_test(Context& ctx, const TestFlags& f) {
  optest::TestOptions options;
  options.groups =
      value_or_throw(optest::select_test_groups(given(f.only_option, f.only), given(f.skip_option, f.skip)));
  options.iterations = f.iterations;
  options.strict = f.strict;
  options.keep = f.keep;
  auto& printer = ctx.printer();
  // Installed before connecting: from here on Ctrl-C means "stop and clean up".
  util::install_interrupt_handler();
  auto& target = ctx.connect();
  ProgressLine progress(printer);
  // Called per iteration: the line is only built when it may be shown (ProgressLine shows
  // at most one every 200 ms).
  auto last = std::chrono::steady_clock::now();
  auto report = optest::run_operation_tests(
      target, options, [&](const std::string& node, std::string_view group, std::string_view op, int iteration) {
        auto now = std::chrono::steady_clock::now();
        if (now - last < k_progress_every) return;
        last = now;
        auto line = fmt::format("testing {} {}/{}", node, group, op);
        if (options.iterations > 1) line += fmt::format(" ({}/{})", iteration, options.iterations);
        progress.update(line);
      });
  progress.finish();
  printer.emit(optest::render_test_report(report));
  for (const auto& n : report.nodes)
    if (n.cleanup.error)
      printer.error_line(
          {n.cleanup.error->kind, fmt::format("{}: cleanup failed: {}", n.address, n.cleanup.error->message),
           fmt::format("remove the run's keys with: rctl cache invalidate '{}' --yes", n.key_namespace)});
  if (report.interrupted) {
    printer.error_line({ErrorKind::interrupted, "interrupted: the results are partial",
                        options.keep ? "the keys were kept (--keep)" : "the keys written so far were removed"});
  } else if (f.keep) {
    for (const auto& n : report.nodes)
      printer.note(fmt::format("keys kept under {} on {}", n.key_namespace, n.address));
  }
  return optest::test_exit_status(report);
}

std::string group_list() {
  std::string out = "Groups (in run order):\n";
  for (const auto& g : optest::test_groups()) out += fmt::format("  {:<13} {}\n", g.name, g.summary);
  return out;
}

}  // namespace

void register_test(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<TestFlags>();
  auto* cmd =
      app.add_subcommand("test", "Operation tests: a verdict (pass/fail/unsupported) and latency per capability");
  cmd->footer(group_list());
  std::vector<std::string> names;
  for (const auto& g : optest::test_groups()) names.emplace_back(g.name);
  f->only_option = cmd->add_option("--only", f->only, "Run only these groups (comma list)")
                       ->type_name("G,..")
                       ->check(comma_list_choices(names));
  f->skip_option = cmd->add_option("--skip", f->skip, "Skip these groups (comma list)")
                       ->type_name("G,..")
                       ->check(comma_list_choices(names));
  cmd->add_option("--iterations", f->iterations, "Runs of each operation, for latency figures (default 1)")
      ->type_name("N")
      ->check(CLI::Range(1, k_max_iterations));
  cmd->add_flag("--strict", f->strict, "Treat unsupported groups as failures (exit 1)");
  cmd->add_flag("--keep", f->keep, "Leave the test keys in place for inspection");
  cmd->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_test(ctx, *f); }; });
}

}  // namespace rctl::commands
