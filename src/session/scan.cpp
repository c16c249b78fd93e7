#include "session/scan.hpp"

#include "client/server_error.hpp"
#include "cluster/slot.hpp"
#include "cluster/scan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace rctl::session {

namespace {

using Clock = std::chrono::steady_clock;

struct SessionPages;

// Keys per MGET: the server's cost per key read is ~40% lower in one MGET than in a GET each
// (one command parsed and dispatched, not 100), and a page's reply stays a few hundred KB.
inline constexpr std::size_t k_session_mget_keys = 100;

// The MGET/GET + PTTL replies of one page's keys.
struct SessionBatch {
  SessionPages* pages = nullptr;
  std::optional<cluster::Page> page;
  std::vector<std::string> keys;
  std::vector<std::string_view> prefixes;  // into SessionScanOptions::prefixes
  std::vector<resp::Value> values;
  std::vector<resp::Value> ttls;
  // 1 where the value came from an MGET, whose nil means "missing" or "not a string" alike.
  std::vector<std::uint8_t> via_mget;
  std::size_t remaining = 0;
};

std::optional<std::int64_t> ttl_of(const resp::Value& pttl) {
  if (pttl.type == resp::Type::integer && pttl.integer >= 0) return pttl.integer;
  return std::nullopt;
}

// The domain rules of one page: keys under a prefix are read with GET + PTTL (pipelined on
// the node's connection) and each string value becomes a record for the visitor.
//
// The batches in flight are owned here, not by their reply callbacks: a callback then holds
// two words (batch, index), which std::function stores without allocating; two allocations
// fewer per key. A batch whose node failed (its callbacks dropped by the engine) is freed
// with this object, when the scan is over.
struct SessionPages {
  const SessionScanOptions& options;
  const SessionVisitor& visit;
  SessionScanReport& report;
  std::vector<std::unique_ptr<SessionBatch>> batches{};
  std::vector<cluster::MovedKey> recheck{};  // read again after the scan (see handle_batch)
  bool mget_refused = false;  // MGET refused by the server: a GET per key
  // SessionScanOptions::user_only: the members decoded.
  std::vector<std::string> members =
      options.user_only ? user_member_names(options.user_fields) : std::vector<std::string>{};

  const std::vector<std::string>* members_or_null() const { return options.user_only ? &members : nullptr; }

  void on_page(cluster::Page& page, std::vector<std::string> found) {
    auto& out = report.nodes[page.node()];
    std::vector<std::string> wanted;
    wanted.reserve(found.size());
    for (auto& key : found) {
      // The pattern may be wider than the prefixes (a class of first bytes); the literal
      // prefixes decide.
      if (!matching_prefix(key, options.prefixes)) continue;
      ++out.keys;
      wanted.push_back(std::move(key));
    }
    if (wanted.empty()) return;
    // Same-slot groups on a cluster (most of them one key: a page spans many slots).
    auto groups = page.batches(std::move(wanted), k_session_mget_keys);
    auto owned = std::make_unique<SessionBatch>();
    SessionBatch* batch = owned.get();
    std::size_t n = 0;
    for (const auto& g : groups) n += g.size();
    batch->keys.reserve(n);
    batch->prefixes.reserve(n);
    for (auto& g : groups)
      for (auto& key : g) {
        batch->prefixes.emplace_back(*matching_prefix(key, options.prefixes));
        batch->keys.push_back(std::move(key));
      }
    batch->pages = this;
    batch->page = page;
    batch->values.resize(n);
    batch->ttls.resize(n);
    batch->via_mget.assign(n, 0);
    batch->remaining = groups.size() + n;
    batches.push_back(std::move(owned));
    std::size_t first = 0;
    for (const auto& g : groups) {
      const std::size_t size = g.size();
      if (size == 1 || mget_refused) {
        batch->remaining += size - 1;  // a GET per key instead of one MGET
        for (std::size_t i = first; i < first + size; ++i) send_get(page, *batch, i);
      } else {
        std::vector<std::string> args;
        args.reserve(size + 1);
        args.emplace_back("MGET");
        for (std::size_t i = first; i < first + size; ++i) args.push_back(batch->keys[i]);
        std::fill(batch->via_mget.begin() + static_cast<std::ptrdiff_t>(first),
                  batch->via_mget.begin() + static_cast<std::ptrdiff_t>(first + size), 1);
        page.send(client::cmd(std::move(args)), [batch, first, size](resp::Value r) {
          if (r.is_error() && client::is_refusal(client::classify(r.str))) {
            // An ACL that allows GET but not MGET (or a provider that renamed it away): the
            // same keys with a GET each, and GET from now on.
            batch->pages->mget_refused = true;
            batch->remaining += size;
            for (std::size_t i = first; i < first + size; ++i) {
              batch->via_mget[i] = 0;
              send_get(*batch->page, *batch, i);
            }
          } else {
            spread_mget(*batch, first, size, std::move(r));
          }
          if (--batch->remaining == 0) batch->pages->on_batch(*batch);
        });
      }
      for (std::size_t i = first; i < first + size; ++i)
        page.send(client::cmd({"PTTL", batch->keys[i]}), [batch, i](resp::Value r) {
          batch->ttls[i] = std::move(r);
          if (--batch->remaining == 0) batch->pages->on_batch(*batch);
        });
      first += size;
    }
  }

