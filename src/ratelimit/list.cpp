// `ratelimit list`: SCAN every primary concurrently, read each batch of limiter keys in that
// node's pipeline, keep the most used.

#include "client/options.hpp"
#include "client/server_error.hpp"
#include "cluster/slot.hpp"
#include "cluster/scan.hpp"
#include "ratelimit/reader.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_set>

namespace rctl::ratelimit {

namespace {

using Clock = std::chrono::steady_clock;

// SCAN COUNT per call; the keys of one reply are read in one pipeline.
constexpr std::size_t k_scan_count = 1000;
// Pages per node being read before SCAN waits: memory stays at two batches.
constexpr std::size_t k_limiter_pages_in_flight = 2;

double used_share(const Limiter& l) {
  if (!l.usage.used) return -1;
  if (!l.limit) return 0;
  if (l.limit->amount <= 0) return 1;
  return static_cast<double>(*l.usage.used) / static_cast<double>(l.limit->amount);
}

struct Shared {
  const LimiterListOptions& options;
  std::string pattern;
  bool limits_only = false;  // the default pattern: only keys in a limits layout
  ListReport& report;

  // Keeps the rows, cutting back to the `max` most used now and then.
  void add(Limiter l) {
    ++report.limiters_total;
    report.limiters.push_back(std::move(l));
    if (!options.keep_all && report.limiters.size() >= 2 * options.max + 64) trim();
  }

  void trim() {
    auto& rows = report.limiters;
    std::sort(rows.begin(), rows.end(), more_used);
    // SCAN may return a key twice: keep its first (most used) row.
    std::unordered_set<std::string> seen;
    std::vector<Limiter> kept;
    for (auto& l : rows)
      if (seen.insert(l.key).second) kept.push_back(std::move(l));
    report.limiters_total -= rows.size() - kept.size();
    rows = std::move(kept);
    if (!options.keep_all && rows.size() > options.max) {
      report.truncated = true;
      rows.resize(options.max);
    }
  }
};

// The domain rules of one page: pick the limiter keys (a client's only, when asked), read
// them in the node's pipeline, keep the rows.
struct LimiterPages {
  Shared& shared;
  std::vector<std::set<std::string>> sliding_seen;  // per node: both keys of a window read once

  void on_page(cluster::Page& page, std::vector<std::string> found) {
    auto& out = shared.report.nodes[page.node()];
    std::vector<Subject> subjects;
    for (auto& k : found) {
      ++out.keys_seen;
      auto subject = make_subject(std::move(k));
      if (shared.limits_only && !subject.parsed) {
        ++shared.report.skipped;
        continue;
      }
      if (shared.options.client && !key_matches_client(subject.key, subject.parsed, *shared.options.client)) continue;
      // Both keys of a sliding window live on this node; read the pair once.
      if (subject.parsed && subject.parsed->layout == KeyLayout::limits_sliding &&
          !sliding_seen[page.node()].insert(subject.key).second)
        continue;
      subjects.push_back(std::move(subject));
    }
    if (subjects.empty()) return;
    std::vector<std::string> keys;
    for (const auto& s : subjects) keys.push_back(s.key);
    read_limiters(std::move(subjects), shared.options.read, unix_now(), page_sender(page),
                  [this, page, keys = std::move(keys)](ReadResult r) mutable { on_read(page, keys, std::move(r)); });
  }

  void on_read(cluster::Page& page, std::vector<std::string>& keys, ReadResult result) {
    if (result.error) return page.fail(std::move(*result.error));
    std::vector<std::string> moved;
    for (std::size_t i = 0; i < result.outcomes.size(); ++i) {
      auto& o = result.outcomes[i];
      switch (o.status) {
        case ReadStatus::ok:
          o.limiter->node = page.address();
          shared.add(std::move(*o.limiter));
          break;
        case ReadStatus::unsupported: ++shared.report.skipped; break;
        case ReadStatus::redirected: moved.push_back(std::move(keys[i])); break;
        case ReadStatus::missing: break;  // expired between SCAN and the read
      }
    }
    if (!moved.empty()) page.moved(std::move(moved));
  }
};

}  // namespace

bool more_used(const Limiter& a, const Limiter& b) {
  auto sa = used_share(a), sb = used_share(b);
  if (sa != sb) return sa > sb;
  auto ua = a.usage.used.value_or(-1), ub = b.usage.used.value_or(-1);
  if (ua != ub) return ua > ub;
  return a.key < b.key;
}

std::uint64_t ListReport::keys_seen() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.keys_seen;
  return n;
}

const Error* ListReport::first_error() const {
  for (const auto& node : nodes)
    if (node.error) return &*node.error;
  return nullptr;
}

ListReport list_limiters(cluster::Client& target, const LimiterListOptions& options, const ListProgress& progress) {
  auto start = Clock::now();
  ListReport report;
  report.target = client::describe(target.seed_options());
  report.client = options.client;
  Shared shared{options, options.pattern, options.pattern.empty(), report};
  if (shared.pattern.empty()) {
    // A client's limits keys hold "/<client>/" after the namespace: let the server filter.
    shared.pattern = options.client ? fmt::format("{}/{}/*", k_limits_pattern, util::escape_glob(*options.client))
                                    : std::string(k_limits_pattern);
  }
  report.pattern = shared.pattern;
  auto primaries = target.primaries();
  report.nodes.resize(primaries.size());
  for (std::size_t i = 0; i < primaries.size(); ++i) report.nodes[i].address = target.label(*primaries[i]);

  LimiterPages pages{shared, std::vector<std::set<std::string>>(primaries.size())};
  cluster::ScanRun run;
  cluster::scan_primaries(
      target,
      {.pattern = shared.pattern,
       .count = k_scan_count,
       .max_in_flight = k_limiter_pages_in_flight,
       .on_interrupt = [&] { report.interrupted = true; },
       .tick =
           [&] {
             cluster::copy_scan_progress(run, report, start);
             if (progress) progress(report);
           }},
      {.on_page = [&](cluster::Page& page, std::vector<std::string> keys) { pages.on_page(page, std::move(keys)); },
       // Keys whose slot moved during the scan: read again, routed.
       .replay =
           [&](std::vector<cluster::MovedKey> moved) {
             std::vector<Subject> subjects;
             for (auto& m : moved) subjects.push_back(make_subject(std::move(m.key)));
             try {
               for (auto& o : read_routed(target, std::move(subjects), options.read))
                 if (o.status == ReadStatus::ok) {
                   auto slot_node = target.topology().primary_for_slot(cluster::key_slot(o.limiter->key));
                   o.limiter->node = slot_node ? target.label(*slot_node) : std::string();
                   shared.add(std::move(*o.limiter));
                 }
             } catch (const Failure& f) {
               if (!report.nodes.empty() && !report.nodes.front().error) report.nodes.front().error = f.error();
             }
           }},
      run);
  cluster::copy_scan_figures(run.nodes, report.nodes);
  if (run.interrupted) report.interrupted = true;
  shared.trim();
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace rctl::ratelimit
