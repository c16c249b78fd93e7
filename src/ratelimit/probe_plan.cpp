// `ratelimit probe`: settle what to hit, and how, before anything is sent.

#include "client/server_error.hpp"
#include "cluster/slot.hpp"
#include "ratelimit/key.hpp"
#include "ratelimit/probe.hpp"

#include <fmt/format.h>

#include <random>

namespace rctl::ratelimit {

namespace {

// A random hex id: scratch keys of concurrent probes never collide, and the braces around it
// put every scratch key of one run (both sliding windows included) in one hash slot.
std::string random_id() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> dist;
  return fmt::format("{:012x}", dist(rd) & 0xFFFFFFFFFFFFull);
}

std::int64_t default_hits(const LimitItem& limit) { return std::max<std::int64_t>(limit.amount * 2, limit.amount + 1); }

const char* strategy_of_type(const std::string& type) {
  if (type == "string") return "fixed";
  if (type == "list") return "moving";
  return nullptr;
}

}  // namespace

const char* to_string(ProbeStrategy s) {
  switch (s) {
    case ProbeStrategy::fixed: return "fixed";
    case ProbeStrategy::moving: return "moving";
    case ProbeStrategy::sliding: return "sliding";
  }
  return "fixed";
}

std::optional<ProbeStrategy> parse_probe_strategy(std::string_view name) {
  if (name == "fixed" || name == "fixed-window") return ProbeStrategy::fixed;
  if (name == "moving" || name == "moving-window") return ProbeStrategy::moving;
  if (name == "sliding" || name == "sliding-window-counter") return ProbeStrategy::sliding;
  return std::nullopt;
}

const char* to_string(ProbeVerdict v) {
  switch (v) {
    case ProbeVerdict::pass: return "pass";
    case ProbeVerdict::too_many: return "too_many";
    case ProbeVerdict::too_few: return "too_few";
    case ProbeVerdict::inconclusive: return "inconclusive";
    case ProbeVerdict::unknown: return "unknown";
    case ProbeVerdict::error: return "error";
    case ProbeVerdict::interrupted: return "interrupted";
    case ProbeVerdict::dry_run: return "dry_run";
  }
  return "error";
}

std::vector<ProbePlan> plan_probe(cluster::Client& target, const ProbeOptions& o) {
  std::vector<ProbePlan> plans;
  if (!o.key) {
    if (o.limits.empty()) throw Failure(ErrorKind::usage, "--limit is required", "e.g. --limit 20/minute");
    if (!o.strategy)
      throw Failure(ErrorKind::usage, "--strategy is required for a scratch key",
                    "fixed, moving or sliding: the strategy the application's limiter uses");
    auto id = random_id();
    for (const auto& limit : o.limits) {
      ProbePlan p;
      p.limit = limit;
      p.strategy = *o.strategy;
      p.key = fmt::format("rctl:probe:{{{}}}:{}", id, limit.key_suffix());
      if (p.strategy == ProbeStrategy::sliding) p.previous_key = p.key + "/-1";
      p.hits = o.hits.value_or(default_hits(limit));
      plans.push_back(std::move(p));
    }
    return plans;
  }
  const auto& key = *o.key;
  if (o.limits.size() > 1)
    throw Failure(ErrorKind::usage, "--key takes one limit", "a key holds one window; give the limit of that key");
  ProbePlan p;
  p.scratch = false;
  auto parsed = parse_limits_key(key);
  if (parsed) {
    if (!o.limits.empty() && o.limits.front() != parsed->limit)
      throw Failure(ErrorKind::usage,
                    fmt::format("--limit {} does not match the key, which carries {}", o.limits.front().text(),
                                parsed->limit.text()),
                    "drop --limit: limits keys name their own limit");
    p.limit = parsed->limit;
  } else if (o.limits.empty()) {
    throw Failure(ErrorKind::usage, fmt::format("--limit is required: '{}' does not carry its limit", key),
                  "give the limit the application applies to this key, e.g. --limit 20/minute");
  } else {
    p.limit = o.limits.front();
  }
  if (parsed && parsed->layout == KeyLayout::limits_sliding) {
    if (o.strategy && *o.strategy != ProbeStrategy::sliding)
      throw Failure(ErrorKind::usage, fmt::format("'{}' is a sliding-window counter key; --strategy {} does not fit",
                                                  key, to_string(*o.strategy)));
    p.strategy = ProbeStrategy::sliding;
    p.key = parsed->current_key;
    p.previous_key = parsed->previous_key;
  } else {
    auto type = value_or_throw(target.exec(client::keyed({"TYPE", key})));
    if (type.is_error()) throw Failure(client::to_error(type.str, "TYPE " + key));
    const char* fits = strategy_of_type(type.str);
    if (type.str != "none" && !fits)
      throw Failure(
          ErrorKind::usage,
          fmt::format("'{}' is a {}: probe runs limits' fixed, moving and sliding windows only", key, type.str));
    if (o.strategy) {
      p.strategy = *o.strategy;
    } else if (fits) {
      p.strategy = *parse_probe_strategy(fits);
    } else {
      throw Failure(ErrorKind::usage, fmt::format("'{}' does not exist: give --strategy", key),
                    "fixed, moving or sliding: the strategy the application's limiter uses");
    }
    if (p.strategy == ProbeStrategy::sliding) {
      if (parsed)
        throw Failure(ErrorKind::usage, fmt::format("'{}' is not a sliding-window counter key", key),
                      "limits keeps sliding windows under LIMITS:{LIMITER/...}");
      p.key = key;
      p.previous_key = key + "/-1";
      if (cluster::key_slot(p.key) != cluster::key_slot(p.previous_key))
        throw Failure(
            ErrorKind::usage,
            fmt::format("'{}' and its previous window '{}' would hash to different cluster slots", key, p.previous_key),
            "a sliding-window key needs a hash tag: wrap its name in braces, e.g. {user42}");
    } else {
      if (fits && type.str != "none" && std::string_view(fits) != to_string(p.strategy))
        throw Failure(ErrorKind::usage,
                      fmt::format("'{}' is a {}, which a {} window does not use", key, type.str, to_string(p.strategy)),
                      fmt::format("--strategy {} fits this key", fits));
      p.key = key;
    }
  }
  p.hits = o.hits.value_or(default_hits(p.limit));
  plans.push_back(std::move(p));
  return plans;
}

}  // namespace rctl::ratelimit
