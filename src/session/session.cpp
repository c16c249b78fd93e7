// session list, show and stats: scans and lookups (revoke is in revoke.cpp).

#include "session/session.hpp"

#include "session/mask.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

namespace rctl::session {

namespace {

// True when `a` is listed before `b` under `sort`; ties go by id, then key.
bool listed_before(const SessionSummary& a, const SessionSummary& b, SessionSort sort) {
  switch (sort) {
    case SessionSort::ttl:
      if (a.ttl_ms != b.ttl_ms) {
        if (!a.ttl_ms) return false;  // no expiry last
        if (!b.ttl_ms) return true;
        return *a.ttl_ms < *b.ttl_ms;
      }
      break;
    case SessionSort::size:
      if (a.size_bytes != b.size_bytes) return a.size_bytes > b.size_bytes;
      break;
    case SessionSort::id: break;
  }
  return a.id != b.id ? a.id < b.id : a.key < b.key;
}

}  // namespace

SessionSummary summarize(const SessionRecord& r) {
  SessionSummary s;
  s.id = r.id;
  s.key = r.key;
  s.node = r.node;
  s.ttl_ms = r.ttl_ms;
  s.size_bytes = r.raw.size();
  s.format = r.decoded.format;
  s.store = r.store;
  s.user = r.user;
  s.last_activity = r.last_activity;
  return s;
}

SessionListing list_sessions(cluster::Client& target, const SessionListOptions& options,
                             const SessionScanProgress& progress) {
  SessionListing listing;
  listing.options = options;
  // A max-heap in listing order: its top is the session listed last, the one to drop when
  // a better one arrives.
  auto less = [sort = options.sort](const SessionSummary& a, const SessionSummary& b) {
    return listed_before(a, b, sort);
  };
  std::vector<SessionSummary> heap;
  std::unordered_set<std::string> kept;  // keys in the heap: SCAN may return a key twice
  listing.scan = scan_sessions(
      target, options.scan,
      [&](SessionRecord& record) {
        if (options.user && (!record.user || record.user->id != *options.user)) return;
        if (kept.contains(record.key)) return;
        ++listing.matched;
        if (options.limit == 0) return;
        auto summary = summarize(record);
        if (heap.size() >= options.limit) {
          if (!less(summary, heap.front())) return;
          std::pop_heap(heap.begin(), heap.end(), less);
          kept.erase(heap.back().key);
          heap.pop_back();
        }
        kept.insert(summary.key);
        heap.push_back(std::move(summary));
        std::push_heap(heap.begin(), heap.end(), less);
      },
      progress);
  std::sort_heap(heap.begin(), heap.end(), less);
  listing.sessions = std::move(heap);
  return listing;
}

SessionLookup find_session(cluster::Client& target, const std::string& sid, const std::vector<std::string>& prefixes,
                           const std::vector<std::string>& user_fields, bool reveal) {
  SessionLookup lookup;
  lookup.sid = sid;
  lookup.tried = candidate_keys(sid, prefixes);
  for (auto& record : read_sessions(target, lookup.tried, prefixes, user_fields)) {
    SessionDetail d;
    d.summary = summarize(record);
    d.note = record.decoded.note;
    d.compressed = record.decoded.compressed;
    d.data = record.decoded.data ? std::move(*record.decoded.data) : nlohmann::ordered_json(nullptr);
    d.revealed = reveal;
    if (!reveal) d.masked = mask_secrets(d.data);
    lookup.found.push_back(std::move(d));
  }
  return lookup;
}

SessionStatsReport session_stats(cluster::Client& target, const SessionScanOptions& options, std::size_t top,
                                 const SessionScanProgress& progress) {
  SessionStatsReport report;
  report.top = top;
  auto scan = options;
  scan.user_only = true;  // the counts below read nothing else
  // Counted by enum value and named once at the end: a map lookup by a name made for each
  // session cost more than the rest of the counting.
  std::array<std::uint64_t, static_cast<std::size_t>(decode::Format::empty) + 1> formats{};
  std::array<std::uint64_t, static_cast<std::size_t>(SessionStore::unknown) + 1> stores{};
  report.scan = scan_sessions(
      target, scan,
      [&](SessionRecord& r) {
        ++report.sessions;
        report.ttl.add(r.ttl_ms);
        report.sizes.add(r.raw.size());
        ++formats[static_cast<std::size_t>(r.decoded.format)];
        ++stores[static_cast<std::size_t>(r.store)];
        if (r.user) report.users.add(r.user->id);
        else ++report.anonymous;
      },
      progress);
  for (std::size_t i = 0; i < formats.size(); ++i)
    if (formats[i] != 0) report.formats[decode::to_string(static_cast<decode::Format>(i))] = formats[i];
  for (std::size_t i = 0; i < stores.size(); ++i)
    if (stores[i] != 0) report.stores[to_string(static_cast<SessionStore>(i))] = stores[i];
  return report;
}

}  // namespace rctl::session
