// Remaining/reset arithmetic per strategy, as limits (2.8 and 5.8) and redis-cell compute it.

#include "ratelimit/usage.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace rctl;
using ratelimit::Granularity;
using ratelimit::LimitItem;
using ratelimit::MovingWindowRules;
using ratelimit::SlidingWindowState;

namespace {

const LimitItem k_5_per_minute{5, 1, Granularity::minute};
constexpr double k_now = 1795325332.25;

}  // namespace

TEST_CASE("ops ratelimit usage: fixed window") {
  auto u = ratelimit::fixed_window_usage(3, 42000, k_5_per_minute, k_now);
  CHECK(u.used == 3);
  CHECK(u.remaining == 2);
  CHECK(u.reset_in_ms == 42000);
  CHECK(*u.reset_at == Approx(k_now + 42.0));
  CHECK(u.retry_after_ms == 0);

  auto full = ratelimit::fixed_window_usage(5, 42000, k_5_per_minute, k_now);
  CHECK(full.remaining == 0);
  CHECK(full.retry_after_ms == 42000);  // the window's end frees it
  auto over = ratelimit::fixed_window_usage(9, 1500, k_5_per_minute, k_now);
  CHECK(over.used == 9);
  CHECK(over.remaining == 0);  // limits: max(0, amount - count)
  CHECK(over.retry_after_ms == 1500);

  auto missing = ratelimit::fixed_window_usage(0, -2, k_5_per_minute, k_now);  // no hits in this window
  CHECK(missing.remaining == 5);
  CHECK(*missing.reset_at == Approx(k_now));  // limits: now + max(ttl, 0)
  CHECK(missing.reset_in_ms == 0);

  auto stuck = ratelimit::fixed_window_usage(5, -1, k_5_per_minute, k_now);  // a counter that lost its TTL
  CHECK(stuck.remaining == 0);
  CHECK_FALSE(stuck.retry_after_ms);  // nothing will ever free it

  auto blocked = ratelimit::fixed_window_usage(0, -2, LimitItem{0, 1, Granularity::minute}, k_now);
  CHECK(blocked.remaining == 0);
  CHECK_FALSE(blocked.retry_after_ms);

  auto unknown = ratelimit::fixed_window_usage(4, 1000, std::nullopt, k_now);  // hand-rolled without --limit
  CHECK(unknown.used == 4);
  CHECK_FALSE(unknown.remaining);
  CHECK_FALSE(unknown.retry_after_ms);
  CHECK(unknown.reset_in_ms == 1000);
}

TEST_CASE("ops ratelimit usage: moving window, limits 2.x and 3.x rules") {
  // Newest first, as LPUSH leaves them. now - 60 = 1795325272.25; int() of it is ...272.
  std::vector<double> entries{k_now - 1.5, k_now - 10.25, k_now - 59.75, 1795325272.125, k_now - 61};
  auto v2 = ratelimit::moving_window_usage(entries, k_5_per_minute, k_now, MovingWindowRules::limits_2);
  // 2.x counts ...272.125 too: it passes int(now - window) to moving_window.lua.
  CHECK(v2.used == 4);
  CHECK(v2.remaining == 1);
  // 2.x's reset: the first entry counted (the newest), truncated to whole seconds, + window.
  CHECK(*v2.reset_at == std::trunc(k_now - 1.5) + 60);
  CHECK(v2.retry_after_ms == 0);

  auto v3 = ratelimit::moving_window_usage(entries, k_5_per_minute, k_now, MovingWindowRules::limits_3);
  CHECK(v3.used == 3);
  CHECK(v3.remaining == 2);
  CHECK(*v3.reset_at == Approx(k_now - 59.75 + 60));  // the oldest entry counted + window
  CHECK(v3.reset_in_ms == 250);

  // What Flask-Limiter 3.3 reported for three hits 1.1 s apart (captured from a real app):
  // X-RateLimit-Reset is int(window_start + 1).
  std::vector<double> seen{1795325331.3642898, 1795325330.2425697, 1795325329.100913};
  auto real = ratelimit::moving_window_usage(seen, k_5_per_minute, 1795325331.37, MovingWindowRules::limits_2);
  CHECK(real.remaining == 2);
  CHECK(static_cast<long long>(*real.reset_at + 1) == 1795325392);

  // Full: the amount-th newest entry (index amount-1) leaves the window at its time + window.
  std::vector<double> full{k_now - 1, k_now - 2, k_now - 3, k_now - 4, k_now - 50.5};
  auto f = ratelimit::moving_window_usage(full, k_5_per_minute, k_now, MovingWindowRules::limits_3);
  CHECK(f.remaining == 0);
  CHECK(f.retry_after_ms == 9500);

  auto empty = ratelimit::moving_window_usage({}, k_5_per_minute, k_now, MovingWindowRules::limits_3);
  CHECK(empty.used == 0);
  CHECK(empty.remaining == 5);
  CHECK(empty.reset_in_ms == 0);
  CHECK(empty.retry_after_ms == 0);

  // 3.x looks at the first `amount` entries only; 2.x at amount + 1 (LRANGE 0 amount).
  std::vector<double> six(6, k_now - 1);
  CHECK(ratelimit::moving_window_usage(six, k_5_per_minute, k_now, MovingWindowRules::limits_3).used == 5);
  CHECK(ratelimit::moving_window_usage(six, k_5_per_minute, k_now, MovingWindowRules::limits_2).used == 6);
  CHECK(ratelimit::moving_window_usage(six, k_5_per_minute, k_now, MovingWindowRules::limits_2).remaining == 0);
}

