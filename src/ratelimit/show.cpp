// `ratelimit show KEY`: one limiter, read routed, with its raw window entries.

#include "cluster/slot.hpp"
#include "ratelimit/reader.hpp"

#include <fmt/format.h>

namespace rctl::ratelimit {

const char* to_string(LimiterLayout layout) {
  switch (layout) {
    case LimiterLayout::limits: return "limits";
    case LimiterLayout::limits_prefixed: return "limits-prefixed";
    case LimiterLayout::limits_sliding: return "limits-sliding";
    case LimiterLayout::counter: return "counter";
    case LimiterLayout::list_log: return "list-log";
    case LimiterLayout::zset_log: return "zset-log";
    case LimiterLayout::redis_cell: return "redis-cell";
  }
  return "counter";
}

const char* to_string(LimiterStrategy strategy) {
  switch (strategy) {
    case LimiterStrategy::fixed_window: return "fixed-window";
    case LimiterStrategy::moving_window: return "moving-window";
    case LimiterStrategy::sliding_window_counter: return "sliding-window-counter";
    case LimiterStrategy::sliding_log: return "sliding-log";
    case LimiterStrategy::gcra: return "gcra";
  }
  return "fixed-window";
}

Limiter show_limiter(cluster::Client& target, const std::string& key, const ReadOptions& options) {
  std::vector<Subject> subjects{make_subject(key)};
  auto outcomes = read_routed(target, std::move(subjects), options);
  auto& o = outcomes.front();
  switch (o.status) {
    case ReadStatus::ok: break;
    case ReadStatus::missing:
      throw Failure(ErrorKind::not_found, fmt::format("key '{}' does not exist", key),
                    "a limiter key exists only while its window holds hits; see rctl ratelimit list");
    case ReadStatus::unsupported:
      throw Failure(ErrorKind::usage, fmt::format("key '{}' is {}", key, o.why),
                    "ratelimit reads counters, lists of hit times, sorted-set logs and redis-cell keys");
    case ReadStatus::redirected:
      throw Failure(ErrorKind::server, fmt::format("key '{}': the cluster kept redirecting the read", key),
                    "the slot may be migrating; try again");
  }
  auto limiter = std::move(*o.limiter);
  if (const auto* node = target.topology().primary_for_slot(cluster::key_slot(limiter.key)))
    limiter.node = target.label(*node);
  return limiter;
}

}  // namespace rctl::ratelimit
