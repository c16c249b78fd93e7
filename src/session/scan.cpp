#include "session/scan.hpp"

#include "client/server_error.hpp"
#include "cluster/slot.hpp"
#include "server/primary_fanout.hpp"
#include "util/interrupt.hpp"

#include <fmt/format.h>

#include <memory>

namespace rctl::session {

namespace {

using Clock = std::chrono::steady_clock;

// A key whose slot moved while its node was being scanned: read again, routed, at the end.
struct Redirected {
  std::string key;
  std::string prefix;
  std::string node;
};

struct Shared {
  const SessionScanOptions& options;
  const SessionVisitor& visit;
  std::string pattern;
  bool stop = false;  // Ctrl-C: no new SCANs
  std::vector<Redirected> redirected;
};

// The GET + PTTL replies of one SCAN reply's keys.
struct Batch {
  std::vector<std::string> keys;
  std::vector<std::string> prefixes;
  std::vector<resp::Value> values;
  std::vector<resp::Value> ttls;
  std::size_t remaining = 0;
};

std::optional<std::int64_t> ttl_of(const resp::Value& pttl) {
  if (pttl.type == resp::Type::integer && pttl.integer >= 0) return pttl.integer;
  return std::nullopt;
}

bool is_redirect(const resp::Value& reply) {
  auto kind = client::classify(reply.str);
  return kind == client::ServerErrorKind::moved || kind == client::ServerErrorKind::ask ||
         kind == client::ServerErrorKind::try_again;
}

// One primary: SCAN and the GET/PTTL pipelines share its connection; replies come back in
// order, so a batch is complete when its last PTTL reply arrives.
class NodeScan : public std::enable_shared_from_this<NodeScan> {
 public:
  NodeScan(Shared& shared, NodeSessionScan& out, client::Connection& conn, std::function<void(Expected<void>)> done)
      : m_shared(shared), m_out(out), m_conn(conn), m_done(std::move(done)) {}

  void start() { send_scan(); }

  // Ctrl-C: a node waiting for its batches to drain stops scanning now.
  void stop() {
    if (m_waiting) {
      m_waiting = false;
      m_scanning = false;
      maybe_done();
    }
  }

 private:
  void send_scan() {
    if (m_failed || !m_scanning) return;
    if (m_shared.stop) {
      m_scanning = false;
      return maybe_done();
    }
    if (m_batches >= k_session_batches_in_flight) {
      m_waiting = true;
      return;
    }
    m_scan_in_flight = true;
    m_conn.send(client::cmd({"SCAN", m_out.cursor, "MATCH", m_shared.pattern, "COUNT",
                             std::to_string(m_shared.options.count)}),
                [self = shared_from_this()](Expected<resp::Value> r) { self->on_scan(std::move(r)); });
  }

  void on_scan(Expected<resp::Value> reply) {
    m_scan_in_flight = false;
    if (m_failed) return;
    if (!reply) return fail(reply.error());
    if (reply->is_error()) return fail(client::to_error(reply->str, "SCAN"));
    if (reply->elements.size() != 2 || !reply->elements[0].is_string() || !reply->elements[1].is_list())
      return fail({ErrorKind::protocol, "SCAN: unexpected reply shape", {}});
    ++m_out.scan_calls;
    m_out.cursor = std::move(reply->elements[0].str);
    if (m_out.cursor == "0") {
      m_scanning = false;
      m_out.complete = true;
    }
    read_keys(std::move(reply->elements[1].elements));
    send_scan();
    maybe_done();
  }