TEST_CASE("ops ratelimit usage: sliding-window counter weighting as limits computes it") {
  // weighted = floor(4 * 31000 / 60000) + 2 = 2 + 2
  SlidingWindowState s{4, 31000, 2, 100000};
  auto u = ratelimit::sliding_window_usage(s, k_5_per_minute, k_now);
  CHECK(u.used == 4);
  CHECK(u.remaining == 1);
  CHECK(u.retry_after_ms == 0);
  // reset: min(31 % (60 / 4), 100 % 60) = min(1, 40) seconds
  CHECK(u.reset_in_ms == 1000);

  // Exhausted: floor(6 * 40000 / 60000) + 2 = 6 > 5. The previous weight drops to 2 once
  // 6 * (40000 - t) / 60000 < 3, i.e. t > 10000 ms.
  SlidingWindowState full{6, 40000, 2, 110000};
  auto f = ratelimit::sliding_window_usage(full, k_5_per_minute, k_now);
  CHECK(f.used == 6);
  CHECK(f.remaining == 0);
  CHECK(f.retry_after_ms == 10001);

  // Over the limit in the current window alone: wait for the rollover (at 40000 ms), then for
  // floor(7 * (100000 - t) / 60000) <= 4, i.e. t > 57142.86 ms.
  SlidingWindowState over{0, -2, 7, 100000};
  auto o = ratelimit::sliding_window_usage(over, k_5_per_minute, k_now);
  CHECK(o.used == 7);
  CHECK(o.retry_after_ms == 57143);

  // The current key's TTL fell below one window: it is the previous window now.
  SlidingWindowState stale{9, 5000, 3, 20000};
  auto shifted = ratelimit::shift_sliding_window(stale, k_5_per_minute);
  CHECK(shifted.previous_count == 3);
  CHECK(shifted.previous_pttl_ms == 20000);
  CHECK(shifted.current_count == 0);
  CHECK(shifted.current_pttl_ms == 80000);
  auto st = ratelimit::sliding_window_usage(stale, k_5_per_minute, k_now);
  CHECK(st.used == 1);  // floor(3 * 20000 / 60000)
  CHECK(st.remaining == 4);
  CHECK(st.reset_in_ms == 0);  // 20 % (60 / 3) = 0, as limits reports it

  SlidingWindowState none{0, -2, 0, -2};
  auto n = ratelimit::sliding_window_usage(none, k_5_per_minute, k_now);
  CHECK(n.used == 0);
  CHECK(n.remaining == 5);
  CHECK(n.reset_in_ms == 0);
}

TEST_CASE("ops ratelimit usage: how long a sliding window's budget cannot grow") {
  CHECK(ratelimit::sliding_window_stable_ms({0, -2, 0, -2}, k_5_per_minute) == 60000);  // starts at the first hit
  CHECK(ratelimit::sliding_window_stable_ms({0, -2, 3, 110000}, k_5_per_minute) == 50000);  // until the rollover
  // floor(6 * 40000 / 60000) = 4 drops to 3 once t > 40000 - 4 * 10000 = 0.
  CHECK(ratelimit::sliding_window_stable_ms({6, 40000, 2, 110000}, k_5_per_minute) == 0);
  // floor(6 * 45000 / 60000) = 4: drops once t > 45000 - 40000.
  CHECK(ratelimit::sliding_window_stable_ms({6, 45000, 2, 110000}, k_5_per_minute) == 5000);
}

TEST_CASE("ops ratelimit usage: sorted-set sliding log") {
  LimitItem l{3, 10, Granularity::second};
  auto u = ratelimit::sliding_log_usage(2, k_now - 1, std::nullopt, l, k_now);
  CHECK(u.used == 2);
  CHECK(u.remaining == 1);
  CHECK(u.retry_after_ms == 0);
  CHECK(u.reset_in_ms == 9000);  // the newest member + window
  auto full = ratelimit::sliding_log_usage(3, k_now - 1, k_now - 6.5, l, k_now);
  CHECK(full.remaining == 0);
  CHECK(full.retry_after_ms == 3500);  // the 3rd newest member leaves the window
  CHECK(ratelimit::score_divisor(1795325332.25) == 1);
  CHECK(ratelimit::score_divisor(1795325332250.0) == 1e3);
  CHECK(ratelimit::score_divisor(1795325332250000.0) == 1e6);
  CHECK(ratelimit::score_divisor(1795325332250000000.0) == 1e9);
}

TEST_CASE("ops ratelimit usage: redis-cell GCRA (the module's own test case)") {
  // CL.THROTTLE key 4 1 1: limit 5, one per second. Five hits at `start` leave TAT = start + 5 s.
  const std::int64_t start = 1'795'325'332'000'000'000;
  const std::int64_t tat = start + 5'000'000'000;
  LimitItem rate{1, 1, Granularity::second};
  auto u = ratelimit::gcra_usage(tat, start, rate, 4);
  CHECK(u.remaining == 0);
  CHECK(u.used == 5);
  CHECK(u.reset_in_ms == 5000);
  CHECK(u.retry_after_ms == 1000);  // case 6 of redis-cell's it_rate_limits
  // 3 s later, 3 hits are free again (case 7 reports 2 after taking one).
  auto later = ratelimit::gcra_usage(tat, start + 3'000'000'000, rate, 4);
  CHECK(later.remaining == 3);
  CHECK(later.used == 2);
  CHECK(later.reset_in_ms == 2000);
  CHECK(later.retry_after_ms == 0);
  // A TAT in the past: everything is free.
  auto idle = ratelimit::gcra_usage(start - 10'000'000'000, start, rate, 4);
  CHECK(idle.remaining == 5);
  CHECK(idle.used == 0);
  CHECK(idle.reset_in_ms == 0);
}
