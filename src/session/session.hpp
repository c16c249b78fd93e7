#pragma once
// `rctl session`: list, show, measure and revoke the web sessions applications keep in
// Redis (Flask-Session, Django cache sessions, starsessions, JSON session records). Values
// are decoded without executing anything; secrets in them are masked unless asked.
//
// Domain session (namespace rctl::session, library rctl_session): may use server/ (the primary
// fan-out), cluster/, client/, decode/, util/; output/ only in its render*.cpp files
// (documents: session/render.hpp). Never commands/ nor another domain: src/CMakeLists.txt links
// by that table and tests/docs/check_layers.py fails on a wrong-way include.

#include "cluster/client.hpp"
#include "session/model.hpp"
#include "session/scan.hpp"
#include "session/stats.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rctl::session {

inline constexpr std::size_t k_default_session_limit = 100;
inline constexpr std::size_t k_default_top_users = 10;
// Sessions listed one by one in a revoke report (the counts are always complete).
inline constexpr std::size_t k_revoke_listed = 1000;
// Compare-and-delete attempts for a session whose value changes under us (an active user's
// app rewrites it on every request) before it is left in place and reported.
inline constexpr int k_revoke_attempts = 3;
// Keys per compare-and-delete pipeline.
inline constexpr std::size_t k_revoke_batch = 500;

// What `list` shows of a session.
struct SessionSummary {
  std::string id;
  std::string key;
  std::string node;
  std::optional<std::int64_t> ttl_ms;  // nullopt: no expiry
  std::uint64_t size_bytes = 0;
  decode::Format format = decode::Format::empty;
  SessionStore store = SessionStore::unknown;
  std::optional<SessionUser> user;
  std::optional<nlohmann::ordered_json> last_activity;
};

SessionSummary summarize(const SessionRecord& record);

enum class SessionSort { id, ttl, size };

struct SessionListOptions {
  SessionScanOptions scan;
  std::optional<std::string> user;  // only this user's sessions
  std::size_t limit = k_default_session_limit;
  SessionSort sort = SessionSort::id;  // id ascending, ttl ascending (no expiry last), size descending
};

struct SessionListing {
  SessionListOptions options;
  std::vector<SessionSummary> sessions;  // at most options.limit, sorted
  std::uint64_t matched = 0;  // sessions that passed the filter (all of them, not just listed)
  SessionScanReport scan;
  bool truncated() const { return matched > sessions.size(); }
};

// Scans every primary and keeps the first `limit` sessions in sort order (a bounded heap:
// memory grows with the limit, not with the number of sessions).
SessionListing list_sessions(cluster::Client& target, const SessionListOptions& options,
                             const SessionScanProgress& progress = {});

// One session with its decoded content, as `show` prints it.
struct SessionDetail {
  SessionSummary summary;
  nlohmann::ordered_json data;  // decoded value; secrets masked unless revealed
  std::string note;  // decoder note ("pickle protocol 4", ...)
  bool compressed = false;
  std::vector<std::string> masked;  // paths of masked members
  bool revealed = false;  // --reveal: nothing was masked
};

// What a cookie said, for the report.
struct CookieInfo {
  bool signed_cookie = false;  // "sid.signature", verified
};

struct SessionLookup {
  std::string sid;
  std::vector<std::string> tried;  // candidate keys, in lookup order
  std::vector<SessionDetail> found;  // the candidates that exist, in lookup order
  std::optional<CookieInfo> cookie;
};

// Looks `sid` up under every prefix (candidate_keys) in one pipeline; masks secrets unless
// `reveal`. Throws Failure on connection/server errors; an empty `found` is the caller's
// "not found".
SessionLookup find_session(cluster::Client& target, const std::string& sid, const std::vector<std::string>& prefixes,
                           const std::vector<std::string>& user_fields, bool reveal);

struct SessionStatsReport {
  SessionScanReport scan;
  std::uint64_t sessions = 0;
  TtlHistogram ttl;
  SizeHistogram sizes;
  std::map<std::string, std::uint64_t> formats;  // decode format name -> sessions
  std::map<std::string, std::uint64_t> stores;  // store name -> sessions
  TopUsers users;
  std::uint64_t anonymous = 0;  // sessions without a user field
  std::size_t top = k_default_top_users;
};

// Scans every primary and aggregates; memory is constant except the capped user counters.
SessionStatsReport session_stats(cluster::Client& target, const SessionScanOptions& options, std::size_t top,
                                 const SessionScanProgress& progress = {});

enum class RevokeOutcome {
  deleted,  // removed (UNLINK)
  would_delete,  // --dry-run
  changed,  // kept: it no longer belonged to the user, or kept changing, when we got to it
  gone,  // it expired or was deleted by someone else before we got to it
};
const char* to_string(RevokeOutcome outcome);

struct RevokedSession {
  SessionSummary summary;
  RevokeOutcome outcome = RevokeOutcome::would_delete;
};

struct RevokeReport {
  std::optional<std::string> user;  // revoke --user
  std::vector<std::string> sids;  // revoke SID...
  std::vector<std::string> missing_sids;  // SIDs with no session under any prefix
  bool dry_run = false;
  std::vector<RevokedSession> sessions;  // the first k_revoke_listed
  std::uint64_t found = 0;  // sessions selected for deletion
  std::uint64_t deleted = 0;
  std::uint64_t outcome_unknown = 0;  // sent when the connection was lost: deleted or not, no
      // reply says which
  std::uint64_t changed = 0;
  std::uint64_t gone = 0;
  std::optional<SessionScanReport> scan;  // for --user
  bool interrupted = false;
  std::optional<Error> error;  // the failure that stopped the run, if any
};

// Whether a revoke deletes, or only reports what it would delete (--dry-run).
enum class Apply { write, dry_run };

// Every session whose user is `user`: scan, then delete each one with an atomic
// compare-and-delete (a Lua script that UNLINKs the key only if the SHA-1 of its value is
// still the one that was read and verified). A session whose value changed meanwhile is read
// again and deleted only if it still belongs to the user (up to k_revoke_attempts times).
// Nothing is deleted when the scan was interrupted or incomplete (a failed node).
RevokeReport revoke_user_sessions(cluster::Client& target, const SessionScanOptions& options, const std::string& user,
                                  Apply apply, const SessionScanProgress& progress = {});

// The sessions with ids `sids` (under every prefix): UNLINK (DEL before Redis 4).
RevokeReport revoke_session_ids(cluster::Client& target, const std::vector<std::string>& sids,
                                const SessionScanOptions& options, Apply apply);

}  // namespace rctl::session
