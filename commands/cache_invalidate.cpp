// rctl cache invalidate PREFIX: SCAN + UNLINK on every primary, with dry run, confirmation,
// rate limit, progress and a report.

#include "confirm.hpp"
#include "context.hpp"
#include "progress.hpp"

#include "client/options.hpp"
#include "cache/invalidate.hpp"
#include "util/duration.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace rctl::commands {

namespace {

struct InvalidateFlags {
  std::string prefix;
  bool dry_run = false, yes = false, all_keys = false;
  std::size_t batch = cache::k_default_batch;
  double max_rate = 0;
  std::size_t sample = cache::k_default_sample;
};

std::string progress_text(const cache::InvalidateReport& r) {
  double rate = r.seconds > 0 ? static_cast<double>(r.dry_run ? r.matched() : r.deleted()) / r.seconds : 0;
  return fmt::format("{} {} keys on {} node(s), {} scans, {:.1f}s, {} keys/s", r.dry_run ? "matched" : "deleted",
                     util::format_count(static_cast<std::int64_t>(r.dry_run ? r.matched() : r.deleted())),
                     r.nodes.size(), util::format_count(static_cast<std::int64_t>(r.scan_calls())), r.seconds,
                     util::format_count(static_cast<std::int64_t>(rate)));
}

int run_invalidate(Context& ctx, const InvalidateFlags& f) {
  if (f.prefix.empty() && !f.all_keys)
    throw Failure(ErrorKind::usage, "an empty prefix matches every key",
                  "pass --all-keys if you really mean to delete the whole keyspace");
  if (!f.prefix.empty() && f.all_keys) throw Failure(ErrorKind::usage, "--all-keys takes no prefix");
  auto& printer = ctx.printer();
  auto& target = ctx.connect();
  cache::InvalidateOptions options;
  options.prefix = f.prefix;
  options.dry_run = f.dry_run;
  options.batch = f.batch;
  options.sample = f.sample;
  if (f.max_rate > 0) options.max_rate = f.max_rate;
  if (!f.dry_run)
    confirm_destructive(
        fmt::format("delete every key starting with '{}' on {} primar{} of {}", f.prefix, target.primaries().size(),
                    target.primaries().size() == 1 ? "y" : "ies", client::describe(target.seed_options())),
        f.yes);
  auto report = with_progress(
      printer, [](const cache::InvalidateReport& r) { return progress_text(r); },
      [&](const auto& on_progress) { return cache::invalidate_prefix(target, options, on_progress); });
  printer.emit(cache::render_invalidate(report));
  if (report.interrupted) {
    return interrupted_exit(
        printer,
        fmt::format(
            "interrupted after {} {} keys", report.dry_run ? "matching" : "deleting",
            util::format_count(static_cast<std::int64_t>(report.dry_run ? report.matched() : report.deleted()))),
        "run the same command again to finish: keys already deleted are not scanned twice");
  }
  for (const auto& n : report.nodes)
    if (n.error) {
      auto unknown = report.outcome_unknown();
      return failed_exit(
          printer, *n.error,
          fmt::format("{}: {} (after {} keys deleted in all{})", n.address, n.error->message,
                      util::format_count(static_cast<std::int64_t>(report.deleted())),
                      unknown == 0 ? std::string()
                                   : fmt::format(", and {} more whose outcome is unknown",
                                                 util::format_count(static_cast<std::int64_t>(unknown)))),
          after_failed_delete_hint(*n.error, "nothing outside the prefix was touched"));
    }
  if (!report.incomplete_reason.empty()) {
    printer.error_line({ErrorKind::check_failed,
                        fmt::format("incomplete: keys under the prefix may remain, slots moved between primaries ({})",
                                    report.incomplete_reason),
                        "run the same command again once the slot migration is over"});
    return static_cast<int>(ExitCode::check_failed);
  }
  return 0;
}

}  // namespace

void register_cache_invalidate(CLI::App& cache, Context& ctx) {
  auto f = std::make_shared<InvalidateFlags>();
  auto* cmd = cache.add_subcommand("invalidate", "Delete every key under a prefix, on every primary, safely and fast");
  cmd->add_option("prefix", f->prefix, "Literal key prefix; *, ?, [, ] and \\ match only themselves")
      ->type_name("PREFIX");
  cmd->add_flag("--dry-run", f->dry_run,
                "Show the pattern, the nodes, the matching count and a sample; delete nothing");
  cmd->add_flag("-y,--yes", f->yes, "Do not ask for confirmation (required when stdin is not a terminal)");
  cmd->add_flag("--all-keys", f->all_keys, "Allow an empty prefix: delete the whole keyspace");
  cmd->add_option("--batch", f->batch, "Keys per SCAN (COUNT) and per UNLINK (default 1000)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, cache::k_max_batch));
  cmd->add_option("--max-rate", f->max_rate, "Delete at most this many keys per second (all nodes)")
      ->type_name("KEYS_PER_SEC")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--sample", f->sample, "Keys shown by --dry-run (default 10)")
      ->type_name("N")
      ->check(CLI::Range(0, 10000));
  cmd->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_invalidate(ctx, *f); }; });
}

}  // namespace rctl::commands
