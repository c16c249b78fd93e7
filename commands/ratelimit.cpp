// rctl ratelimit list|show|reset (probe is in ratelimit_probe.cpp).

#include "confirm.hpp"
#include "context.hpp"
#include "progress.hpp"

#include "client/options.hpp"
#include "ratelimit/ratelimit.hpp"
#include "ratelimit/render.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace rctl::commands {

void register_ratelimit_probe(CLI::App& group, Context& ctx);

namespace {

struct RatelimitFlags {
  std::string pattern, client, limit, key;
  std::vector<std::string> keys;
  std::optional<std::int64_t> burst;
  std::size_t max = ratelimit::k_default_list_max;
  std::size_t entries = ratelimit::k_default_show_entries;
  bool dry_run = false, yes = false;
};

// --limit and --burst for reading keys that do not carry their limit.
ratelimit::ReadOptions read_options(const RatelimitFlags& f) {
  ratelimit::ReadOptions o;
  if (!f.limit.empty()) {
    auto limits = value_or_throw(ratelimit::parse_limits(f.limit));
    if (limits.size() != 1)
      throw Failure(ErrorKind::usage,
                    fmt::format("--limit '{}' holds {} limits; a key holds one", f.limit, limits.size()),
                    "list the keys of each limit separately (--pattern)");
    o.limit = limits.front();
  }
  if (f.burst) {
    if (!o.limit) throw Failure(ErrorKind::usage, "--burst needs --limit (the redis-cell rate)");
    o.max_burst = *f.burst;
  }
  return o;
}

int finish_list(Context& ctx, const ratelimit::ListReport& report) {
  auto& printer = ctx.printer();
  if (report.interrupted) {
    return interrupted_exit(printer, "interrupted: the list covers the keys scanned so far");
  }
  for (const auto& n : report.nodes)
    if (n.error)
      return failed_exit(printer, *n.error,
                         fmt::format("{}: {} (the list misses that node's keys)", n.address, n.error->message));
  return 0;
}

std::string progress_text(const ratelimit::ListReport& r) {
  return fmt::format("scanned {} keys on {} node(s), {} limiters, {:.1f}s",
                     util::format_count(static_cast<std::int64_t>(r.keys_seen())), r.nodes.size(),
                     util::format_count(static_cast<std::int64_t>(r.limiters_total)), r.seconds);
}

int run_list(Context& ctx, const RatelimitFlags& f) {
  ratelimit::LimiterListOptions o;
  o.read = read_options(f);
  o.pattern = f.pattern;
  if (!f.client.empty()) o.client = f.client;
  o.max = f.max;
  auto& target = ctx.connect(config::Role::ratelimit);
  auto report = with_progress(
      ctx.printer(), [](const ratelimit::ListReport& r) { return progress_text(r); },
      [&](const auto& on_progress) { return ratelimit::list_limiters(target, o, on_progress); });
  ctx.printer().emit(ratelimit::render_list(report));
  return finish_list(ctx, report);
}

int run_show(Context& ctx, const RatelimitFlags& f) {
  auto o = read_options(f);
  o.entries = f.entries;
  auto limiter = ratelimit::show_limiter(ctx.connect(config::Role::ratelimit), f.key, o);
  ctx.printer().emit(ratelimit::render_show(limiter));
  if (!limiter.limit) ctx.printer().note("the key does not carry its limit: pass --limit to see what remains");
  return 0;
}

int run_reset(Context& ctx, const RatelimitFlags& f) {
  if (f.keys.empty() == f.client.empty())
    throw Failure(ErrorKind::usage, "name the keys to reset or give --client (one of them)",
                  "rctl ratelimit reset KEY... | rctl ratelimit reset --client ID");
  if (!f.pattern.empty() && f.client.empty())
    throw Failure(ErrorKind::usage, "--pattern selects keys for --client", "with named keys, leave --pattern out");
  auto o = read_options(f);
  auto& target = ctx.connect(config::Role::ratelimit);
  ratelimit::ResetReport report;
  if (!f.client.empty()) {
    ratelimit::LimiterListOptions list;
    list.read = o;
    list.pattern = f.pattern;
    list.client = f.client;
    list.keep_all = true;
    util::install_interrupt_handler();
    auto found = ratelimit::list_limiters(target, list);
    if (found.interrupted)
      throw Failure(ErrorKind::interrupted, "interrupted while looking for the client's keys; nothing was deleted");
    if (const auto* e = found.first_error()) {
      auto error = *e;
      error.message += "; nothing was deleted";
      throw Failure(std::move(error));
    }
    report.target = found.target;
    report.client = f.client;
    report.limiters = std::move(found.limiters);
    if (report.limiters.empty())
      throw Failure(ErrorKind::not_found,
                    fmt::format("no rate-limit keys for client '{}' (SCAN MATCH {})", f.client, found.pattern),
                    "check the identity with rctl ratelimit list");
  } else {
    report = ratelimit::prepare_reset(target, f.keys, o);
    if (report.limiters.empty())
      throw Failure(ErrorKind::not_found, f.keys.size() == 1 ? "the key does not exist; nothing was deleted"
                                                             : "none of the keys exist; nothing was deleted");
  }
  report.dry_run = f.dry_run;
  if (!f.dry_run) {
    auto keys = ratelimit::limiter_keys(report.limiters);
    std::string what = report.client
                           ? fmt::format("delete {} rate-limit key(s) of client '{}' on {}", keys.size(),
                                         *report.client, client::describe(target.seed_options()))
                           : fmt::format("delete {} rate-limit key(s) ({}{}) on {}", keys.size(), keys.front(),
                                         keys.size() > 1 ? ", ..." : "", client::describe(target.seed_options()));
    confirm_destructive(what, f.yes);
  }
  ratelimit::run_reset(target, report);
  ctx.printer().emit(ratelimit::render_reset(report));
  return 0;
}

void add_read_flags(CLI::App* cmd, RatelimitFlags& f) {
  cmd->add_option("--limit", f.limit,
                  "The limit of keys that do not carry one (hand-rolled counters and logs), e.g. 20/minute")
      ->type_name("SPEC");
  cmd->add_option("--burst", f.burst, "redis-cell keys: the max_burst given to CL.THROTTLE (default: amount - 1)")
      ->type_name("N")
      ->check(CLI::Range(std::int64_t{0}, ratelimit::k_max_limit_amount));
}

}  // namespace

