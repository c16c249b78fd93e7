#include "ratelimit/scripts.hpp"

#include "util/sha1.hpp"

namespace rctl::ratelimit {

namespace {

constexpr std::string_view k_fixed = R"lua(-- rctl probe: fixed window (the steps of limits' incr_expire.lua)
local cost = tonumber(ARGV[2])
local count = redis.call('INCRBY', KEYS[1], cost)
if count == cost then
  -- the first hit of a window starts it
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
)lua";

constexpr std::string_view k_moving =
    R"lua(-- rctl probe: moving window (the steps of limits' acquire_moving_window.lua)
local now = tonumber(ARGV[1])
local amount = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
if cost > amount then
  return 0
end
-- the list holds hit times, newest first: the limit is reached while the entry that the
-- new hits would push past the amount is still inside the window
local edge = redis.call('LINDEX', KEYS[1], amount - cost)
if edge and tonumber(edge) >= now - window then
  return 0
end
for _ = 1, cost do
  redis.call('LPUSH', KEYS[1], now)
end
redis.call('LTRIM', KEYS[1], 0, amount - 1)
redis.call('EXPIRE', KEYS[1], window)
return 1
)lua";

constexpr std::string_view k_sliding =
    R"lua(-- rctl probe: sliding-window counter (the steps of limits' acquire_sliding_window.lua)
local amount = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) * 1000
local cost = tonumber(ARGV[3])
if cost > amount then
  return 0
end
local current_ttl = redis.call('PTTL', KEYS[2])
if current_ttl > 0 and current_ttl < window then
  -- the current window is over: it becomes the previous one
  redis.call('RENAME', KEYS[2], KEYS[1])
  redis.call('SET', KEYS[2], 0, 'PX', current_ttl + window)
end
local previous = tonumber(redis.call('GET', KEYS[1])) or 0
local previous_ttl = math.max(tonumber(redis.call('PTTL', KEYS[1])) or 0, 0)
local current = tonumber(redis.call('GET', KEYS[2])) or 0
local weighted = math.floor(previous * previous_ttl / window) + current
if weighted + cost > amount then
  return 0
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('INCRBY', KEYS[2], cost)
else
  redis.call('SET', KEYS[2], cost, 'PX', window * 2)
end
return 1
)lua";

LuaScript make(std::string_view name, std::string_view text) { return {name, text, util::sha1_hex(text)}; }

}  // namespace

const LuaScript& fixed_window_script() {
  static const LuaScript s = make("fixed", k_fixed);
  return s;
}

const LuaScript& moving_window_script() {
  static const LuaScript s = make("moving", k_moving);
  return s;
}

const LuaScript& sliding_window_script() {
  static const LuaScript s = make("sliding", k_sliding);
  return s;
}

}  // namespace rctl::ratelimit
