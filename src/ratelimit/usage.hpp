#pragma once
// How much of a limit is used, computed from what a limiter keeps in Redis, the way the
// library that wrote it computes it (limits' get_window_stats, redis-cell's CL.THROTTLE), plus
// one figure no library reports: how long until the next hit would be allowed. Pure
// arithmetic on values already read; times are Unix seconds (double) and milliseconds.

#include "ratelimit/spec.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace rctl::ratelimit {

struct Usage {
  std::optional<std::int64_t> used;  // hits counted against the limit; nullopt: unknown
  std::optional<std::int64_t> remaining;  // hits still allowed; nullopt without a limit
  std::optional<double> reset_at;  // Unix seconds, as the library reports its reset
  std::optional<std::int64_t> reset_in_ms;  // reset_at - now, in ms (never negative)
  std::optional<std::int64_t> retry_after_ms;  // 0: a hit is allowed now; nullopt: unknown or never
};

// Fixed window (limits' incr_expire.lua; hand-rolled INCR + EXPIRE): `count` hits, key TTL
// `pttl_ms` (-1 no expiry, -2 no key). Reset is now + TTL (limits: now + max(TTL, 0)).
Usage fixed_window_usage(std::int64_t count, std::int64_t pttl_ms, const std::optional<LimitItem>& limit, double now);

// Which limits generation wrote a moving window, for the two places they differ.
enum class MovingWindowRules {
  limits_2,  // limits < 3.7: entries >= int(now - window) count; reset = int(newest) + window
  limits_3,  // limits >= 3.10: entries >= now - window count; reset = oldest counted + window
};

// Moving window: the list of hit timestamps, newest first (LPUSH + LTRIM to the limit).
// Counted from the head, stopping at the first entry outside the window, over at most
// amount + 1 entries (2.x: LRANGE 0 amount) or amount entries (3.x).
Usage moving_window_usage(const std::vector<double>& newest_first, const LimitItem& limit, double now,
                          MovingWindowRules rules);

// The two counters of limits' sliding-window counter as read (GET and PTTL of the previous
// and the current window keys; a missing key counts 0 with TTL -2).
struct SlidingWindowState {
  std::int64_t previous_count = 0;
  std::int64_t previous_pttl_ms = -2;
  std::int64_t current_count = 0;
  std::int64_t current_pttl_ms = -2;
};

// The state as limits' scripts see it: when the current key's TTL has dropped below one
// window, its window is over and it becomes the previous one (sliding_window.lua renames it;
// we only compute what that would give, reading never writes).
SlidingWindowState shift_sliding_window(SlidingWindowState state, const LimitItem& limit);

// Sliding-window counter (limits >= 4.1): weighted = previous * previous_ttl / window +
// current; used = floor(weighted); reset as SlidingWindowCounterRateLimiter.get_window_stats.
Usage sliding_window_usage(const SlidingWindowState& raw, const LimitItem& limit, double now);

// A sorted-set sliding log: `in_window` members with score > now - window, the newest score,
// and the score of the amount-th newest member (whose expiry frees the next slot), all in
// seconds. Reset is when the log empties: newest + window.
Usage sliding_log_usage(std::int64_t in_window, std::optional<double> newest, std::optional<double> pivot,
                        const std::optional<LimitItem>& limit, double now);

// Divisor that turns sorted-set scores into seconds, guessed from the magnitude of a recent
// score: 1 (seconds), 1e3 (ms), 1e6 (us) or 1e9 (ns).
double score_divisor(double recent_score);

// redis-cell GCRA: the stored theoretical arrival time (Unix ns), for `count` per `period`
// with `max_burst` (CL.THROTTLE key max_burst count period). Remaining, reset and retry as
// CL.THROTTLE key ... 0 would report them.
Usage gcra_usage(std::int64_t tat_ns, std::int64_t now_ns, const LimitItem& rate, std::int64_t max_burst);

}  // namespace rctl::ratelimit

namespace rctl::ratelimit {

// How long a sliding-window counter's budget cannot grow by itself (no hits): until the
// previous window's weight loses a whole hit or the current window rolls over. A window
// with nothing in it yields one window (the first hit starts it).
std::int64_t sliding_window_stable_ms(const SlidingWindowState& raw, const LimitItem& limit);

}  // namespace rctl::ratelimit
