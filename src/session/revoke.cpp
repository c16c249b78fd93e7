// session revoke: by user (scan, then atomic compare-and-delete) and by session id.
//
// Why compare-and-delete in Lua: between the scan that read and verified a session and its
// deletion, the app may have rewritten the key (Flask-Session rewrites it on every request),
// possibly for another user after a logout and login on the same sid. Re-reading and then
// deleting leaves a window in between; WATCH/MULTI needs a dedicated connection per node and
// a round trip per key. The script compares the SHA-1 of the current value with that of the
// value we verified and UNLINKs only on a match, atomically, in one round trip per batch,
// routed by its single key (cluster-safe). On a mismatch the session is read and verified
// again before another attempt, so an active user's sessions are still revoked.

#include "session/session.hpp"

#include "client/server_error.hpp"
#include "decode/bytes.hpp"
#include "util/hmac.hpp"
#include "util/interrupt.hpp"

#include <fmt/format.h>

#include <set>
#include <unordered_set>

namespace rctl::session {

namespace {

// KEYS[1] = session key, ARGV[1] = SHA-1 (hex) of the value that was verified.
// Returns 1 deleted, -1 value changed (or no longer a string), -2 key gone.
constexpr std::string_view k_compare_and_delete = R"lua(
local v = redis.pcall('GET', KEYS[1])
if type(v) == 'table' then return -1 end
if not v then return -2 end
if redis.sha1hex(v) ~= ARGV[1] then return -1 end
local r = redis.pcall('UNLINK', KEYS[1])
if type(r) == 'table' then return redis.call('DEL', KEYS[1]) end
return r
)lua";

constexpr std::size_t k_not_listed = static_cast<std::size_t>(-1);

std::string sha1_hex(std::string_view bytes) {
  return decode::to_hex(value_or_throw(util::hash(util::Digest::sha1, bytes)));
}

// A session selected for deletion.
struct Pending {
  std::string key;
  std::string sha1;
  std::size_t listed = k_not_listed;  // index in RevokeReport::sessions
};

void set_outcome(RevokeReport& report, const Pending& p, RevokeOutcome outcome) {
  switch (outcome) {
    case RevokeOutcome::deleted: ++report.deleted; break;
    case RevokeOutcome::changed: ++report.changed; break;
    case RevokeOutcome::gone: ++report.gone; break;
    case RevokeOutcome::would_delete: break;
  }
  if (p.listed != k_not_listed) report.sessions[p.listed].outcome = outcome;
}

// Compare-and-delete for one batch, re-verifying changed sessions between attempts. Returns
// the error when Redis fails.
std::optional<Error> delete_batch(cluster::Client& target, std::vector<Pending> batch, const std::string& user,
                                  const SessionScanOptions& options, RevokeReport& report) {
  for (int attempt = 1; attempt <= k_revoke_attempts && !batch.empty(); ++attempt) {
    std::vector<client::Command> commands;
    for (const auto& p : batch)
      commands.push_back(client::keyed({"EVAL", k_compare_and_delete, "1", p.key, p.sha1}).key(3).unsafe_to_retry());
    auto replies = target.exec_all(std::move(commands));
    if (!replies) {
      // Sent, no reply: the batch's sessions may be deleted or not. (exec_all keeps no reply of
      // a failed pipeline, so the whole batch counts.)
      if (replies.error().kind == ErrorKind::outcome_unknown) report.outcome_unknown += batch.size();
      return replies.error();
    }
    std::vector<Pending> changed;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& r = (*replies)[i];
      if (r.is_error()) return client::to_error(r.str, "EVAL");
      if (r.integer == -1) changed.push_back(std::move(batch[i]));
      else set_outcome(report, batch[i], r.integer >= 1 ? RevokeOutcome::deleted : RevokeOutcome::gone);
    }
    if (changed.empty() || attempt == k_revoke_attempts) {
      for (const auto& p : changed) set_outcome(report, p, RevokeOutcome::changed);
      return std::nullopt;
    }
    // Read the changed ones again: still this user's sessions get another attempt.
    std::vector<std::string> keys;
    for (const auto& p : changed) keys.push_back(p.key);
    std::vector<SessionRecord> now;
    try {
      now = read_sessions(target, keys, options.prefixes, options.user_fields);
    } catch (const Failure& f) {
      return f.error();
    }
    batch.clear();
    for (auto& p : changed) {
      auto it = std::find_if(now.begin(), now.end(), [&](const SessionRecord& r) { return r.key == p.key; });
      if (it == now.end()) {
        set_outcome(report, p, RevokeOutcome::gone);
      } else if (!it->user || it->user->id != user) {
        set_outcome(report, p, RevokeOutcome::changed);  // re-assigned: not this user's any more
      } else {
        p.sha1 = sha1_hex(it->raw);
        batch.push_back(std::move(p));
      }
    }
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(RevokeOutcome outcome) {
  switch (outcome) {
    case RevokeOutcome::deleted: return "deleted";
    case RevokeOutcome::would_delete: return "would_delete";
    case RevokeOutcome::changed: return "changed";
    case RevokeOutcome::gone: return "gone";
  }
  return "changed";
}

RevokeReport revoke_user_sessions(cluster::Client& target, const SessionScanOptions& options, const std::string& user,
                                  Apply apply, const SessionScanProgress& progress) {
  RevokeReport report;
  report.user = user;
  report.dry_run = apply == Apply::dry_run;
  std::vector<Pending> pending;
  std::unordered_set<std::string> selected;  // SCAN may return a key twice
  report.scan = scan_sessions(
      target, options,
      [&](SessionRecord& r) {
        if (!r.user || r.user->id != user || !selected.insert(r.key).second) return;
        ++report.found;
        Pending p{r.key, sha1_hex(r.raw)};
        if (report.sessions.size() < k_revoke_listed) {
          p.listed = report.sessions.size();
          report.sessions.push_back({summarize(r), RevokeOutcome::would_delete});
        }
        pending.push_back(std::move(p));
      },
      progress);
  if (report.scan->interrupted) {
    report.interrupted = true;  // stopped by the operator: delete nothing
    return report;
  }
  // A node that failed is reported; the sessions found elsewhere are still revoked, since
  // logging the user out of most sessions beats logging them out of none.
  report.error = report.scan->first_error();
  if (report.dry_run) return report;
  for (std::size_t from = 0; from < pending.size(); from += k_revoke_batch) {
    if (util::interrupted()) {
      report.interrupted = true;
      break;
    }
    auto to = std::min(pending.size(), from + k_revoke_batch);
    std::vector<Pending> batch(std::make_move_iterator(pending.begin() + static_cast<std::ptrdiff_t>(from)),
                               std::make_move_iterator(pending.begin() + static_cast<std::ptrdiff_t>(to)));
    if (auto error = delete_batch(target, std::move(batch), user, options, report)) {
      report.error = std::move(error);  // a failure while deleting outranks a scan failure
      break;
    }
  }
  return report;
}

RevokeReport revoke_session_ids(cluster::Client& target, const std::vector<std::string>& sids,
                                const SessionScanOptions& options, Apply apply) {
  RevokeReport report;
  report.sids = sids;
  report.dry_run = apply == Apply::dry_run;
  std::vector<std::string> keys;
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::vector<std::string>>> candidates;  // sid -> its keys
  for (const auto& sid : sids) {
    auto mine = candidate_keys(sid, options.prefixes);
    for (const auto& k : mine)
      if (seen.insert(k).second) keys.push_back(k);
    candidates.emplace_back(sid, std::move(mine));
  }
  auto records = read_sessions(target, keys, options.prefixes, options.user_fields);
  std::set<std::string> found_keys;
  for (const auto& r : records) found_keys.insert(r.key);
  for (const auto& [sid, mine] : candidates)
    if (std::none_of(mine.begin(), mine.end(), [&](const std::string& k) { return found_keys.contains(k); }) &&
        std::find(report.missing_sids.begin(), report.missing_sids.end(), sid) == report.missing_sids.end())
      report.missing_sids.push_back(sid);
  report.found = records.size();
  for (const auto& r : records)
    if (report.sessions.size() < k_revoke_listed)
      report.sessions.push_back({summarize(r), RevokeOutcome::would_delete});
  if (report.dry_run || records.empty()) return report;

  auto unlink = [&](const char* command) {
    std::vector<client::Command> commands;
    // Not resent after a lost connection: the count of revoked sessions must be exact.
    for (const auto& r : records) commands.push_back(client::keyed({command, r.key}).unsafe_to_retry());
    return target.exec_all(std::move(commands));
  };
  auto sent = unlink("UNLINK");
  if (sent && !sent->empty() && sent->front().is_error() &&
      client::classify(sent->front().str) == client::ServerErrorKind::unknown_command)
    sent = unlink("DEL");  // Redis < 4.0
  if (!sent) {
    if (sent.error().kind != ErrorKind::outcome_unknown) throw Failure(sent.error());
    report.outcome_unknown = records.size();  // sent, no reply: deleted or not
    report.error = sent.error();
    return report;
  }
  auto& replies = *sent;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (replies[i].is_error()) throw Failure(client::to_error(replies[i].str, "UNLINK"));
    Pending p{records[i].key, {}, i < report.sessions.size() ? i : k_not_listed};
    set_outcome(report, p, replies[i].integer >= 1 ? RevokeOutcome::deleted : RevokeOutcome::gone);
  }
  return report;
}

}  // namespace rctl::session
