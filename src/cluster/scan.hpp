#pragma once
// The one keyspace scan engine: SCAN on every primary at once, on the client's event loop.
// A domain (cache invalidate, session scans, ratelimit list) supplies only what to do with
// one page of keys; the engine owns the rest: the cursor walk, how many pages' work may be
// outstanding per primary, the rate limit, Ctrl-C (stop within one page), the 100 ms progress
// tick, batching keys by slot for multi-key commands, a node that fails without stopping the
// others, and the keys whose slot moved mid-run (MOVED/ASK/TRYAGAIN on a page's command:
// collected, handed back to be replayed routed once the scan is over).

#include "cluster/client.hpp"
#include "util/error.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rctl::cluster {

// One primary's part of a scan.
struct ScanNode {
  std::string address;
  bool replica = false;  // a cluster replica was scanned (ScanOptions::nodes), not the primary
  std::uint64_t scan_calls = 0;
  std::string cursor = "0";  // where the scan stopped (resume point when not complete)
  bool complete = false;  // the scan reached cursor 0
  std::optional<Error> error;
  std::uint64_t outcome_unknown = 0;  // weight of the commands in flight when the node failed:
      // sent, never answered, so they may or may not have run
};

// A key whose command was answered with a redirect: its slot moved during the run.
struct MovedKey {
  std::size_t node = 0;  // index of the primary whose scan found it
  std::string key;
};

namespace detail {
class NodeScanner;
struct PageState;
}  // namespace detail

// One SCAN reply's work, handed to the page handler. Copies share the page; keep one in a
// reply callback to send more for the same page.
class Page {
 public:
  explicit Page(std::shared_ptr<detail::PageState> state) : m_state(std::move(state)) {}

  std::size_t node() const;  // index of the primary (its position in primaries())
  const std::string& address() const;

  // Sends `command` on the node's work connection. `on_reply` gets the reply (error replies
  // included) unless the node failed meanwhile; a lost connection fails the node. `weight`
  // is what the command counts for the rate limit and, should the node fail before it is
  // answered, for ScanNode::outcome_unknown (say, the number of keys it deletes).
  void send(client::Command command, std::function<void(resp::Value)> on_reply, std::uint64_t weight = 0);

  // Cuts `keys` into batches a multi-key command can take: same slot in a cluster, at most
  // `max_batch` keys each.
  std::vector<std::vector<std::string>> batches(std::vector<std::string> keys, std::size_t max_batch) const;

  // Records keys whose slot moved (their command got MOVED/ASK/TRYAGAIN) for the replay.
  void moved(std::vector<std::string> keys);

  // Fails this primary's scan with `error` (its other work is dropped).
  void fail(Error error);

 private:
  std::shared_ptr<detail::PageState> m_state;
};

struct ScanOptions {
  std::string pattern = "*";  // SCAN MATCH
  std::size_t count = 1000;  // SCAN COUNT
  std::size_t max_in_flight = 8;  // pages per primary whose work is outstanding before SCAN waits
  std::optional<double> max_rate;  // weight per second over all primaries (none: unlimited)
  bool separate_connection = false;  // send page work on a second connection per primary
  // Sent first on each of those second connections, replies not looked at (a setting the
  // caller made on its own connection, e.g. CLIENT NO-TOUCH ON, which a server may refuse).
  std::vector<client::Command> work_setup;
  // Which node of each shard to scan: the primaries, or NodeSelection::replicas to spare them
  // (a cluster replica's connections get READONLY, so keyed reads are served there).
  NodeSelection nodes = NodeSelection::primaries;
  std::function<bool()> interrupted;  // polled every 100 ms; empty: util::interrupted
  std::function<void()> on_interrupt;  // once, when the scan starts stopping
  std::function<void()> tick;  // every 100 ms (progress)
};

struct ScanHandlers {
  // Called for each SCAN reply with its keys (moved from). Runs on the caller's thread.
  std::function<void(Page& page, std::vector<std::string> keys)> on_page;
  // Called once after the scan with the keys whose slot moved (if any), to be sent again
  // through the router (Client::exec / exec_all follow redirects).
  std::function<void(std::vector<MovedKey> keys)> replay;
};

struct ScanRun {
  std::vector<ScanNode> nodes;  // by primary, in primaries() order
  bool interrupted = false;
  double seconds = 0;
  // Cluster only: why keys may have moved past the scan (a slot migrating or importing before
  // or after it, the slot map changing during it, keys answering MOVED/ASK); empty when the
  // slots held still. SCAN on a node misses keys that left it, and the node they went to may
  // have been scanned already: such a scan is not complete, whatever the cursors say.
  std::string unstable;
};

// Scans every primary (or the replica of each, ScanOptions::nodes). Node failures are kept in `run.nodes` and never thrown; the other
// nodes go on. `run` is filled as the scan goes (read it from ScanOptions::tick).
void scan_primaries(Client& target, const ScanOptions& options, const ScanHandlers& handlers, ScanRun& run);

// One primary's view of its own slots, from its CLUSTER NODES text (the "myself" line).
struct OwnSlots {
  std::string layout;  // id, config epoch and slot ranges: equal while nothing moved
  std::vector<std::string> migrations;  // "[93->-<id>]" (migrating), "[93-<-<id>]" (importing)
};

// Parses the "myself" line of a CLUSTER NODES reply; nullopt when there is none.
std::optional<OwnSlots> parse_own_slots(std::string_view cluster_nodes);

// True when `reply` says the key's slot is served elsewhere now (MOVED, ASK, TRYAGAIN): the
// command did not run, routing it again is safe.
bool slot_moved(const resp::Value& reply);

// How long to wait before the next SCAN so that `weight_sent` stays under `rate_per_second`
// after `elapsed`; zero when no wait is due or there is no limit (rate <= 0).
std::chrono::milliseconds rate_delay(std::uint64_t weight_sent, double rate_per_second,
                                     std::chrono::duration<double> elapsed);

// The most SCAN calls a walk of a keyspace of `keys` keys (DBSIZE) can take with COUNT `count`:
// a call visits at least `count` keys or 10 x `count` buckets, and a table has fewer than
// ~10 buckets per key even before it shrinks; the margin (16x, plus 1,024 calls) absorbs a
// keyspace that grows during the walk. A cursor still not back to 0 after that never will be.
std::uint64_t scan_call_limit(std::uint64_t keys, std::size_t count);

// The error for a SCAN on `address` still not back to cursor 0 after `calls` calls over a
// keyspace of `keys` keys (exit 6).
Error endless_cursor_error(const std::string& address, std::uint64_t calls, std::uint64_t keys);

// Copies the engine's per-node figures into a domain's node results (those that have them).
template <class DomainNode>
void copy_scan_figures(const std::vector<ScanNode>& from, std::vector<DomainNode>& to) {
  for (std::size_t i = 0; i < from.size() && i < to.size(); ++i) {
    to[i].scan_calls = from[i].scan_calls;
    to[i].complete = from[i].complete;
    if (from[i].error && !to[i].error) to[i].error = from[i].error;
    if constexpr (requires { to[i].cursor; }) to[i].cursor = from[i].cursor;
    if constexpr (requires { to[i].outcome_unknown; }) to[i].outcome_unknown = from[i].outcome_unknown;
  }
}

// The scan's figures so far into a domain report: its per-node results and the seconds
// since `start`. What each domain's progress tick shows, and its final report holds.
template <class Report>
void copy_scan_progress(const ScanRun& run, Report& report, std::chrono::steady_clock::time_point start) {
  copy_scan_figures(run.nodes, report.nodes);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace rctl::cluster
