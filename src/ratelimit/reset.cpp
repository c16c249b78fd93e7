// `ratelimit reset`: clear limiters (both windows of a sliding-window counter).

#include "client/options.hpp"
#include "client/server_error.hpp"
#include "cluster/slot.hpp"
#include "ratelimit/reader.hpp"

#include <fmt/format.h>

#include <set>

namespace rctl::ratelimit {

std::vector<std::string> limiter_keys(const std::vector<Limiter>& limiters) {
  std::vector<std::string> keys;
  for (const auto& l : limiters) {
    keys.push_back(l.key);
    if (!l.previous_key.empty()) keys.push_back(l.previous_key);
  }
  return keys;
}

ResetReport prepare_reset(cluster::Client& target, const std::vector<std::string>& keys, const ReadOptions& options) {
  ResetReport report;
  report.target = client::describe(target.seed_options());
  std::vector<Subject> subjects;
  std::vector<std::string> named;
  std::set<std::string> seen;
  for (const auto& key : keys) {
    auto subject = make_subject(key);
    if (!seen.insert(subject.key).second) continue;  // a sliding pair named twice
    named.push_back(key);
    subjects.push_back(std::move(subject));
  }
  auto outcomes = read_routed(target, std::move(subjects), options);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    auto& o = outcomes[i];
    if (o.status == ReadStatus::unsupported)
      throw Failure(ErrorKind::usage, fmt::format("key '{}' is {}; nothing was deleted", named[i], o.why),
                    "ratelimit reset deletes limiter keys only (use rctl cache del for other keys)");
    if (o.status == ReadStatus::redirected)
      throw Failure(ErrorKind::server,
                    fmt::format("key '{}': the cluster kept redirecting the read; nothing was deleted", named[i]));
    if (o.status == ReadStatus::missing) {
      report.missing.push_back(named[i]);
      continue;
    }
    if (const auto* node = target.topology().primary_for_slot(cluster::key_slot(o.limiter->key)))
      o.limiter->node = target.label(*node);
    report.limiters.push_back(std::move(*o.limiter));
  }
  return report;
}

void run_reset(cluster::Client& target, ResetReport& report) {
  if (report.dry_run || report.limiters.empty()) return;
  // One command per limiter: a sliding window's two keys share a hash slot by design.
  auto build = [&](const char* verb) {
    std::vector<client::Command> commands;
    for (const auto& l : report.limiters) {
      // Not resent after a lost connection: a second UNLINK would report 0 keys deleted.
      auto c = client::keyed({verb, l.key}).unsafe_to_retry();
      if (!l.previous_key.empty()) c.args.push_back(l.previous_key);
      commands.push_back(std::move(c));
    }
    return commands;
  };
  // Sent, no reply: every key of the pipeline may be deleted or not (exec_all keeps no reply of
  // a failed pipeline), and the message says so rather than "0 deleted".
  auto sent_or_throw = [&](Expected<std::vector<resp::Value>> sent) {
    if (sent) return std::move(*sent);
    auto error = sent.error();
    if (error.kind == ErrorKind::outcome_unknown) {
      report.outcome_unknown = static_cast<std::int64_t>(limiter_keys(report.limiters).size());
      error.message += fmt::format(" ({} key(s) deleted for certain, {} more whose outcome is unknown)",
                                   report.keys_deleted, report.outcome_unknown);
    }
    throw Failure(std::move(error));
  };
  auto replies = sent_or_throw(target.exec_all(build("UNLINK")));
  bool fallback = false;
  for (const auto& r : replies)
    if (r.is_error() && client::classify(r.str) == client::ServerErrorKind::unknown_command) fallback = true;
  if (fallback) replies = sent_or_throw(target.exec_all(build("DEL")));  // Redis < 4.0
  report.keys_deleted = 0;
  std::optional<Error> first;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const auto& r = replies[i];
    if (r.is_error() && !first)
      first = client::to_error(r.str, fmt::format("{} {}", fallback ? "DEL" : "UNLINK", report.limiters[i].key));
    else if (r.type == resp::Type::integer) report.keys_deleted += r.integer;
  }
  if (first) {
    first->message += fmt::format(" ({} other key(s) deleted)", report.keys_deleted);
    throw Failure(std::move(*first));
  }
}

}  // namespace rctl::ratelimit