  void read_keys(std::vector<resp::Value> found) {
    auto batch = std::make_shared<Batch>();
    for (auto& v : found) {
      // The pattern may be wider than the prefixes (a class of first bytes); the literal
      // prefixes decide.
      auto prefix = matching_prefix(v.str, m_shared.options.prefixes);
      if (!prefix) continue;
      ++m_out.keys;
      batch->prefixes.emplace_back(*prefix);
      batch->keys.push_back(std::move(v.str));
    }
    if (batch->keys.empty()) return;
    const std::size_t n = batch->keys.size();
    batch->values.resize(n);
    batch->ttls.resize(n);
    batch->remaining = 2 * n;
    ++m_batches;
    for (std::size_t i = 0; i < n; ++i) {
      m_conn.send(client::cmd({"GET", batch->keys[i]}), [self = shared_from_this(), batch, i](Expected<resp::Value> r) {
        self->on_reply(batch, std::move(r), batch->values[i]);
      });
      m_conn.send(client::cmd({"PTTL", batch->keys[i]}), [self = shared_from_this(), batch, i](Expected<resp::Value> r) {
        self->on_reply(batch, std::move(r), batch->ttls[i]);
      });
    }
  }

  void on_reply(const std::shared_ptr<Batch>& batch, Expected<resp::Value> reply, resp::Value& slot) {
    if (m_failed) return;
    if (!reply) return fail(reply.error());
    slot = std::move(*reply);
    if (--batch->remaining == 0) on_batch(*batch);
  }

  void on_batch(Batch& batch) {
    --m_batches;
    for (std::size_t i = 0; i < batch.keys.size(); ++i) {
      auto& value = batch.values[i];
      if (value.is_error()) {
        if (is_redirect(value)) {
          m_shared.redirected.push_back({std::move(batch.keys[i]), batch.prefixes[i], m_out.address});
          continue;
        }
        if (client::classify(value.str) == client::ServerErrorKind::wrong_type) {
          ++m_out.not_strings;
          continue;
        }
        return fail(client::to_error(value.str, "GET"));
      }
      if (value.is_null() || !value.is_string() ||
          (batch.ttls[i].type == resp::Type::integer && batch.ttls[i].integer == -2)) {
        ++m_out.vanished;
        continue;
      }
      auto record = make_session_record(std::move(batch.keys[i]), batch.prefixes[i], m_out.address,
                                        std::move(value.str), ttl_of(batch.ttls[i]), m_shared.options.user_fields);
      ++m_out.sessions;
      m_shared.visit(record);
    }
    if (m_waiting && m_batches < k_session_batches_in_flight) {
      m_waiting = false;
      send_scan();
    }
    maybe_done();
  }

  void fail(Error error) {
    if (m_failed) return;
    m_failed = true;
    m_scanning = false;
    m_out.error = error;
    finish(std::unexpected(std::move(error)));
  }

  void maybe_done() {
    if (m_failed) return;
    if (m_scanning || m_scan_in_flight || m_waiting || m_batches > 0) return;
    finish({});
  }

  void finish(Expected<void> result) {
    if (m_finished) return;
    m_finished = true;
    m_done(std::move(result));
  }

  Shared& m_shared;
  NodeSessionScan& m_out;
  client::Connection& m_conn;
  std::function<void(Expected<void>)> m_done;
  bool m_scanning = true;
  bool m_scan_in_flight = false;
  bool m_waiting = false;
  bool m_failed = false;
  bool m_finished = false;
  std::size_t m_batches = 0;
};

std::string node_label(cluster::Client& target, std::string_view key) {
  const auto* node = target.topology().primary_for_slot(cluster::key_slot(key));
  return node ? target.label(*node) : std::string("?");
}

}  // namespace

SessionRecord make_session_record(std::string key, std::string_view prefix, std::string node, std::string raw,
                                  std::optional<std::int64_t> ttl_ms, const std::vector<std::string>& user_fields) {
  SessionRecord r;
  r.id = key.substr(std::min(prefix.size(), key.size()));
  r.key = std::move(key);
  r.prefix = std::string(prefix);
  r.node = std::move(node);
  r.ttl_ms = ttl_ms;
  r.raw = std::move(raw);
  // Auto mode never fails: undecodable values come back as text or binary.
  if (auto decoded = decode::decode(r.raw)) r.decoded = std::move(*decoded);
  r.store = classify_store(r.key, r.decoded);
  if (r.decoded.data) {
    r.user = session_user(*r.decoded.data, user_fields);
    r.last_activity = session_last_activity(*r.decoded.data);
  }
  return r;
}

std::uint64_t SessionScanReport::sessions() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.sessions;
  return n;
}