  static void send_get(cluster::Page& page, SessionBatch& batch, std::size_t i) {
    page.send(client::cmd({"GET", batch.keys[i]}), [b = &batch, i](resp::Value r) {
      b->values[i] = std::move(r);
      if (--b->remaining == 0) b->pages->on_batch(*b);
    });
  }

  // An MGET reply's elements become the values of its keys; an error reply (MOVED on a
  // cluster, a refusal) or a reply of the wrong shape becomes every key's value.
  static void spread_mget(SessionBatch& batch, std::size_t first, std::size_t size, resp::Value reply) {
    if (reply.is_list() && reply.elements.size() == size) {
      for (std::size_t j = 0; j < size; ++j) batch.values[first + j] = std::move(reply.elements[j]);
      return;
    }
    if (!reply.is_error()) reply = resp::Value::error_reply("ERR MGET: unexpected reply shape");
    for (std::size_t j = 0; j < size; ++j) batch.values[first + j] = reply;
  }

  void on_batch(SessionBatch& batch) {
    auto page = std::move(*batch.page);
    handle_batch(page, batch);
    // Done with it (at most max_in_flight batches per primary are here: a short search).
    auto it = std::find_if(batches.begin(), batches.end(), [&](const auto& b) { return b.get() == &batch; });
    if (it != batches.end()) {
      std::swap(*it, batches.back());
      batches.pop_back();
    }
  }

  void handle_batch(cluster::Page& page, SessionBatch& batch) {
    auto& out = report.nodes[page.node()];
    std::vector<std::string> moved;
    for (std::size_t i = 0; i < batch.keys.size(); ++i) {
      auto& value = batch.values[i];
      if (value.is_error()) {
        if (cluster::slot_moved(value)) {
          moved.push_back(std::move(batch.keys[i]));
          continue;
        }
        if (client::classify(value.str) == client::ServerErrorKind::wrong_type) {
          ++out.not_strings;
          continue;
        }
        return page.fail(client::to_error(value.str, "GET"));
      }
      const bool gone = batch.ttls[i].type == resp::Type::integer && batch.ttls[i].integer == -2;
      if (!value.is_string() && batch.via_mget[i] && !gone) {
        // MGET's nil for a key that exists: not a string, or replaced between the two
        // commands. Read again with GET after the scan, which tells them apart.
        recheck.push_back({page.node(), std::move(batch.keys[i])});
        continue;
      }
      if (value.is_null() || !value.is_string() || gone) {
        ++out.vanished;
        continue;
      }
      // A user_only record names no node (`session stats` does not read it; a copy of the
      // address per session is an allocation once it is longer than 15 bytes).
      auto record = make_session_record(std::move(batch.keys[i]), batch.prefixes[i],
                                        options.user_only ? std::string() : out.address, std::move(value.str),
                                        ttl_of(batch.ttls[i]), options.user_fields, members_or_null());
      ++out.sessions;
      visit(record);
    }
    if (!moved.empty()) page.moved(std::move(moved));
  }
};

std::string node_label(cluster::Client& target, std::string_view key) {
  const auto* node = target.topology().primary_for_slot(cluster::key_slot(key));
  return node ? target.label(*node) : std::string("?");
}

// Keys whose slot moved mid-scan, read again through the router (which follows MOVED/ASK)
// and counted on the node whose SCAN found them.
void replay_moved(cluster::Client& target, const SessionPages& pages, std::vector<cluster::MovedKey>& moved) {
  const auto& options = pages.options;
  const auto& visit = pages.visit;
  auto& report = pages.report;
  if (report.interrupted) return;
  std::vector<client::Command> commands;
  for (const auto& m : moved) {
    commands.push_back(client::keyed({"GET", m.key}));
    commands.push_back(client::keyed({"PTTL", m.key}));
  }
  auto replies = target.exec_all(std::move(commands));
  if (!replies) {
    if (!report.nodes.front().error) report.nodes.front().error = replies.error();
    return;
  }
  for (std::size_t i = 0; i < moved.size(); ++i) {
    auto& m = moved[i];
    auto& value = (*replies)[2 * i];
    auto& node = report.nodes[m.node];
    if (value.is_error() && client::classify(value.str) == client::ServerErrorKind::wrong_type) {
      ++node.not_strings;
    } else if (!value.is_string()) {
      ++node.vanished;
    } else {
      auto prefix = matching_prefix(m.key, options.prefixes).value_or(std::string_view{});
      std::string label = node_label(target, m.key);
      auto record = make_session_record(std::move(m.key), prefix, std::move(label), std::move(value.str),
                                        ttl_of((*replies)[2 * i + 1]), options.user_fields, pages.members_or_null());
      ++node.sessions;
      visit(record);
    }
  }
}

}  // namespace

