#pragma once
// Walking every session in the keyspace: one SCAN per primary, all primaries at once, with
// one MATCH pattern covering every prefix (session_model.hpp). The keys of each SCAN reply
// are read with a pipelined GET + PTTL on the same connection while the next SCAN is already
// queued, and each session is handed to a visitor and dropped, so memory stays bounded by
// the batches in flight whatever the number of sessions.

#include "cluster/client.hpp"
#include "decode/detect.hpp"
#include "session/model.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rctl::session {

// SCAN COUNT, and so about the most keys read per GET pipeline.
inline constexpr std::size_t k_session_scan_count = 500;
// GET pipelines per primary whose replies are outstanding before SCAN waits.
inline constexpr std::size_t k_session_batches_in_flight = 4;

// One session as read from Redis.
struct SessionRecord {
  std::string key;
  std::string id;  // the key without its prefix
  std::string prefix;  // the (longest) prefix it was found under
  std::string node;  // where it was read ("host:port")
  std::optional<std::int64_t> ttl_ms;  // nullopt: no expiry
  std::string raw;  // the value's bytes
  decode::DecodedValue decoded;  // never executed: pickles through the data-only reader
  SessionStore store = SessionStore::unknown;
  std::optional<SessionUser> user;
  std::optional<nlohmann::ordered_json> last_activity;
};

// Decodes `raw` (auto-detection) and fills in store, user and last activity. Never fails.
// With `members` (user_member_names(user_fields)), a pickle is decoded through
// decode::decode_members: `decoded.data` holds only those members, and neither `id` nor last
// activity is filled in, which is all `session stats` needs (the store and user come out the
// same; scan_sessions leaves `node` empty too).
SessionRecord make_session_record(std::string key, std::string_view prefix, std::string node, std::string raw,
                                  std::optional<std::int64_t> ttl_ms, const std::vector<std::string>& user_fields,
                                  const std::vector<std::string>* members = nullptr);

struct SessionScanOptions {
  std::vector<std::string> prefixes = default_session_prefixes();
  std::vector<std::string> user_fields = default_user_fields();
  std::size_t count = k_session_scan_count;
  // Records carry only key, store, user, format, size and TTL (make_session_record's
  // `members`, no node): for `session stats`, where building every session's whole JSON was
  // most of the work.
  bool user_only = false;
};

// One primary's part of a scan.
struct NodeSessionScan {
  std::string address;
  std::uint64_t scan_calls = 0;
  std::uint64_t keys = 0;  // keys under a prefix that SCAN returned
  std::uint64_t sessions = 0;  // string values handed to the visitor
  std::uint64_t not_strings = 0;  // keys under a prefix holding another type (not sessions)
  std::uint64_t vanished = 0;  // expired or deleted between SCAN and GET
  std::string cursor = "0";  // where the scan stopped, when not complete
  bool complete = false;  // the scan reached cursor 0
  std::optional<Error> error;
};

struct SessionScanReport {
  std::string pattern;  // the SCAN MATCH pattern
  std::vector<std::string> prefixes;
  std::vector<NodeSessionScan> nodes;
  bool interrupted = false;  // Ctrl-C stopped the scan
  double seconds = 0;

  std::uint64_t sessions() const;
  std::uint64_t keys() const;
  std::uint64_t scan_calls() const;
  bool complete() const;  // every node scanned to the end without error, not interrupted
  // The first node error, if any.
  std::optional<Error> first_error() const;
};

// Receives each session once it is read (on the caller's thread). A key SCAN returns twice
// (possible while the server rehashes) is visited twice.
using SessionVisitor = std::function<void(SessionRecord& record)>;
// Called about every 100 ms with the figures so far.
using SessionScanProgress = std::function<void(const SessionScanReport& so_far)>;

// Scans every primary. Ctrl-C (util::interrupted) stops every node after the batches in
// flight. A node that fails (connection lost, NOPERM...) keeps its error in the report and
// the other nodes go on. Never throws for node failures.
SessionScanReport scan_sessions(cluster::Client& target, const SessionScanOptions& options, const SessionVisitor& visit,
                                const SessionScanProgress& progress = {});

// Reads the given keys (pipelined, routed by key) and returns those that hold a string, as
// records; missing keys and other types are left out. Throws Failure on connection or
// server errors.
std::vector<SessionRecord> read_sessions(cluster::Client& target, const std::vector<std::string>& keys,
                                         const std::vector<std::string>& prefixes,
                                         const std::vector<std::string>& user_fields);

}  // namespace rctl::session
