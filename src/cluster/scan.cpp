#include "cluster/scan.hpp"

#include "client/server_error.hpp"
#include "cluster/batching.hpp"
#include "cluster/redirect.hpp"
#include "net/event_loop.hpp"
#include "util/interrupt.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

namespace rctl::cluster {

namespace detail {

using ScanClock = std::chrono::steady_clock;

struct ScanShared {
  const ScanOptions& options;
  bool cluster = false;
  double rate_per_node = 0;  // weight/s, 0 = unlimited
  bool stop = false;  // interrupted: no new SCANs
  std::vector<MovedKey> moved;
};

struct PageState {
  std::shared_ptr<NodeScanner> node;
  std::size_t outstanding = 1;  // sends without a reply, plus 1 while the handler runs
};

// One primary: SCAN on one connection, the pages' work on the same or a second one. The
// node is done when its scan ended (cursor 0, or stopped) and no page has work outstanding.
class NodeScanner : public std::enable_shared_from_this<NodeScanner> {
 public:
  NodeScanner(ScanShared& shared, const ScanHandlers& handlers, ScanNode& out, std::size_t index,
              client::Connection& scan, client::Connection* work, net::EventLoop& loop, bool readonly,
              std::function<void(Expected<void>)> done)
      : m_shared(shared),
        m_handlers(handlers),
        m_out(out),
        m_index(index),
        m_scan(scan),
        m_work(work ? *work : scan),
        m_timer(loop),
        m_readonly(readonly),
        m_done(std::move(done)),
        m_start(ScanClock::now()) {}

  void start() {
    // A cluster replica answers keyed commands with MOVED unless the connection is READONLY;
    // pipelined ahead of everything else on each connection.
    if (m_readonly) {
      send_readonly(m_scan);
      if (&m_work != &m_scan) send_readonly(m_work);
    }
    check_size();
    send_scan();
  }

  // Interrupted: a node waiting (for the rate limit or for its pages) stops scanning now.
  void stop() {
    if (m_waiting_timer) m_timer.cancel();
    if (m_waiting_timer || m_waiting_drain) {
      m_waiting_timer = m_waiting_drain = false;
      m_scanning = false;
    }
    maybe_done();
  }

  bool failed() const { return m_failed || m_finished; }
  std::size_t index() const { return m_index; }
  const std::string& address() const { return m_out.address; }
  bool cluster() const { return m_shared.cluster; }

  void send_work(const std::shared_ptr<PageState>& page, client::Command command,
                 std::function<void(resp::Value)> on_reply, std::uint64_t weight) {
    if (failed()) return;
    ++page->outstanding;
    m_weight_sent += weight;
    m_weight_in_flight += weight;
    m_work.send(std::move(command),
                [self = shared_from_this(), page, weight, on_reply = std::move(on_reply)](Expected<resp::Value> reply) {
                  // A lost connection fails the node while this command still counts as in flight: its
                  // outcome is unknown.
                  if (!reply && !self->failed()) self->fail(reply.error());
                  self->m_weight_in_flight -= weight;
                  // After a failure the run may be over and the domain's state gone: drop late replies.
                  if (self->failed()) return;
                  on_reply(std::move(*reply));
                  self->release(page);
                });
  }

  void moved(std::vector<std::string> keys) {
    for (auto& k : keys) m_shared.moved.push_back({m_index, std::move(k)});
  }

  void fail(Error error) {
    if (m_failed) return;
    m_failed = true;
    m_scanning = false;
    m_timer.cancel();
    m_out.outcome_unknown = m_weight_in_flight;
    m_out.error = error;
    // The other connection may still hold replies; they are dropped (see send_work).
    finish(std::unexpected(std::move(error)));
  }

  // One send of `page` answered (or its handler returned).
  void release(const std::shared_ptr<PageState>& page) {
    if (--page->outstanding > 0 || failed()) return;
    --m_pages_in_flight;
    if (m_waiting_drain && m_pages_in_flight < m_shared.options.max_in_flight) {
      m_waiting_drain = false;
      send_scan();
    }
    maybe_done();
  }

 private:
  void send_scan() {
    if (failed() || !m_scanning) return;
    if (m_shared.stop) {
      m_scanning = false;
      return maybe_done();
    }
    if (m_pages_in_flight >= std::max<std::size_t>(1, m_shared.options.max_in_flight)) {
      m_waiting_drain = true;
      return;
    }
    if (auto delay = rate_delay(m_weight_sent, m_shared.rate_per_node, ScanClock::now() - m_start); delay.count() > 0) {
      m_waiting_timer = true;
      m_timer.start(delay, [self = shared_from_this()] {
        self->m_waiting_timer = false;
        self->send_scan();
      });
      return;
    }
    m_scan_in_flight = true;
    m_scan.send(client::cmd({"SCAN", m_out.cursor, "MATCH", m_shared.options.pattern, "COUNT",
                             std::to_string(m_shared.options.count)}),
                [self = shared_from_this()](Expected<resp::Value> r) { self->on_scan(std::move(r)); });
  }