SessionRecord make_session_record(std::string key, std::string_view prefix, std::string node, std::string raw,
                                  std::optional<std::int64_t> ttl_ms, const std::vector<std::string>& user_fields,
                                  const std::vector<std::string>* members) {
  SessionRecord r;
  if (!members) r.id = key.substr(std::min(prefix.size(), key.size()));
  r.key = std::move(key);
  r.prefix = std::string(prefix);
  r.node = std::move(node);
  r.ttl_ms = ttl_ms;
  r.raw = std::move(raw);
  // Auto mode never fails: undecodable values come back as text or binary.
  if (auto decoded = members ? decode::decode_members(r.raw, *members) : decode::decode(r.raw))
    r.decoded = std::move(*decoded);
  r.store = classify_store(r.key, r.decoded);
  if (r.decoded.data) {
    r.user = session_user(*r.decoded.data, user_fields);
    if (!members) r.last_activity = session_last_activity(*r.decoded.data);
  }
  return r;
}

std::uint64_t SessionScanReport::sessions() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.sessions;
  return n;
}

std::uint64_t SessionScanReport::keys() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.keys;
  return n;
}

std::uint64_t SessionScanReport::scan_calls() const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.scan_calls;
  return n;
}

bool SessionScanReport::complete() const {
  for (const auto& node : nodes)
    if (!node.complete || node.error) return false;
  return !interrupted;
}

std::optional<Error> SessionScanReport::first_error() const {
  for (const auto& node : nodes)
    if (node.error) return node.error;
  return std::nullopt;
}

SessionScanReport scan_sessions(cluster::Client& target, const SessionScanOptions& options, const SessionVisitor& visit,
                                const SessionScanProgress& progress) {
  auto start = Clock::now();
  SessionScanReport report;
  report.pattern = scan_pattern_for(options.prefixes);
  report.prefixes = options.prefixes;
  auto primaries = target.primaries();
  report.nodes.resize(primaries.size());
  for (std::size_t i = 0; i < primaries.size(); ++i) report.nodes[i].address = target.label(*primaries[i]);

  SessionPages pages{options, visit, report};
  cluster::ScanRun run;
  cluster::scan_primaries(
      target,
      {.pattern = report.pattern,
       .count = options.count,
       .max_in_flight = k_session_batches_in_flight,
       // SCAN on its own connection runs ahead of the GET pipelines: on one connection the next
       // SCAN reply waited behind a page's GETs and the decoding of them, so the server idled
       // while rctl decoded (wall time = client time + server time).
       .separate_connection = true,
       .on_interrupt = [&] { report.interrupted = true; },
       .tick =
           [&] {
             cluster::copy_scan_progress(run, report, start);
             if (progress) progress(report);
           }},
      {.on_page = [&](cluster::Page& page, std::vector<std::string> keys) { pages.on_page(page, std::move(keys)); },
       .replay = [&](std::vector<cluster::MovedKey> moved) { replay_moved(target, pages, moved); }},
      run);
  if (!pages.recheck.empty()) replay_moved(target, pages, pages.recheck);
  cluster::copy_scan_progress(run, report, start);
  if (run.interrupted) report.interrupted = true;
  return report;
}

std::vector<SessionRecord> read_sessions(cluster::Client& target, const std::vector<std::string>& keys,
                                         const std::vector<std::string>& prefixes,
                                         const std::vector<std::string>& user_fields) {
  std::vector<client::Command> commands;
  for (const auto& key : keys) {
    commands.push_back(client::keyed({"GET", key}));
    commands.push_back(client::keyed({"PTTL", key}));
  }
  auto replies = value_or_throw(target.exec_all(std::move(commands)));
  std::vector<SessionRecord> out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto& value = replies[2 * i];
    if (value.is_error()) {
      if (client::classify(value.str) == client::ServerErrorKind::wrong_type) continue;
      throw Failure(client::to_error(value.str, "GET"));
    }
    if (!value.is_string()) continue;
    auto prefix = matching_prefix(keys[i], prefixes).value_or(std::string_view{});
    out.push_back(make_session_record(keys[i], prefix, node_label(target, keys[i]), std::move(value.str),
                                      ttl_of(replies[2 * i + 1]), user_fields));
  }
  return out;
}

}  // namespace rctl::session
