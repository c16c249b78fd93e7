#pragma once
// The aggregates of `rctl keys analyze`, each bounded whatever the size of the keyspace:
// the prefix tree (--max-groups), the top-N lists (--top), per-type and per-encoding totals,
// the TTL and idle/frequency distributions. Pure; no I/O.

#include "util/ttl_ranges.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rctl::keys {

// Hex segments at least this long count as ids (hashes, object ids); shorter ones are words
// as often as ids ("cafe", "beef", "add").
inline constexpr std::size_t k_min_hex_id = 16;
// Distinct types or encodings kept by name; more (modules) are counted as "other".
inline constexpr std::size_t k_max_kinds = 64;

// One key as read from its node.
struct KeyRecord {
  std::string key;
  std::size_t node = 0;  // index into the report's nodes
  std::string type;  // TYPE: string, list, set, zset, hash, stream, or a module's name
  std::string encoding;  // OBJECT ENCODING; empty when not read
  std::optional<std::uint64_t> bytes;  // MEMORY USAGE; nullopt when denied or not read
  std::optional<std::uint64_t> elements;  // STRLEN/LLEN/SCARD/ZCARD/HLEN/XLEN; nullopt for others
  std::optional<std::int64_t> ttl_ms;  // nullopt: no expiry
  std::optional<std::int64_t> idle_s;  // OBJECT IDLETIME (LRU policies)
  std::optional<std::int64_t> freq;  // OBJECT FREQ (LFU policies)
};

// True for a key segment that names one object rather than a kind of them: all digits, a
// UUID (8-4-4-4-12 hex), or hex of at least k_min_hex_id characters.
bool is_id_segment(std::string_view segment);

// The groups `key` belongs to, outermost first: its first 1..depth segments split on
// `separator`, id segments replaced by `*` ("user:123:profile" -> "user", "user:*",
// "user:*:profile"). A key without the separator is one segment. An empty separator makes
// the whole key one segment.
std::vector<std::string> group_path(std::string_view key, std::string_view separator, std::size_t depth);

// The whole key with its id segments replaced by `*` ("user:123:profile" -> "user:*:profile"):
// the deepest group_path name, without the ones above it.
std::string key_shape(std::string_view key, std::string_view separator);

// Keys, bytes and elements of one kind (a type, an encoding, a prefix group).
struct Tally {
  std::uint64_t keys = 0;
  std::uint64_t bytes = 0;
  std::uint64_t elements = 0;
  std::uint64_t with_ttl = 0;  // keys that expire
  void add(const KeyRecord& r);
};

// The prefix tree in at most `max_groups` groups. A group not yet in the tree when it is full
// is counted in its parent's `other` (the top level's in the root's): which groups get a place
// is decided by SCAN order, which is the hash order of the keys, so a large group is all but
// certain to be among the first seen.
class PrefixTree {
 public:
  struct Group {
    std::string name;  // "user:*:profile"
    std::size_t depth = 1;  // 1 for top-level groups
    std::optional<std::size_t> parent;  // index into groups(); nullopt at the top
    Tally tally;
    Tally other;  // keys of child groups that found no place
  };
  PrefixTree(std::string separator, std::size_t depth, std::size_t max_groups);
  void add(const KeyRecord& r);
  const std::vector<Group>& groups() const { return m_groups; }
  const Tally& root_other() const { return m_root_other; }  // top-level groups with no place
  bool overflowed() const { return m_overflowed; }
  const std::string& separator() const { return m_separator; }
  std::size_t depth() const { return m_depth; }
  std::size_t max_groups() const { return m_max_groups; }

 private:
  std::string m_separator;
  std::size_t m_depth;
  std::size_t m_max_groups;
  std::vector<Group> m_groups;
  std::unordered_map<std::string, std::size_t> m_index;
  Tally m_root_other;
  bool m_overflowed = false;
};

// The `n` largest keys by one measure, in a bounded heap (n records whatever the keyspace).
// By elements, strings are left out (their length is in bytes: the top by bytes has them).
class TopKeys {
 public:
  enum class By { bytes, elements };
  TopKeys(By by, std::size_t n) : m_by(by), m_n(n) {}
  void add(const KeyRecord& r);
  // Largest first; ties by key name.
  std::vector<KeyRecord> sorted() const;

 private:
  std::uint64_t measure(const KeyRecord& r) const;
  By m_by;
  std::size_t m_n;
  std::vector<KeyRecord> m_heap;  // min-heap on measure
};

// LFU counters (OBJECT FREQ, 0..255, logarithmic) in fixed ranges.
class FreqHistogram {
 public:
  struct Bucket {
    const char* label;
    std::int64_t from;  // inclusive
    std::int64_t to;  // inclusive
    std::uint64_t count = 0;
  };
  FreqHistogram();
  void add(std::int64_t freq);
  const std::vector<Bucket>& buckets() const { return m_buckets; }

 private:
  std::vector<Bucket> m_buckets;
};

// Everything the report counts, fed one key at a time.
struct Aggregates {
  Aggregates(std::string separator, std::size_t depth, std::size_t max_groups, std::size_t top);
  void add(const KeyRecord& r);

  Tally total;
  std::uint64_t keys_without_ttl = 0;
  std::map<std::string, Tally> by_type;  // at most k_max_kinds names, then "other"
  std::map<std::string, Tally> by_encoding;
  PrefixTree tree;
  TopKeys top_bytes;
  TopKeys top_elements;
  util::TtlHistogram ttl;
  util::TtlHistogram idle;  // OBJECT IDLETIME in the TTL ranges (its "no expiry" range stays empty)
  FreqHistogram freq;
};

}  // namespace rctl::keys