  void on_scan(Expected<resp::Value> reply) {
    m_scan_in_flight = false;
    if (failed()) return;
    if (!reply) return scan_failed(reply.error());
    if (reply->is_error()) return scan_failed(client::to_error(reply->str, "SCAN"));
    if (reply->elements.size() != 2 || !reply->elements[0].is_string() || !reply->elements[1].is_list())
      return scan_failed({ErrorKind::protocol, "SCAN: unexpected reply shape", {}});
    ++m_out.scan_calls;
    m_out.cursor = std::move(reply->elements[0].str);
    if (m_out.cursor == "0") {
      m_scanning = false;
      m_out.complete = true;
    } else if (m_call_limit > 0 && m_out.scan_calls > m_call_limit) {
      // The keyspace may have grown since DBSIZE was read: ask once more before giving up.
      if (m_size_checks >= 2) return fail(endless_cursor_error(m_out.address, m_out.scan_calls, m_keys));
      m_call_limit = 0;
      check_size();
    }
    std::vector<std::string> keys;
    keys.reserve(reply->elements[1].elements.size());
    for (auto& v : reply->elements[1].elements) keys.push_back(std::move(v.str));
    // The page counts as in flight while its handler runs, so a stop (or a fast reply) cannot
    // finish the node before the page's work is sent and counted.
    auto page = std::make_shared<PageState>(PageState{shared_from_this(), 1});
    ++m_pages_in_flight;
    Page handle(page);
    m_handlers.on_page(handle, std::move(keys));
    release(page);
    send_scan();
  }

  // The walk cannot go on. With the pages' work on a second connection, the pages already
  // read still have replies on their way there: they are kept (the report counts them), then
  // the node fails. On one connection everything in flight is lost with it.
  void scan_failed(Error error) {
    if (&m_work == &m_scan || m_pages_in_flight == 0) return fail(std::move(error));
    m_scan_error = std::move(error);
    m_scanning = false;
    m_waiting_drain = false;
    maybe_done();
  }

  void send_readonly(client::Connection& conn) {
    conn.send(client::cmd({"READONLY"}), [self = shared_from_this()](Expected<resp::Value> r) {
      if (self->failed()) return;
      if (!r) return self->fail(r.error());
      if (r->is_error()) self->fail(client::to_error(r->str, "READONLY"));
    });
  }

  // Reads DBSIZE (pipelined before the next SCAN) to bound the walk; no bound when refused.
  void check_size() {
    ++m_size_checks;
    m_scan.send(client::cmd({"DBSIZE"}), [self = shared_from_this()](Expected<resp::Value> r) {
      if (self->failed() || !r || r->type != resp::Type::integer || r->integer < 0) return;
      self->m_keys = std::max(self->m_keys, static_cast<std::uint64_t>(r->integer));
      self->m_call_limit = scan_call_limit(self->m_keys, self->m_shared.options.count);
    });
  }

  void maybe_done() {
    if (failed()) return;
    if (m_waiting_drain && m_shared.stop) m_waiting_drain = false, m_scanning = false;
    if (m_scanning || m_scan_in_flight || m_waiting_timer || m_waiting_drain || m_pages_in_flight > 0) return;
    if (m_scan_error) return fail(*m_scan_error);
    finish({});
  }

  void finish(Expected<void> result) {
    if (m_finished) return;
    m_finished = true;
    m_done(std::move(result));
  }

