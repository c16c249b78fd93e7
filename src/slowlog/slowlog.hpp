#pragma once
// `rctl slowlog`: SLOWLOG GET from every node (primaries and replicas), merged into one
// timeline, filtered, grouped by command name, plus LATENCY LATEST per node; and the
// bookkeeping of --watch (entries new since the last poll, by entry id per node).
//
// Domain slowlog (namespace rctl::slowlog, library rctl_slowlog): may use server/ (latency
// summaries, the latency monitor), cluster/, client/, decode/, util/; output/ only in its render*.cpp files
// (documents: slowlog/render.hpp). Never commands/ nor another domain: src/CMakeLists.txt
// links by that table and tests/docs/check_layers.py fails on a wrong-way include.

#include "cluster/client.hpp"
#include "resp/value.hpp"
#include "server/latency_monitor.hpp"
#include "util/error.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

namespace rctl::slowlog {

// Bounds: SLOWLOG GET is untrusted input like any reply. Redis itself keeps at most 32
// arguments of 128 bytes per entry; a server that sends more is cut here, not trusted.
inline constexpr std::int64_t k_max_limit = 100'000;  // --limit
inline constexpr std::size_t k_max_args = 1024;  // arguments kept per entry
inline constexpr std::size_t k_max_arg_bytes = 64 * 1024;  // bytes kept per argument

// One SLOWLOG entry as a node reported it.
struct Entry {
  std::string node;  // the node's address label ("host:port")
  std::int64_t id = 0;  // per-node, increasing
  std::int64_t time_s = 0;  // unix time the command started
  std::int64_t duration_us = 0;  // execution time, microseconds
  std::vector<std::string> args;  // the command and its arguments (as Redis shortened them)
  std::string client_addr;  // empty before Redis 4.0
  std::string client_name;
};

// Parses one element of a SLOWLOG GET reply ([id, time, duration, [args...], addr, name]).
// Fails with ErrorKind::protocol on a malformed entry; arguments beyond the bounds are cut.
Expected<Entry> parse_entry(const resp::Value& value, const std::string& node);

// One LATENCY LATEST event (latency monitor; empty unless latency-monitor-threshold is set).
// A latency-monitor event and the node that recorded it.
struct LatencyEvent : server::LatencyEvent {
  std::string node;
};

struct NodeResult {
  std::string address;
  std::string role;  // "primary" / "replica"
  std::optional<Error> error;  // unreachable, or SLOWLOG refused (ACL, provider)
  std::optional<Error> latency_error;  // LATENCY LATEST refused; the slow log may still be there
  std::int64_t entries_read = 0;  // before --since/--min
  std::optional<std::int64_t> max_id;  // highest entry id read (before filtering), for --watch
  std::optional<std::int64_t> min_id;  // lowest entry id read: a gap below it was not read
  std::optional<Error> reset_error;  // SLOWLOG RESET refused or failed (with --reset)
  bool reset = false;  // SLOWLOG RESET done
};

struct Options {
  std::int64_t limit = 128;  // entries per node (SLOWLOG GET count)
  std::optional<std::int64_t> since_s;  // keep entries that started at or after this unix time
  std::int64_t min_us = 0;  // keep entries at least this slow
};

// Per command name: how often it was slow and how slow.
struct Group {
  std::string command;  // lower-case command name ("get", "client|list" style for containers)
  std::int64_t count = 0;
  std::int64_t total_us = 0;
  std::int64_t max_us = 0;
  double p99_us = 0;  // nearest-rank
  std::int64_t nodes = 0;  // distinct nodes it was seen on
};

struct Report {
  std::string target;  // redacted URL
  bool cluster = false;
  std::vector<NodeResult> nodes;
  std::vector<Entry> entries;  // merged: by time, then node, then duration (slowest first)
  std::vector<LatencyEvent> latency;  // by node, then event
  std::chrono::system_clock::time_point taken;
};

// SLOWLOG GET `limit` and LATENCY LATEST on every node concurrently, filtered and merged.
Report collect(cluster::Client& target, const Options& options);

// True when no node answered SLOWLOG: the first node's error says why.
bool none_answered(const Report& report);

// Sorts entries by time, node, duration (slowest first), then id.
void sort_entries(std::vector<Entry>& entries);

// Groups entries by command name, slowest total first.
std::vector<Group> group_by_command(const std::vector<Entry>& entries);

// The command line of an entry for tables: arguments joined by spaces, each cut to
// `arg_bytes` bytes and at most `max_args` arguments, with what was left out said
// ("... (+3 args)"); `full` keeps everything. Not escaped: the printer escapes every byte.
std::string command_text(const Entry& entry, bool full);

// SLOWLOG RESET on every node that answered SLOWLOG GET in `report` (records it there).
void reset(cluster::Client& target, Report& report);

// What one --watch poll found beyond the last one.
struct WatchPoll {
  std::vector<Entry> entries;  // new since the last poll
  // Entries that came and went unread: more than --limit new ones between two polls, or
  // dropped by the server's slowlog-max-len. Node -> how many ids were skipped.
  std::map<std::string, std::int64_t> missed;
  std::vector<NodeResult> failed;  // nodes that answered before and fail now (once per outage)
  std::vector<std::string> recovered;  // nodes that answer again after failing
};

// --watch: the highest entry id seen per node and which nodes are failing. A node whose ids
// went down was restarted (or its log reset by someone else with a lower id): everything it
// shows is new.
class Watermarks {
 public:
  // Keeps only entries newer than the last poll's, counts the ids skipped over, records the
  // new highest ids and notes nodes that started or stopped failing. The first call only
  // records (the first report showed everything); a node first seen later shows all.
  WatchPoll take_new(const std::vector<Entry>& entries, const std::vector<NodeResult>& nodes);

 private:
  std::map<std::string, std::int64_t> m_last;  // node -> highest id seen
  std::set<std::string> m_failing;  // nodes whose last poll failed
  bool m_primed = false;
};

}  // namespace rctl::slowlog
