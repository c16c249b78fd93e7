#pragma once
// `rctl cache`: read and write single keys the way an application's cache holds them, and
// list keys under a prefix. Values are decoded for reading (JSON, pickle read safely,
// msgpack, zlib) and never executed.
//
// Domain cache (namespace rctl::cache, library rctl_cache): may use server/ (the primary
// fan-out), cluster/, client/, net/ (invalidate's event loop, until the scan engine in cluster/
// replaces it), decode/, util/; output/ only in its render*.cpp files (documents:
// cache/render.hpp). Never commands/ nor another domain: src/CMakeLists.txt links by that table
// and tests/docs/check_layers.py fails on a wrong-way include.

#include "cluster/client.hpp"
#include "decode/detect.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rctl::cache {

inline constexpr std::size_t k_default_element_limit = 100;

// One key as read by `cache get`.
struct KeyValue {
  std::string key;
  bool exists = false;
  std::string type;  // string, hash, list, set, zset, stream, ...
  std::optional<std::int64_t> ttl_ms;  // nullopt: no expiry
  std::int64_t length = 0;  // bytes for strings, elements otherwise
  std::string raw;  // string value bytes (strings only)
  std::optional<decode::DecodedValue> decoded;  // strings only
  // Non-string types: up to `limit` elements, as field/value or member/score pairs.
  std::vector<std::pair<std::string, std::string>> elements;
  bool truncated = false;  // more elements than shown
};

struct GetOptions {
  decode::Mode mode = decode::Mode::auto_detect;
  std::size_t limit = k_default_element_limit;
};

// Reads `keys` (pipelined; routed per key on a cluster).
std::vector<KeyValue> get_keys(cluster::Client& target, const std::vector<std::string>& keys,
                               const GetOptions& options);

struct SetOptions {
  std::optional<std::chrono::milliseconds> ttl;
  bool nx = false;  // only if absent
  bool xx = false;  // only if present
  bool keep_ttl = false;
};

// SET with the options; returns false when NX/XX prevented the write.
bool set_key(cluster::Client& target, const std::string& key, const std::string& value, const SetOptions& options);

// UNLINK (DEL on servers without UNLINK); returns how many existed.
std::int64_t delete_keys(cluster::Client& target, const std::vector<std::string>& keys);

// PTTL: nullopt = no expiry; throws not_found when the key does not exist.
std::optional<std::int64_t> key_ttl(cluster::Client& target, const std::string& key);

// PEXPIRE / PERSIST; throw not_found when the key does not exist. persist returns whether a
// TTL was removed.
void expire_key(cluster::Client& target, const std::string& key, std::chrono::milliseconds ttl);
bool persist_key(cluster::Client& target, const std::string& key);

struct KeyInfo {
  std::string key;
  std::string type;
  std::optional<std::int64_t> ttl_ms;
  std::int64_t length = 0;
  std::optional<std::int64_t> memory_bytes;  // MEMORY USAGE, when allowed
  std::string node;
};

struct KeyListing {
  std::string prefix;
  std::string pattern;
  std::vector<KeyInfo> keys;
  bool truncated = false;  // stopped at the limit
  bool interrupted = false;  // stopped by Ctrl-C (or SIGTERM/SIGHUP): the keys are those found so far
  std::uint64_t scan_calls = 0;
};

// SCANs every primary for keys under `prefix` (glob characters escaped), up to `limit`, and
// describes each (type, TTL, length, memory). An interrupt stops the scan between pages; the
// keys found by then are still described.
KeyListing list_keys(cluster::Client& target, const std::string& prefix, std::size_t limit);

}  // namespace rctl::cache
