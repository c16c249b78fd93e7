#include "ratelimit/usage.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rctl::ratelimit {

namespace {

std::int64_t to_ms(double seconds) { return static_cast<std::int64_t>(std::ceil(seconds * 1000.0 - 1e-6)); }

// Fills reset_in_ms from reset_at.
Usage with_reset(Usage u, double now) {
  if (u.reset_at) u.reset_in_ms = std::max<std::int64_t>(0, to_ms(*u.reset_at - now));
  return u;
}

}  // namespace

Usage fixed_window_usage(std::int64_t count, std::int64_t pttl_ms, const std::optional<LimitItem>& limit, double now) {
  Usage u;
  u.used = count;
  double ttl_s = static_cast<double>(std::max<std::int64_t>(pttl_ms, 0)) / 1000.0;
  u.reset_at = now + ttl_s;
  if (limit) {
    u.remaining = std::max<std::int64_t>(0, limit->amount - count);
    if (*u.remaining > 0) u.retry_after_ms = 0;
    else if (pttl_ms >= 0 && limit->amount > 0) u.retry_after_ms = pttl_ms;
    // No TTL on a full counter (or a limit of 0): nothing will ever let a hit through.
  }
  return with_reset(u, now);
}

Usage moving_window_usage(const std::vector<double>& newest_first, const LimitItem& limit, double now,
                          MovingWindowRules rules) {
  Usage u;
  auto window = static_cast<double>(limit.window_seconds());
  // limits 2.x passes int(time.time() - expiry) to moving_window.lua: whole seconds.
  double threshold = rules == MovingWindowRules::limits_2 ? std::trunc(now - window) : now - window;
  std::size_t considered = static_cast<std::size_t>(std::max<std::int64_t>(limit.amount, 0)) +
                           (rules == MovingWindowRules::limits_2 ? 1 : 0);
  considered = std::min(considered, newest_first.size());
  std::size_t count = 0;
  while (count < considered && newest_first[count] >= threshold) ++count;
  u.used = static_cast<std::int64_t>(count);
  u.remaining = std::max<std::int64_t>(0, limit.amount - static_cast<std::int64_t>(count));
  if (count == 0) {
    u.reset_at = rules == MovingWindowRules::limits_2 ? std::trunc(now) : now;
  } else if (rules == MovingWindowRules::limits_2) {
    // moving_window.lua 2.x returns the first entry counted (the newest) as a Lua number,
    // which Redis turns into an integer reply by truncation.
    u.reset_at = std::trunc(newest_first.front()) + window;
  } else {
    u.reset_at = newest_first[count - 1] + window;
  }
  if (limit.amount > 0) {
    // acquire_moving_window.lua refuses a hit while the entry at index amount-1 is inside the
    // window; it leaves the window at its timestamp + window.
    auto edge = static_cast<std::size_t>(limit.amount - 1);
    if (edge >= newest_first.size() || newest_first[edge] < now - window) u.retry_after_ms = 0;
    else u.retry_after_ms = std::max<std::int64_t>(0, to_ms(newest_first[edge] + window - now));
  }
  return with_reset(u, now);
}

SlidingWindowState shift_sliding_window(SlidingWindowState s, const LimitItem& limit) {
  auto window_ms = limit.window_ms();
  if (s.current_pttl_ms > 0 && s.current_pttl_ms < window_ms) {
    // RENAME current -> previous keeps the TTL; SET current 0 PX ttl + window.
    s.previous_count = s.current_count;
    s.previous_pttl_ms = s.current_pttl_ms;
    s.current_count = 0;
    s.current_pttl_ms = s.current_pttl_ms + window_ms;
  }
  return s;
}

Usage sliding_window_usage(const SlidingWindowState& raw, const LimitItem& limit, double now) {
  auto s = shift_sliding_window(raw, limit);
  const double window_ms = static_cast<double>(limit.window_ms());
  const double window_s = static_cast<double>(limit.window_seconds());
  double prev_ttl = static_cast<double>(std::max<std::int64_t>(s.previous_pttl_ms, 0));
  double cur_ttl = static_cast<double>(std::max<std::int64_t>(s.current_pttl_ms, 0));
  auto prev = s.previous_count;
  auto cur = s.current_count;
  // acquire_sliding_window.lua: math.floor(previous * previous_ttl / expiry) + current.
  auto weighted = static_cast<std::int64_t>(std::floor(static_cast<double>(prev) * prev_ttl / window_ms)) + cur;
  Usage u;
  u.used = weighted;
  u.remaining = std::max<std::int64_t>(0, limit.amount - weighted);
  if (prev == 0 && cur == 0) {
    u.reset_at = now;
  } else {
    double prev_reset = std::numeric_limits<double>::infinity();
    double cur_reset = std::numeric_limits<double>::infinity();
    if (prev) prev_reset = std::fmod(prev_ttl / 1000.0, window_s / static_cast<double>(prev));
    if (cur) cur_reset = std::fmod(cur_ttl / 1000.0, window_s);
    u.reset_at = now + std::min(prev_reset, cur_reset);
  }
  if (limit.amount <= 0) return with_reset(u, now);
  if (weighted + 1 <= limit.amount) {
    u.retry_after_ms = 0;
    return with_reset(u, now);
  }
  // Until the current window ends, the previous count's weight decays as its TTL runs out:
  // allowed once floor(prev * (prev_ttl - t) / window) <= amount - 1 - cur.
  double rollover = s.current_pttl_ms > window_ms ? static_cast<double>(s.current_pttl_ms) - window_ms
                                                  : std::numeric_limits<double>::infinity();
  if (cur <= limit.amount - 1 && prev > 0) {
    double k = static_cast<double>(limit.amount - cur);
    double t = std::max(0.0, std::floor(prev_ttl - k * window_ms / static_cast<double>(prev)) + 1);
    if (t < rollover) {
      u.retry_after_ms = static_cast<std::int64_t>(t);
      return with_reset(u, now);
    }
  }
  if (std::isinf(rollover) || cur <= 0) return with_reset(u, now);  // nothing will change
  // After the rollover the current count becomes the previous one, its TTL still running
  // down from one window: allowed once floor(cur * (cur_ttl - t) / window) <= amount - 1.
  double t = std::floor(cur_ttl - static_cast<double>(limit.amount) * window_ms / static_cast<double>(cur)) + 1;
  u.retry_after_ms = static_cast<std::int64_t>(std::max(rollover, t));
  return with_reset(u, now);
}

