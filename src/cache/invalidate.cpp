#include "cache/invalidate.hpp"

#include "client/options.hpp"
#include "client/server_error.hpp"
#include "cluster/scan.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace rctl::cache {

namespace {

using Clock = std::chrono::steady_clock;

// Pages of keys whose UNLINKs are awaiting their reply, per node, before SCAN pauses: bounds
// memory and keeps the scan from running far ahead of the deletes.
constexpr std::size_t k_invalidate_pages_in_flight = 8;

// The domain rules of one page: keys outside the literal prefix are never deleted, a dry run
// only counts and samples, an old server gets DEL instead of UNLINK.
struct InvalidatePages {
  const InvalidateOptions& options;
  InvalidateReport& report;
  bool used_del = false;
  std::size_t sampled = 0;  // dry-run sample keys kept so far, all nodes together

  void on_page(cluster::Page& page, std::vector<std::string> found) {
    auto& out = report.nodes[page.node()];
    std::vector<std::string> keys;
    keys.reserve(found.size());
    for (auto& key : found) {
      ++out.matched;
      if (!util::starts_with(key, options.prefix)) {
        ++out.skipped;  // the server's glob disagreed with the literal prefix: never delete
        continue;
      }
      if (options.dry_run) {
        // --sample N is N keys in total across the primaries, not N per node.
        if (sampled < options.sample) {
          out.sample.push_back(key);
          ++sampled;
        }
        continue;
      }
      keys.push_back(std::move(key));
    }
    for (auto& batch : page.batches(std::move(keys), options.batch)) send_delete(page, std::move(batch));
  }

  void send_delete(cluster::Page& page, std::vector<std::string> keys) {
    client::Command c;
    c.args.reserve(keys.size() + 1);
    c.args.emplace_back(used_del ? "DEL" : "UNLINK");
    const auto n = keys.size();
    for (auto& k : keys) c.args.push_back(std::move(k));
    // The keys are kept until the reply: an old server wants DEL instead, a moved slot wants
    // the keys routed again.
    auto args = c.args;
    page.send(
        std::move(c),
        [this, page, args = std::move(args)](resp::Value reply) mutable {
          on_deleted(page, std::move(reply), std::move(args));
        },
        n);
  }

  void on_deleted(cluster::Page& page, resp::Value reply, std::vector<std::string> args) {
    if (reply.is_error()) {
      if (client::classify(reply.str) == client::ServerErrorKind::unknown_command && args.front() == "UNLINK") {
        used_del = true;  // Redis < 4.0: DEL does the same, synchronously
        args.erase(args.begin());
        return send_delete(page, std::move(args));
      }
      if (!cluster::slot_moved(reply)) return page.fail(client::to_error(reply.str, args.front()));
      args.erase(args.begin());
      return page.moved(std::move(args));
    }
    if (reply.type == resp::Type::integer)
      report.nodes[page.node()].deleted += static_cast<std::uint64_t>(reply.integer);
  }
};

}  // namespace

std::uint64_t InvalidateReport::matched() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.matched;
  return n;
}

std::uint64_t InvalidateReport::deleted() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.deleted;
  return n;
}

std::uint64_t InvalidateReport::outcome_unknown() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.outcome_unknown;
  return n;
}

std::uint64_t InvalidateReport::scan_calls() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.scan_calls;
  return n;
}

bool InvalidateReport::complete() const {
  for (const auto& node : nodes)
    if (!node.complete || node.error) return false;
  return !interrupted && incomplete_reason.empty();
}

InvalidateReport invalidate_prefix(cluster::Client& target, const InvalidateOptions& options,
                                   const InvalidateProgress& progress) {
  auto start = Clock::now();
  InvalidateReport report;
  report.target = client::describe(target.seed_options());
  report.prefix = options.prefix;
  report.pattern = util::prefix_pattern(options.prefix);
  report.dry_run = options.dry_run;
  auto primaries = target.primaries();
  report.nodes.resize(primaries.size());
  for (std::size_t i = 0; i < primaries.size(); ++i) report.nodes[i].address = target.label(*primaries[i]);

  InvalidatePages pages{options, report};
  for (int pass = 1; pass <= k_invalidate_passes; ++pass) {
    report.passes = pass;
    // Figures of earlier passes, so that the scan counts add up.
    std::vector<std::uint64_t> earlier(report.nodes.size());
    for (std::size_t i = 0; i < report.nodes.size(); ++i) earlier[i] = report.nodes[i].scan_calls;
    auto add_earlier = [&] {
      for (std::size_t i = 0; i < report.nodes.size() && i < earlier.size(); ++i)
        report.nodes[i].scan_calls += earlier[i];
    };
    cluster::ScanRun run;
    cluster::scan_primaries(
        target,
        {.pattern = report.pattern,
         .count = options.batch,
         .max_in_flight = k_invalidate_pages_in_flight,
         .max_rate = options.max_rate,
         .separate_connection = !options.dry_run,  // SCAN on one connection, deletes on another
         .on_interrupt = [&] { report.interrupted = true; },
         .tick =
             [&] {
               cluster::copy_scan_progress(run, report, start);
               add_earlier();
               if (progress) progress(report);
             }},
        {.on_page = [&](cluster::Page& page, std::vector<std::string> keys) { pages.on_page(page, std::move(keys)); },
         // Keys whose slot moved during the run: routed one by one, following MOVED/ASK.
         .replay =
             [&](std::vector<cluster::MovedKey> moved) {
               for (const auto& m : moved) {
                 auto reply = target.exec(client::keyed({pages.used_del ? "DEL" : "UNLINK", m.key}));
                 if (reply && reply->type == resp::Type::integer && m.node < report.nodes.size())
                   report.nodes[m.node].deleted += static_cast<std::uint64_t>(reply->integer);
               }
             }},
        run);
    cluster::copy_scan_figures(run.nodes, report.nodes);
    add_earlier();
    if (run.interrupted) report.interrupted = true;
    report.incomplete_reason = run.unstable;
    bool failed =
        std::any_of(report.nodes.begin(), report.nodes.end(), [](const auto& n) { return n.error.has_value(); });
    // A dry run counts what is there now; a second pass would count the same keys again.
    if (run.unstable.empty() || report.interrupted || failed || options.dry_run) break;
    // Slots moved: keys may have slipped past this pass. Scan again with the new slot map
    // (the keys deleted are gone, so a pass costs only what is left), unless the primaries
    // themselves changed, which the per-node report cannot follow.
    if (!target.refresh() || target.primaries().size() != report.nodes.size()) break;
    for (std::size_t i = 0; i < report.nodes.size(); ++i)
      report.nodes[i].address = target.label(*target.primaries()[i]);
  }
  if (!report.incomplete_reason.empty())
    report.incomplete_reason = fmt::format("after {} pass(es): {}", report.passes, report.incomplete_reason);
  report.used_del = pages.used_del;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace rctl::cache