  ScanShared& m_shared;
  const ScanHandlers& m_handlers;
  ScanNode& m_out;
  std::size_t m_index;
  client::Connection& m_scan;
  client::Connection& m_work;
  net::Timer m_timer;
  bool m_readonly;
  std::function<void(Expected<void>)> m_done;
  ScanClock::time_point m_start;
  bool m_scanning = true;
  bool m_scan_in_flight = false;
  bool m_waiting_drain = false;
  bool m_waiting_timer = false;
  bool m_failed = false;
  bool m_finished = false;
  std::optional<Error> m_scan_error;  // the SCAN connection failed; failing once the pages drain
  std::size_t m_pages_in_flight = 0;
  std::uint64_t m_weight_sent = 0;
  std::uint64_t m_weight_in_flight = 0;
  std::uint64_t m_keys = 0;  // the largest DBSIZE seen
  std::uint64_t m_call_limit = 0;  // SCAN calls before the walk is impossible; 0 = no bound (yet)
  int m_size_checks = 0;
};

}  // namespace detail

std::size_t Page::node() const { return m_state->node->index(); }

const std::string& Page::address() const { return m_state->node->address(); }

void Page::send(client::Command command, std::function<void(resp::Value)> on_reply, std::uint64_t weight) {
  m_state->node->send_work(m_state, std::move(command), std::move(on_reply), weight);
}

std::vector<std::vector<std::string>> Page::batches(std::vector<std::string> keys, std::size_t max_batch) const {
  if (m_state->node->cluster()) return group_by_slot(std::move(keys), max_batch);
  // One server: any keys may share a command.
  std::vector<std::vector<std::string>> out;
  max_batch = std::max<std::size_t>(1, max_batch);
  for (std::size_t from = 0; from < keys.size(); from += max_batch) {
    auto to = std::min(keys.size(), from + max_batch);
    out.emplace_back(std::make_move_iterator(keys.begin() + static_cast<std::ptrdiff_t>(from)),
                     std::make_move_iterator(keys.begin() + static_cast<std::ptrdiff_t>(to)));
  }
  return out;
}

void Page::moved(std::vector<std::string> keys) { m_state->node->moved(std::move(keys)); }

void Page::fail(Error error) { m_state->node->fail(std::move(error)); }

std::optional<OwnSlots> parse_own_slots(std::string_view cluster_nodes) {
  std::size_t from = 0;
  while (from < cluster_nodes.size()) {
    auto end = cluster_nodes.find('\n', from);
    if (end == std::string_view::npos) end = cluster_nodes.size();
    auto line = cluster_nodes.substr(from, end - from);
    from = end + 1;
    std::vector<std::string_view> fields;
    for (std::size_t at = 0; at < line.size();) {
      auto space = line.find(' ', at);
      if (space == std::string_view::npos) space = line.size();
      if (space > at) fields.push_back(line.substr(at, space - at));
      at = space + 1;
    }
    // id addr flags primary ping pong epoch link slot...
    if (fields.size() < 8 || fields[2].find("myself") == std::string_view::npos) continue;
    OwnSlots own;
    own.layout = std::string(fields[0]) + " " + std::string(fields[6]);
    for (std::size_t i = 8; i < fields.size(); ++i) {
      if (fields[i].starts_with("[")) own.migrations.emplace_back(fields[i]);
      else own.layout += " " + std::string(fields[i]);
    }
    return own;
  }
  return std::nullopt;
}

bool slot_moved(const resp::Value& reply) {
  if (!reply.is_error()) return false;
  auto kind = parse_redirect(reply.str).kind;
  return kind == RedirectKind::moved || kind == RedirectKind::ask || kind == RedirectKind::try_again;
}

Error endless_cursor_error(const std::string& address, std::uint64_t calls, std::uint64_t keys) {
  return {ErrorKind::protocol,
          fmt::format("SCAN on {} did not return to cursor 0 after {} calls, more than a keyspace of {} "
                      "keys can take: the server's cursor never ends",
                      address, calls, keys),
          "a proxy or server that does not implement SCAN cursors as Redis does; report it to its vendor"};
}

std::uint64_t scan_call_limit(std::uint64_t keys, std::size_t count) {
  return 16 * (keys / std::max<std::size_t>(1, count) + 1) + 1024;
}

std::chrono::milliseconds rate_delay(std::uint64_t weight_sent, double rate_per_second,
                                     std::chrono::duration<double> elapsed) {
  if (rate_per_second <= 0) return {};
  double due = static_cast<double>(weight_sent) / rate_per_second;
  if (due <= elapsed.count()) return {};
  return std::chrono::milliseconds(static_cast<long>((due - elapsed.count()) * 1000.0));
}

namespace {

// Every primary's own slots, in one text (layouts joined) plus the migrations in progress;
// nullopt when a node cannot say (its error is the scan's business, not this check's).
struct SlotLayout {
  std::string layout;
  std::vector<std::string> migrations;
};

std::optional<SlotLayout> read_slot_layout(Client& target) {
  SlotLayout out;
  for (auto& outcome : target.fan_out(NodeSelection::primaries, {client::cmd({"CLUSTER", "NODES"})})) {
    if (!outcome.replies || outcome.replies->empty() || !outcome.replies->front().is_string()) return std::nullopt;
    auto own = parse_own_slots(outcome.replies->front().str);
    if (!own) return std::nullopt;
    out.layout += own->layout + "\n";
    out.migrations.insert(out.migrations.end(), own->migrations.begin(), own->migrations.end());
  }
  return out;
}

std::string unstable_reason(const std::optional<SlotLayout>& before, const std::optional<SlotLayout>& after,
                            std::size_t moved_keys) {
  std::vector<std::string> why;
  for (const auto* state : {&before, &after})
    if (*state && !(*state)->migrations.empty()) {
      why.push_back(fmt::format("slot migration in progress {} the scan ({})", state == &before ? "before" : "after",
                                fmt::join((*state)->migrations, " ")));
    }
  if (before && after && before->layout != after->layout) why.push_back("the slot map changed during the scan");
  // A node that cannot say (CLUSTER NODES refused by an ACL, a failed node) adds no reason of
  // its own: the MOVED/ASK replies below still tell, and a failed node makes the run fail.
  if (moved_keys > 0) why.push_back(fmt::format("{} key(s) answered MOVED/ASK/TRYAGAIN", moved_keys));
  return fmt::format("{}", fmt::join(why, "; "));
}

}  // namespace

void scan_primaries(Client& target, const ScanOptions& options, const ScanHandlers& handlers, ScanRun& run) {
  std::optional<SlotLayout> before;
  if (target.is_cluster()) before = read_slot_layout(target);
  auto start = detail::ScanClock::now();
  auto primaries = target.select(options.nodes);
  std::map<const Node*, std::size_t> index;
  run.nodes.assign(primaries.size(), {});
  for (std::size_t i = 0; i < primaries.size(); ++i) {
    index[primaries[i]] = i;
    run.nodes[i].address = target.label(*primaries[i]);
    run.nodes[i].replica = target.is_cluster() && !primaries[i]->primary;
  }
  detail::ScanShared shared{options, target.is_cluster()};
  if (options.max_rate && *options.max_rate > 0)
    shared.rate_per_node = *options.max_rate / static_cast<double>(std::max<std::size_t>(1, primaries.size()));

  std::vector<std::unique_ptr<client::Connection>> work(primaries.size());
  if (options.separate_connection)
    for (std::size_t i = 0; i < primaries.size(); ++i) {
      auto conn = target.open_connection(*primaries[i]);
      if (conn && !options.work_setup.empty()) {
        // An error reply is the server's answer to the setting; only a failed connection counts.
        if (auto setup = (*conn)->exec(options.work_setup); !setup) conn = std::unexpected(setup.error());
      }
      if (conn) work[i] = std::move(*conn);
      else run.nodes[i].error = conn.error();
    }

  auto interrupted = options.interrupted ? options.interrupted : std::function<bool()>(util::interrupted);
  std::vector<std::shared_ptr<detail::NodeScanner>> scanners;
  net::Timer timer(target.loop());
  std::function<void()> on_tick = [&] {
    if (interrupted() && !shared.stop) {
      shared.stop = true;
      run.interrupted = true;
      if (options.on_interrupt) options.on_interrupt();
      for (auto& s : scanners) s->stop();
    }
    run.seconds = std::chrono::duration<double>(detail::ScanClock::now() - start).count();
    if (options.tick) options.tick();
    // A walk can outlive a cloud identity token: AUTH again, queued behind the batches.
    std::vector<client::Connection*> owned;
    for (auto& conn : work) owned.push_back(conn.get());
    target.refresh_while_busy(owned);
    timer.start(std::chrono::milliseconds(100), on_tick);
  };
  timer.start(std::chrono::milliseconds(100), on_tick);
  auto results = target.run_on_nodes(
      options.nodes, [&](const Node& node, client::Connection& conn, std::function<void(Expected<void>)> done) {
        auto i = index.at(&node);
        if (run.nodes[i].error) return done(std::unexpected(*run.nodes[i].error));
        const bool readonly = target.is_cluster() && !node.primary;
        auto scanner = std::make_shared<detail::NodeScanner>(shared, handlers, run.nodes[i], i, conn, work[i].get(),
                                                             target.loop(), readonly, std::move(done));
        scanners.push_back(scanner);
        scanner->start();
      });
  timer.cancel();
  // A node whose connection could not be opened has no scanner to record its error.
  for (auto& [node, result] : results)
    if (!result && !run.nodes[index.at(node)].error) run.nodes[index.at(node)].error = result.error();

  const auto moved_keys = shared.moved.size();
  if (!shared.moved.empty() && handlers.replay) handlers.replay(std::move(shared.moved));
  if (target.is_cluster()) run.unstable = unstable_reason(before, read_slot_layout(target), moved_keys);
  if (interrupted()) run.interrupted = true;
  run.seconds = std::chrono::duration<double>(detail::ScanClock::now() - start).count();
}

}  // namespace rctl::cluster
