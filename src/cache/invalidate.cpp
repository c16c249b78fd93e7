#include "cache/invalidate.hpp"

#include "client/options.hpp"
#include "client/server_error.hpp"
#include "cluster/batching.hpp"
#include "net/event_loop.hpp"
#include "server/primary_fanout.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>


namespace rctl::cache {

namespace {

using Clock = std::chrono::steady_clock;

// Batches of keys waiting for their UNLINK reply, per node, before SCAN pauses: bounds memory
// and keeps the scan from running far ahead of the deletes.
constexpr std::size_t k_max_batches_in_flight = 8;

struct Shared {
  const InvalidateOptions& options;
  std::string pattern;
  bool cluster = false;
  double rate_per_node = 0;  // keys/s, 0 = unlimited
  bool stop = false;         // Ctrl-C: no new SCANs
  bool used_del = false;
  std::vector<std::string> redirected;  // keys whose slot moved mid-run; deleted afterwards
};

// One primary: SCAN on `scan`, UNLINK on `del`. Keys from a SCAN reply are filtered by the
// literal prefix, grouped into same-slot batches (cluster) and sent at once; the next SCAN is
// sent before the keys are even looked at, so both connections always have work queued.
class NodeTask : public std::enable_shared_from_this<NodeTask> {
 public:
  NodeTask(Shared& shared, NodeInvalidation& out, client::Connection& scan, client::Connection* del,
           net::EventLoop& loop, std::function<void(Expected<void>)> done)
      : m_shared(shared), m_out(out), m_scan(scan), m_del(del ? *del : scan), m_timer(loop),
        m_done(std::move(done)), m_start(Clock::now()) {}

  void start() { send_scan(); }

  void stop() {
    if (m_waiting_timer) {
      m_timer.cancel();
      m_waiting_timer = false;
      m_scanning = false;
      maybe_done();
    }
  }

 private:
  void send_scan() {
    if (m_failed) return;
    if (m_shared.stop) {
      m_scanning = false;
      return maybe_done();
    }
    if (m_batches_in_flight >= k_max_batches_in_flight) {
      m_waiting_drain = true;
      return;
    }
    if (auto delay = rate_delay(); delay.count() > 0) {
      m_waiting_timer = true;
      m_timer.start(delay, [self = shared_from_this()] {
        self->m_waiting_timer = false;
        self->send_scan();
      });
      return;
    }
    m_scan_in_flight = true;
    m_scan.send(client::cmd({"SCAN", m_out.cursor, "MATCH", m_shared.pattern, "COUNT",
                             std::to_string(m_shared.options.batch)}),
                [self = shared_from_this()](Expected<resp::Value> r) { self->on_scan(std::move(r)); });
  }

  // How long to wait before the next SCAN so that deletes stay under --max-rate.
  std::chrono::milliseconds rate_delay() const {
    if (m_shared.rate_per_node <= 0) return {};
    double elapsed = std::chrono::duration<double>(Clock::now() - m_start).count();
    double due = static_cast<double>(m_out.deleted + m_keys_in_flight) / m_shared.rate_per_node;
    return std::chrono::milliseconds(due > elapsed ? static_cast<long>((due - elapsed) * 1000.0) : 0);
  }

  void on_scan(Expected<resp::Value> reply) {
    m_scan_in_flight = false;
    if (!reply) return fail(reply.error());
    if (reply->is_error()) return fail(client::to_error(reply->str, "SCAN"));
    if (reply->elements.size() != 2 || !reply->elements[0].is_string() || !reply->elements[1].is_list())
      return fail({ErrorKind::protocol, "SCAN: unexpected reply shape", {}});
    ++m_out.scan_calls;
    m_out.cursor = std::move(reply->elements[0].str);
    auto keys = std::move(reply->elements[1].elements);
    // The keys of this page are not deleted yet: send_scan() must not let a stopped task
    // (Ctrl-C) finish before their UNLINK is sent, or its count would be missing from the report.
    m_taking_keys = true;
    if (m_out.cursor == "0") {
      m_scanning = false;
      m_out.complete = true;
    } else {
      send_scan();
    }
    take_keys(std::move(keys));
    m_taking_keys = false;
    maybe_done();
  }

  void take_keys(std::vector<resp::Value> values) {
    std::vector<std::string> keys;
    keys.reserve(values.size());
    for (auto& v : values) {
      ++m_out.matched;
      if (!util::starts_with(v.str, m_shared.options.prefix)) {
        ++m_out.skipped;  // the server's glob disagreed with the literal prefix: never delete
        continue;
      }
      if (m_shared.options.dry_run) {
        if (m_out.sample.size() < m_shared.options.sample) m_out.sample.push_back(v.str);
        continue;
      }
      keys.push_back(std::move(v.str));
    }
    if (keys.empty()) return;
    if (!m_shared.cluster) return send_delete(std::move(keys));
    for (auto& batch : cluster::batch_by_slot(std::move(keys), m_shared.options.batch))
      send_delete(std::move(batch.keys));
  }

