#pragma once
// Invalidate-by-prefix: delete every key that starts with a literal prefix, on every primary
// at once, without blocking the server. SCAN (COUNT = batch, MATCH = the escaped prefix) runs
// on one connection per primary while UNLINKs drain on a second, so the server always has
// work queued; memory stays constant whatever the keyspace size. Keys outside the prefix are
// never deleted: every key SCAN returns is checked against the literal prefix first.

#include "cluster/client.hpp"
#include "output/document.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rctl::cache {

inline constexpr std::size_t k_default_batch = 1000;
inline constexpr std::size_t k_max_batch = 10000;
inline constexpr std::size_t k_default_sample = 10;
inline constexpr int k_invalidate_passes = 3;

struct InvalidateOptions {
  std::string prefix;  // literal; an empty prefix means every key (needs all_keys)
  bool dry_run = false;  // scan and count, delete nothing
  std::size_t batch = k_default_batch;  // SCAN COUNT and most keys per UNLINK
  std::optional<double> max_rate;  // deleted keys per second, over all nodes
  std::size_t sample = k_default_sample;  // keys kept for the dry-run sample
};

struct NodeInvalidation {
  std::string address;
  std::uint64_t scan_calls = 0;
  std::uint64_t matched = 0;  // keys SCAN returned (a key may come twice during a rehash)
  std::uint64_t deleted = 0;  // keys UNLINK (or DEL) actually removed: exact
  std::uint64_t outcome_unknown = 0;  // keys whose UNLINK was sent when the connection was lost:
      // deleted or not, no reply says which
  std::uint64_t skipped = 0;  // returned by SCAN but not under the prefix (never deleted)
  std::string cursor = "0";  // where this node's scan stopped (resume point when not complete)
  bool complete = false;  // the scan reached cursor 0
  std::optional<Error> error;
  std::vector<std::string> sample;
};

struct InvalidateReport {
  std::string target;
  std::string prefix;
  std::string pattern;  // the effective SCAN MATCH pattern
  bool dry_run = false;
  bool interrupted = false;
  bool used_del = false;  // the server does not know UNLINK (Redis < 4): DEL was used
  int passes = 0;  // scans of the keyspace: more than one when slots moved during one
  std::string incomplete_reason;  // slots still moving after the last pass: keys may remain
  std::vector<NodeInvalidation> nodes;
  double seconds = 0;

  std::uint64_t matched() const;
  std::uint64_t deleted() const;
  std::uint64_t outcome_unknown() const;
  std::uint64_t scan_calls() const;
  bool complete() const;  // every node scanned to the end without error, no slot moving
};

// Progress callback: called about every 100 ms with the figures so far.
using InvalidateProgress = std::function<void(const InvalidateReport& so_far)>;

// Runs the invalidation. Ctrl-C (util::interrupted) stops every node within one batch; the
// report then says how far each got. Connection failures are kept per node. When a cluster's
// slots moved during a pass (a migration), keys may have slipped past it: the keyspace is
// scanned again, up to k_invalidate_passes times, then the report says why it is incomplete.
InvalidateReport invalidate_prefix(cluster::Client& target, const InvalidateOptions& options,
                                   const InvalidateProgress& progress = {});

// JSON and table forms of the report.
output::Document render_invalidate(const InvalidateReport& report);

}  // namespace rctl::cache