Usage sliding_log_usage(std::int64_t in_window, std::optional<double> newest, std::optional<double> pivot,
                        const std::optional<LimitItem>& limit, double now) {
  Usage u;
  u.used = in_window;
  if (!limit) return u;
  auto window = static_cast<double>(limit->window_seconds());
  u.remaining = std::max<std::int64_t>(0, limit->amount - in_window);
  u.reset_at = in_window > 0 && newest ? *newest + window : now;
  if (*u.remaining > 0) u.retry_after_ms = 0;
  else if (limit->amount > 0 && pivot) u.retry_after_ms = std::max<std::int64_t>(0, to_ms(*pivot + window - now));
  return with_reset(u, now);
}

double score_divisor(double recent) {
  recent = std::fabs(recent);
  if (recent < 1e11) return 1;  // seconds until the year 5138
  if (recent < 1e14) return 1e3;  // milliseconds
  if (recent < 1e17) return 1e6;  // microseconds
  return 1e9;
}

Usage gcra_usage(std::int64_t tat_ns, std::int64_t now_ns, const LimitItem& rate, std::int64_t max_burst) {
  Usage u;
  auto limit = max_burst + 1;
  double now_s = static_cast<double>(now_ns) / 1e9;
  if (rate.amount <= 0) {  // redis-cell refuses zero rates
    u.remaining = 0;
    return u;
  }
  // Rate::per_period: the period in ns divided by the count, truncated to whole ns.
  auto interval =
      static_cast<std::int64_t>(static_cast<double>(rate.window_seconds()) * 1e9 / static_cast<double>(rate.amount));
  if (interval <= 0) interval = 1;
  auto tolerance = interval * limit;
  auto ttl = std::max<std::int64_t>(0, tat_ns - now_ns);
  auto next = tolerance - ttl;
  std::int64_t remaining = 0;
  // CL.THROTTLE divides microseconds as f64 and truncates toward zero.
  if (next > -interval)
    remaining = static_cast<std::int64_t>(static_cast<double>(next / 1000) /
                                          static_cast<double>(interval / 1000 ? interval / 1000 : 1));
  u.remaining = std::max<std::int64_t>(0, remaining);
  u.used = std::max<std::int64_t>(0, limit - *u.remaining);
  u.reset_at = now_s + static_cast<double>(ttl) / 1e9;
  // A hit moves the TAT one interval on; it is refused while that passes now + tolerance.
  auto wait = ttl + interval - tolerance;
  u.retry_after_ms = wait > 0 ? (wait + 999'999) / 1'000'000 : 0;
  return with_reset(u, now_s);
}

}  // namespace rctl::ratelimit

namespace rctl::ratelimit {

std::int64_t sliding_window_stable_ms(const SlidingWindowState& raw, const LimitItem& limit) {
  auto s = shift_sliding_window(raw, limit);
  auto window_ms = limit.window_ms();
  auto prev_ttl = std::max<std::int64_t>(s.previous_pttl_ms, 0);
  bool empty = (s.previous_count == 0 || prev_ttl == 0) && s.current_count == 0 && s.current_pttl_ms <= 0;
  if (empty) return window_ms;
  auto stable = std::numeric_limits<std::int64_t>::max();
  if (s.current_pttl_ms > window_ms) stable = s.current_pttl_ms - window_ms;
  if (s.previous_count > 0 && prev_ttl > 0) {
    auto whole = static_cast<std::int64_t>(std::floor(static_cast<double>(s.previous_count) *
                                                      static_cast<double>(prev_ttl) / static_cast<double>(window_ms)));
    if (whole > 0) {
      // floor(prev * (ttl - t) / window) drops below `whole` once t > ttl - whole * window / prev.
      auto t = static_cast<std::int64_t>(
          std::floor(static_cast<double>(prev_ttl) - static_cast<double>(whole) * static_cast<double>(window_ms) /
                                                         static_cast<double>(s.previous_count)));
      stable = std::min(stable, std::max<std::int64_t>(t, 0));
    }
  }
  return stable;
}

}  // namespace rctl::ratelimit