  void send_delete(std::vector<std::string> keys) {
    client::Command c;
    c.args.reserve(keys.size() + 1);
    c.args.emplace_back(m_shared.used_del ? "DEL" : "UNLINK");
    std::size_t n = keys.size();
    for (auto& k : keys) c.args.push_back(std::move(k));
    ++m_batches_in_flight;
    m_keys_in_flight += n;
    // The keys are kept until the reply: an old server wants DEL instead, a moved slot wants
    // the keys routed again.
    auto args = c.args;
    m_del.send(std::move(c), [self = shared_from_this(), n, args = std::move(args)](Expected<resp::Value> r) mutable {
      self->on_deleted(std::move(r), n, std::move(args));
    });
  }

  void on_deleted(Expected<resp::Value> reply, std::size_t n, std::vector<std::string> args) {
    --m_batches_in_flight;
    m_keys_in_flight -= n;
    if (!reply) return fail(reply.error());
    if (reply->is_error()) {
      auto kind = client::classify(reply->str);
      if (kind == client::ServerErrorKind::unknown_command && args.front() == "UNLINK") {
        m_shared.used_del = true;  // Redis < 4.0: DEL does the same, synchronously
        args.erase(args.begin());
        send_delete(std::move(args));
        return;
      }
      if (kind == client::ServerErrorKind::moved || kind == client::ServerErrorKind::ask ||
          kind == client::ServerErrorKind::try_again) {
        m_shared.redirected.insert(m_shared.redirected.end(), std::make_move_iterator(args.begin() + 1),
                                   std::make_move_iterator(args.end()));
      } else {
        return fail(client::to_error(reply->str, args.front()));
      }
    } else if (reply->type == resp::Type::integer) {
      m_out.deleted += static_cast<std::uint64_t>(reply->integer);
    }
    if (m_waiting_drain && m_batches_in_flight < k_max_batches_in_flight) {
      m_waiting_drain = false;
      send_scan();
    }
    maybe_done();
  }

  void fail(Error error) {
    if (m_failed) return;
    m_failed = true;
    m_scanning = false;
    m_timer.cancel();
    m_out.error = error;
    // The other connection may still hold replies; they are dropped with it.
    finish(std::unexpected(std::move(error)));
  }

  void maybe_done() {
    if (m_failed || m_taking_keys) return;
    if (m_waiting_drain && m_shared.stop) m_waiting_drain = false, m_scanning = false;
    if (m_scanning || m_scan_in_flight || m_waiting_timer || m_batches_in_flight > 0) return;
    finish({});
  }

  void finish(Expected<void> result) {
    if (m_finished) return;
    m_finished = true;
    m_done(std::move(result));
  }

  Shared& m_shared;
  NodeInvalidation& m_out;
  client::Connection& m_scan;
  client::Connection& m_del;
  net::Timer m_timer;
  std::function<void(Expected<void>)> m_done;
  Clock::time_point m_start;
  bool m_scanning = true;
  bool m_scan_in_flight = false;
  bool m_waiting_drain = false;
  bool m_waiting_timer = false;
  bool m_failed = false;
  bool m_finished = false;
  bool m_taking_keys = false;  // inside on_scan, between reading a page and sending its deletes
  std::size_t m_batches_in_flight = 0;
  std::size_t m_keys_in_flight = 0;
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

std::uint64_t InvalidateReport::scan_calls() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.scan_calls;
  return n;
}

bool InvalidateReport::complete() const {
  for (const auto& node : nodes)
    if (!node.complete || node.error) return false;
  return !interrupted;
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

  Shared shared{options, report.pattern, target.is_cluster()};
  if (options.max_rate && *options.max_rate > 0)
    shared.rate_per_node = *options.max_rate / static_cast<double>(std::max<std::size_t>(1, primaries.size()));

  // A second connection per primary for the deletes (not needed for a dry run).
  std::vector<std::unique_ptr<client::Connection>> deleters(primaries.size());
  if (!options.dry_run)
    for (std::size_t i = 0; i < primaries.size(); ++i) {
      auto conn = target.open_connection(*primaries[i]);
      if (conn) deleters[i] = std::move(*conn);
      else report.nodes[i].error = conn.error();
    }

  std::vector<std::shared_ptr<NodeTask>> tasks;
  auto errors = server::run_on_primaries(
      target,
      [&](std::size_t i, const cluster::Node&, client::Connection& conn, std::function<void(Expected<void>)> done) {
        auto& out = report.nodes[i];
        if (out.error) return done(std::unexpected(*out.error));
        auto task = std::make_shared<NodeTask>(shared, out, conn, deleters[i].get(), target.loop(), std::move(done));
        tasks.push_back(task);
        task->start();
      },
      {.interrupted =
           [&] {
             shared.stop = true;
             report.interrupted = true;
             for (auto& t : tasks) t->stop();
           },
       .tick =
           [&] {
             report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
             if (progress) progress(report);
           }});
  server::keep_errors(report.nodes, errors);

  // Keys whose slot moved during the run: routed one by one, following MOVED/ASK.
  for (const auto& key : shared.redirected) {
    auto reply = target.exec(client::keyed({shared.used_del ? "DEL" : "UNLINK", key}));
    if (reply && reply->type == resp::Type::integer && !report.nodes.empty())
      report.nodes.front().deleted += static_cast<std::uint64_t>(reply->integer);
  }
  if (util::interrupted()) report.interrupted = true;
  report.used_del = shared.used_del;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace rctl::cache
