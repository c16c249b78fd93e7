#pragma once
// `rctl ratelimit list|show|reset`: find the rate limiters an application keeps in Redis, read
// how much of each limit is used, and clear a client's limits. Layouts read:
//
//   limits / Flask-Limiter   keys that carry their limit (ratelimit/key.hpp): fixed window
//                            (string counter + TTL), moving window (list of hit times), sliding-
//                            window counter (two counters in one hash slot)
//   hand-rolled, by pattern  INCR + EXPIRE counters, sorted-set logs (score = hit time), lists
//                            of hit times; their limit comes from --limit
//   redis-cell               a string holding the GCRA theoretical arrival time in Unix ns
//                            (read only; its rate comes from --limit, its burst from --burst)
//
// Reading never writes: limits' own read script rolls a sliding window over; we compute what
// that would give instead (ratelimit/usage.hpp).
//
// Domain ratelimit (namespace rctl::ratelimit, library rctl_ratelimit): may use server/ (the
// primary fan-out), cluster/, client/, decode/, util/; output/ only in its render*.cpp files
// (documents: ratelimit/render.hpp). Never commands/ nor another domain: src/CMakeLists.txt
// links by that table and tests/docs/check_layers.py fails on a wrong-way include.

#include "cluster/client.hpp"
#include "ratelimit/key.hpp"
#include "ratelimit/spec.hpp"
#include "ratelimit/usage.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rctl::ratelimit {

// The SCAN pattern when none is given: matches limits' LIMITER/... and LIMITS:... keys.
inline constexpr std::string_view k_limits_pattern = "LIMIT*";
inline constexpr std::size_t k_default_list_max = 100;
inline constexpr std::size_t k_default_show_entries = 100;
// Most window-log entries read per key: a limit above this is counted with ZCOUNT/LLEN only.
inline constexpr std::int64_t k_max_window_entries = 100'000;

enum class LimiterLayout { limits, limits_prefixed, limits_sliding, counter, list_log, zset_log, redis_cell };
enum class LimiterStrategy { fixed_window, moving_window, sliding_window_counter, sliding_log, gcra };

// "limits", "limits-prefixed", "limits-sliding", "counter", "list-log", "zset-log", "redis-cell".
const char* to_string(LimiterLayout layout);
// limits' names ("fixed-window", "moving-window", "sliding-window-counter"), "sliding-log", "gcra".
const char* to_string(LimiterStrategy strategy);

// One raw entry of a window log (moving-window list element, sorted-set member).
struct WindowEntry {
  std::string value;  // the list element or sorted-set member, as stored
  double timestamp = 0;  // hit time, Unix seconds
  bool in_window = false;  // still counted
};

// One limiter as read: a key (two for a sliding-window counter) and its usage.
struct Limiter {
  std::string key;  // the key (sliding: the current-window key)
  std::string previous_key;  // sliding: the previous-window key ".../-1"
  LimiterLayout layout = LimiterLayout::counter;
  LimiterStrategy strategy = LimiterStrategy::fixed_window;
  std::string identity;  // limits keys: who is limited
  std::string scope;  // limits keys: where
  std::optional<LimitItem> limit;
  bool limit_from_key = false;  // false: from --limit
  std::optional<std::int64_t> max_burst;  // redis-cell
  Usage usage;
  std::int64_t ttl_ms = -2;  // PTTL of `key` (-1 no expiry)
  std::string node;  // "host:port" serving the key
  // Raw state, for `show`.
  std::optional<std::int64_t> count;  // fixed window / counter value
  std::optional<SlidingWindowState> sliding;  // as stored (before any rollover)
  std::optional<std::int64_t> tat_ns;  // redis-cell
  std::vector<WindowEntry> entries;  // newest first, up to ReadOptions::entries
  std::int64_t entries_total = 0;  // LLEN / ZCARD
};

struct ReadOptions {
  std::optional<LimitItem> limit;  // for keys that do not carry theirs (--limit)
  std::optional<std::int64_t> max_burst;  // redis-cell max_burst (default: amount - 1)
  std::size_t entries = 0;  // raw log entries to keep per key (show)
};

// Reads one key. A limits ".../-1" key is shown with its current-window partner. Throws
// not_found when the key (or, for a sliding window, both keys) does not exist, and usage when
// it holds something that is not a limiter (a hash, a non-numeric string...).
Limiter show_limiter(cluster::Client& target, const std::string& key, const ReadOptions& options);

struct LimiterListOptions {
  std::string pattern;  // SCAN MATCH; empty: k_limits_pattern, limits keys only
  std::optional<std::string> client;  // only this client's limiters
  ReadOptions read;
  std::size_t max = k_default_list_max;  // rows kept (most used first)
  bool keep_all = false;  // keep every row (reset --client)
};

struct NodeScanResult {
  std::string address;
  std::uint64_t scan_calls = 0;
  std::uint64_t keys_seen = 0;
  bool complete = false;
  std::optional<Error> error;
};

struct ListReport {
  std::string target;
  std::string pattern;  // the effective SCAN MATCH pattern
  std::optional<std::string> client;
  std::vector<Limiter> limiters;  // most used first, at most LimiterListOptions::max
  std::uint64_t limiters_total = 0;  // limiters found (SCAN may report a key twice)
  std::uint64_t skipped = 0;  // keys matched that are not limiters rctl reads
  bool truncated = false;  // more limiters than shown
  bool interrupted = false;
  std::vector<NodeScanResult> nodes;
  double seconds = 0;

  std::uint64_t keys_seen() const;
  const Error* first_error() const;  // the first node that failed, if any
};

// Progress callback, about every 100 ms.
using ListProgress = std::function<void(const ListReport& so_far)>;

// SCANs every primary concurrently, reads each batch of keys in per-node pipelines, and keeps
// the `max` most used limiters (share of the limit used, then count). Ctrl-C stops the scan;
// node failures are kept per node.
ListReport list_limiters(cluster::Client& target, const LimiterListOptions& options, const ListProgress& progress = {});

// The order of `list`: share of the limit used, then hits, then key.
bool more_used(const Limiter& a, const Limiter& b);

struct ResetReport {
  std::string target;
  bool dry_run = false;
  std::optional<std::string> client;
  std::vector<Limiter> limiters;  // what was (or would be) cleared
  std::vector<std::string> missing;  // keys named that do not exist
  std::int64_t keys_deleted = 0;  // keys removed (a sliding window has two)
  std::int64_t outcome_unknown = 0;  // keys whose UNLINK was sent when the connection was lost
};

// The keys of `limiters` (both windows of a sliding-window counter).
std::vector<std::string> limiter_keys(const std::vector<Limiter>& limiters);

// Reads the named keys for the report; throws usage (nothing deleted) when one is not a limiter.
ResetReport prepare_reset(cluster::Client& target, const std::vector<std::string>& keys, const ReadOptions& options);

// Deletes every key of report.limiters (UNLINK, DEL before Redis 4) unless report.dry_run.
void run_reset(cluster::Client& target, ResetReport& report);

}  // namespace rctl::ratelimit
