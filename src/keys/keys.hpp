#pragma once
// `rctl keys analyze`: what is using the memory. One walk of the keyspace of every primary (or
// of one replica per shard) through the scan engine (cluster/scan.hpp); for each page of keys,
// TYPE, MEMORY USAGE, the type's length command, PTTL, OBJECT ENCODING and OBJECT IDLETIME or
// FREQ are pipelined on the node's connection, every node at once. What is kept is bounded
// (keys/model.hpp): the memory does not grow with the keyspace. Never KEYS, SYNC, DEBUG or a
// script. Uses cluster/, server/ (INFO) and util/; renders through keys/render.hpp.

#include "cluster/client.hpp"
#include "keys/model.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rctl::keys {

// SCAN COUNT: about the number of keys per pipeline.
inline constexpr std::size_t k_keys_scan_count = 500;
// Pages per node whose commands are outstanding before SCAN waits: 4 left the server idle
// half the time (a page is done only once its slowest reply is in); 16 took 200k keys from
// 1.7 s to 1.2 s, 32 no further.
inline constexpr std::size_t k_keys_pages_in_flight = 16;

struct AnalyzeOptions {
  std::string prefix;  // only keys starting with it (SCAN MATCH, glob characters escaped)
  std::string separator = ":";
  std::size_t depth = 3;  // prefix tree levels
  std::size_t max_groups = 1000;  // prefix tree groups, then "other"
  std::size_t top = 10;  // keys in each top list
  std::optional<std::uint32_t> samples;  // MEMORY USAGE ... SAMPLES n (server default 5)
  double sample = 1.0;  // share of the keys read, (0, 1]; chosen by a hash of the key
  std::optional<std::uint64_t> max_keys;  // stop after reading this many (an estimate)
  std::optional<double> max_rate;  // keys per second over all nodes
  bool replicas = false;  // scan one replica per shard instead of the primaries
  std::size_t count = k_keys_scan_count;
};

// One INFO KEYSIZES histogram (Redis 8), summed over the nodes: "db0_distrib_strings_sizes"
// and its power-of-two bins ("1K" -> keys).
struct KeysizesHistogram {
  std::string name;
  std::vector<std::pair<std::string, std::uint64_t>> bins;
};

// The histograms of an INFO KEYSIZES reply; empty when the server has no such section.
std::vector<KeysizesHistogram> parse_keysizes(std::string_view info_text);

// Adds `from`'s counts into `into`, histogram by histogram and bin by bin.
void merge_keysizes(std::vector<KeysizesHistogram>& into, const std::vector<KeysizesHistogram>& from);

// One scanned node's part.
struct NodeAnalysis {
  std::string address;
  bool replica = false;  // a cluster replica was scanned
  std::uint64_t scan_calls = 0;
  std::string cursor = "0";
  bool complete = false;
  std::optional<Error> error;
  std::uint64_t dbsize = 0;  // DBSIZE before the scan
  std::uint64_t scanned = 0;  // keys SCAN returned and the run considered
  std::uint64_t analyzed = 0;  // keys read (after --sample)
  std::uint64_t vanished = 0;  // expired or deleted between SCAN and the reads
  std::string policy;  // maxmemory-policy; empty when INFO did not say
  bool lfu = false;  // an LFU policy: OBJECT FREQ is read instead of OBJECT IDLETIME
  bool memory_denied = false;  // MEMORY USAGE refused (ACL, provider): no bytes for its keys
  bool object_denied = false;  // OBJECT refused: no encoding, idle time or frequency
  // CLIENT NO-TOUCH ON took (Redis >= 7.2): reading lengths left the keys' LRU/LFU data alone.
  // Without it STRLEN, HLEN... count as an access (after OBJECT IDLETIME/FREQ was read).
  bool no_touch = false;
};

struct AnalyzeReport {
  AnalyzeOptions options;
  std::vector<NodeAnalysis> nodes;
  Aggregates agg;
  std::vector<KeysizesHistogram> keysizes;
  bool interrupted = false;  // Ctrl-C: the figures are those read so far
  bool stopped_at_max_keys = false;
  double seconds = 0;
  std::string unstable;  // cluster: why keys may have moved past the scan

  explicit AnalyzeReport(const AnalyzeOptions& o);
  std::uint64_t dbsize() const;
  std::uint64_t scanned() const;
  std::uint64_t analyzed() const;
  std::uint64_t scan_calls() const;
  bool complete() const;  // every node walked to the end without error, not interrupted
  std::optional<Error> first_error() const;
  bool memory_denied() const;  // on any node
  // True when the figures are from part of the keyspace (--sample, --max-keys) and the
  // totals are scaled by scale().
  bool estimate() const;
  // What the read keys are multiplied by to estimate the whole: keys considered (DBSIZE once
  // --max-keys stopped the walk) over keys read. 1 when nothing was left out.
  double scale() const;
  // "idle" when every node showed OBJECT IDLETIME, "freq" when every one OBJECT FREQ, else "mixed".
  std::string activity() const;
};

// Receives every key read (on the caller's thread) with the address of its node: --keys-out.
using KeyVisitor = std::function<void(const KeyRecord& record, const std::string& node)>;
// Called about every 100 ms with the figures so far.
using AnalyzeProgress = std::function<void(const AnalyzeReport& so_far)>;

// Walks the keyspace and aggregates it. Ctrl-C stops within one page (report.interrupted);
// a node that fails keeps its error and the others go on. Never throws for node failures.
AnalyzeReport analyze(cluster::Client& target, const AnalyzeOptions& options, const KeyVisitor& visit = {},
                      const AnalyzeProgress& progress = {});

}  // namespace rctl::keys
