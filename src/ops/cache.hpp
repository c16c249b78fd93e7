#pragma once
// `rctl cache`: read and write single keys the way an application's cache holds them, and
// list keys under a prefix. Values are decoded for reading (JSON, pickle read safely,
// msgpack, zlib) and never executed.

#include "cluster/client.hpp"
#include "decode/detect.hpp"
#include "output/document.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rctl::ops {

inline constexpr std::size_t k_default_element_limit = 100;

// One key as read by `cache get`.
struct KeyValue {
  std::string key;
  bool exists = false;
  std::string type;                    // string, hash, list, set, zset, stream, ...
  std::optional<std::int64_t> ttl_ms;  // nullopt: no expiry
  std::int64_t length = 0;             // bytes for strings, elements otherwise
  std::string raw;                     // string value bytes (strings only)
  std::optional<decode::DecodedValue> decoded;  // strings only
  // Non-string types: up to `limit` elements, as field/value or member/score pairs.
  std::vector<std::pair<std::string, std::string>> elements;
  bool truncated = false;              // more elements than shown
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
bool set_key(cluster::Client& target, const std::string& key, const std::string& value,
             const SetOptions& options);

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
  std::uint64_t scan_calls = 0;
};

// SCANs every primary for keys under `prefix` (glob characters escaped), up to `limit`, and
// describes each (type, TTL, length, memory).
KeyListing list_keys(cluster::Client& target, const std::string& prefix, std::size_t limit);

// Renderers.
output::Document render_get(const std::vector<KeyValue>& values, bool show_raw_bytes);
output::Document render_keys(const KeyListing& listing);
output::Document render_set(const std::string& key, bool written, std::size_t bytes,
                            const SetOptions& options);
output::Document render_deleted(std::size_t requested, std::int64_t deleted);
output::Document render_ttl(const std::string& key, const std::optional<std::int64_t>& ttl_ms);
output::Document render_persist(const std::string& key, bool removed);

}  // namespace rctl::ops