void register_ratelimit(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<RatelimitFlags>();
  auto* group = app.add_subcommand("ratelimit",
                                   "Read, probe and reset the rate limits apps keep in Redis (limits, "
                                   "Flask-Limiter, INCR counters, sorted-set logs, redis-cell)");
  group->require_subcommand(1);

  auto* list = group->add_subcommand("list", "One row per limiter, most used first, from every primary");
  list->add_option(
          "--pattern", f->pattern,
          "SCAN MATCH glob for hand-rolled limiters, e.g. 'rate:*' (default: limits' LIMITER/ and LIMITS: keys)")
      ->type_name("GLOB");
  list->add_option("--client", f->client, "Only this client's limiters (an identity, e.g. an IP or user id)")
      ->type_name("ID");
  list->add_option("--max", f->max, "Rows shown, most used first (default 100)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000000));
  add_read_flags(list, *f);
  list->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_list(ctx, *f); }; });

  auto* show = group->add_subcommand("show", "One limiter: usage, reset, raw counters and window entries");
  show->add_option("key", f->key, "The limiter key (a sliding window's .../-1 key shows the pair)")
      ->required()
      ->type_name("KEY");
  show->add_option("--entries", f->entries, "Window-log entries shown, newest first (default 100)")
      ->type_name("N")
      ->check(CLI::Range(0, 100000));
  add_read_flags(show, *f);
  show->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_show(ctx, *f); }; });

  auto* reset = group->add_subcommand("reset", "Clear limiters: the named keys, or every scope of one client");
  reset->add_option("keys", f->keys, "Limiter keys to delete (a sliding window's two keys go together)")
      ->type_name("KEY");
  reset->add_option("--client", f->client, "Delete every limiter of this client (all scopes)")->type_name("ID");
  reset->add_option("--pattern", f->pattern, "With --client: SCAN MATCH glob for hand-rolled limiters")
      ->type_name("GLOB");
  reset->add_flag("--dry-run", f->dry_run, "Show what would be deleted; delete nothing");
  reset->add_flag("-y,--yes", f->yes, "Do not ask for confirmation (required when stdin is not a terminal)");
  reset->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_reset(ctx, *f); }; });

  register_ratelimit_probe(*group, ctx);
}

}  // namespace rctl::commands
