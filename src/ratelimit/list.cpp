// `ratelimit list`: SCAN every primary concurrently, read each batch of limiter keys in that
// node's pipeline, keep the most used.

#include "client/options.hpp"
#include "client/server_error.hpp"
#include "cluster/slot.hpp"
#include "server/primary_fanout.hpp"
#include "ratelimit/reader.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>
#include <unordered_set>

namespace rctl::ratelimit {

namespace {

using Clock = std::chrono::steady_clock;

// SCAN COUNT per call; the keys of one reply are read in one pipeline.
constexpr std::size_t k_scan_count = 1000;

double used_share(const Limiter& l) {
  if (!l.usage.used) return -1;
  if (!l.limit) return 0;
  if (l.limit->amount <= 0) return 1;
  return static_cast<double>(*l.usage.used) / static_cast<double>(l.limit->amount);
}

struct Shared {
  const LimiterListOptions& options;
  std::string pattern;
  bool limits_only = false;   // the default pattern: only keys in a limits layout
  ListReport& report;
  bool stop = false;
  std::vector<std::string> redirected;

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

// One primary: SCAN, pick the limiter keys, read them on the same connection. The next SCAN is
// sent as soon as a reply gives its cursor, so it runs on the server while the client reads
// the batch before it (replies on one connection come in order).
class NodeScan : public std::enable_shared_from_this<NodeScan> {
 public:
  NodeScan(Shared& shared, NodeScanResult& out, client::Connection& conn, std::string label,
           std::function<void(Expected<void>)> done)
      : m_shared(shared), m_out(out), m_conn(conn), m_label(std::move(label)), m_done(std::move(done)) {}

  void start() { scan(); }

 private:
  void scan() {
    if (m_shared.stop || m_failed) return;
    ++m_out.scan_calls;
    m_scanning = true;
    m_conn.send(client::cmd({"SCAN", m_cursor, "MATCH", m_shared.pattern, "COUNT", std::to_string(k_scan_count)}),
                [self = shared_from_this()](Expected<resp::Value> r) { self->on_scan(std::move(r)); });
  }

  void on_scan(Expected<resp::Value> reply) {
    // After a failure the run may be over and the report gone: late replies are dropped.
    if (m_finished) return;
    m_scanning = false;
    if (!reply) return fail(reply.error());
    if (reply->is_error()) return fail(client::to_error(reply->str, "SCAN"));
    if (reply->elements.size() != 2 || !reply->elements[1].is_list())
      return fail({ErrorKind::protocol, "SCAN: unexpected reply shape", {}});
    m_cursor = reply->elements[0].str;
    if (m_cursor == "0") m_out.complete = true;
    std::vector<Subject> subjects;
    for (auto& k : reply->elements[1].elements) {
      ++m_out.keys_seen;
      auto subject = make_subject(std::move(k.str));
      if (m_shared.limits_only && !subject.parsed) {
        ++m_shared.report.skipped;
        continue;
      }
      if (m_shared.options.client &&
          !key_matches_client(subject.key, subject.parsed, *m_shared.options.client))
        continue;
      // Both keys of a sliding window live on this node; read the pair once.
      if (subject.parsed && subject.parsed->layout == KeyLayout::limits_sliding &&
          !m_sliding_seen.insert(subject.key).second)
        continue;
      subjects.push_back(std::move(subject));
    }
    if (!subjects.empty()) m_queue.push_back(std::move(subjects));
    // At most one batch waits while another is read: memory stays at two batches.
    if (!m_out.complete && m_queue.size() < 2) scan();
    pump();
  }

  // Starts reading the next queued batch unless one is being read; finishes when all is done.
  void pump() {
    if (m_failed || m_reading) return;
    if (m_queue.empty()) {
      if (!m_scanning && (m_out.complete || m_shared.stop)) finish({});
      return;
    }
    auto subjects = std::move(m_queue.front());
    m_queue.pop_front();
    m_batch.clear();
    for (const auto& s : subjects) m_batch.push_back(s.key);
    m_reading = true;
    read_limiters(std::move(subjects), m_shared.options.read, unix_now(), connection_sender(m_conn),
                  [self = shared_from_this()](ReadResult r) { self->on_read(std::move(r)); });
  }

  void on_read(ReadResult result) {
    if (m_finished) return;
    m_reading = false;
    if (result.error) return fail(std::move(*result.error));
    auto& outcomes = result.outcomes;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      auto& o = outcomes[i];
      switch (o.status) {
        case ReadStatus::ok:
          o.limiter->node = m_label;
          m_shared.add(std::move(*o.limiter));
          break;
        case ReadStatus::unsupported: ++m_shared.report.skipped; break;
        case ReadStatus::redirected: m_shared.redirected.push_back(m_batch[i]); break;
        case ReadStatus::missing: break;  // expired between SCAN and the read
      }
    }
    if (!m_scanning && !m_out.complete && m_queue.size() < 2) scan();
    pump();
  }

  void fail(Error e) {
    if (m_failed) return;
    m_failed = true;
    m_out.error = e;
    finish(std::unexpected(std::move(e)));
  }

  void finish(Expected<void> result) {
    if (m_finished) return;
    m_finished = true;
    m_done(std::move(result));
  }

  Shared& m_shared;
  NodeScanResult& m_out;
  client::Connection& m_conn;
  std::string m_label;
  std::function<void(Expected<void>)> m_done;
  std::string m_cursor = "0";
  std::set<std::string> m_sliding_seen;
  std::deque<std::vector<Subject>> m_queue;  // scanned batches waiting to be read
  std::vector<std::string> m_batch;          // the keys being read, in outcome order
  bool m_scanning = false;
  bool m_reading = false;
  bool m_failed = false;
  bool m_finished = false;
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

  std::vector<std::shared_ptr<NodeScan>> scans;
  auto errors = server::run_on_primaries(
      target,
      [&](std::size_t i, const cluster::Node& node, client::Connection& conn, std::function<void(Expected<void>)> done) {
        auto scan = std::make_shared<NodeScan>(shared, report.nodes[i], conn, target.label(node), std::move(done));
        scans.push_back(scan);
        scan->start();
      },
      {.interrupted =
           [&] {
             shared.stop = true;
             report.interrupted = true;
           },
       .tick =
           [&] {
             report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
             if (progress) progress(report);
           }});
  server::keep_errors(report.nodes, errors);

  // Keys whose slot moved during the scan: read again, routed.
  if (!shared.redirected.empty()) {
    std::vector<Subject> subjects;
    for (auto& key : shared.redirected) subjects.push_back(make_subject(std::move(key)));
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
  }
  if (util::interrupted()) report.interrupted = true;
  shared.trim();
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace rctl::ratelimit