std::uint64_t SessionScanReport::keys() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.keys;
  return n;
}

std::uint64_t SessionScanReport::scan_calls() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.scan_calls;
  return n;
}

bool SessionScanReport::complete() const {
  for (const auto& node : nodes)
    if (!node.complete || node.error) return false;
  return !interrupted;
}

std::optional<Error> SessionScanReport::first_error() const {
  for (const auto& node : nodes)
    if (node.error) return node.error;
  return std::nullopt;
}

SessionScanReport scan_sessions(cluster::Client& target, const SessionScanOptions& options, const SessionVisitor& visit,
                                const SessionScanProgress& progress) {
  auto start = Clock::now();
  SessionScanReport report;
  report.pattern = scan_pattern_for(options.prefixes);
  report.prefixes = options.prefixes;
  auto primaries = target.primaries();
  report.nodes.resize(primaries.size());
  for (std::size_t i = 0; i < primaries.size(); ++i) report.nodes[i].address = target.label(*primaries[i]);

  Shared shared{options, visit, report.pattern};
  std::vector<std::shared_ptr<NodeScan>> tasks;
  auto errors = server::run_on_primaries(
      target,
      [&](std::size_t i, const cluster::Node&, client::Connection& conn, std::function<void(Expected<void>)> done) {
        auto task = std::make_shared<NodeScan>(shared, report.nodes[i], conn, std::move(done));
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

  // Keys whose slot moved mid-scan, read again through the router (which follows MOVED/ASK).
  if (!shared.redirected.empty() && !report.interrupted) {
    std::vector<client::Command> commands;
    for (const auto& r : shared.redirected) {
      commands.push_back(client::keyed({"GET", r.key}));
      commands.push_back(client::keyed({"PTTL", r.key}));
    }
    auto replies = target.exec_all(std::move(commands));
    if (!replies) {
      if (!report.nodes.front().error) report.nodes.front().error = replies.error();
    } else {
      for (std::size_t i = 0; i < shared.redirected.size(); ++i) {
        auto& r = shared.redirected[i];
        auto& value = (*replies)[2 * i];
        // Counted on the node whose SCAN found the key.
        NodeSessionScan* node = &report.nodes.front();
        for (auto& n : report.nodes)
          if (n.address == r.node) node = &n;
        if (value.is_error() && client::classify(value.str) == client::ServerErrorKind::wrong_type) {
          ++node->not_strings;
        } else if (!value.is_string()) {
          ++node->vanished;
        } else {
          std::string label = node_label(target, r.key);
          auto record = make_session_record(std::move(r.key), r.prefix, std::move(label), std::move(value.str),
                                            ttl_of((*replies)[2 * i + 1]), options.user_fields);
          ++node->sessions;
          visit(record);
        }
      }
    }
  }
  if (util::interrupted()) report.interrupted = true;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

std::vector<SessionRecord> read_sessions(cluster::Client& target, const std::vector<std::string>& keys,
                                         const std::vector<std::string>& prefixes,
                                         const std::vector<std::string>& user_fields) {
  std::vector<client::Command> commands;
  for (const auto& key : keys) {
    commands.push_back(client::keyed({"GET", key}));
    commands.push_back(client::keyed({"PTTL", key}));
  }
  auto replies = value_or_throw(target.exec_all(std::move(commands)));
  std::vector<SessionRecord> out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto& value = replies[2 * i];
    if (value.is_error()) {
      if (client::classify(value.str) == client::ServerErrorKind::wrong_type) continue;
      throw Failure(client::to_error(value.str, "GET"));
    }
    if (!value.is_string()) continue;
    auto prefix = matching_prefix(keys[i], prefixes).value_or(std::string_view{});
    out.push_back(make_session_record(keys[i], prefix, node_label(target, keys[i]), std::move(value.str),
                                      ttl_of(replies[2 * i + 1]), user_fields));
  }
  return out;
}

}  // namespace rctl::session
