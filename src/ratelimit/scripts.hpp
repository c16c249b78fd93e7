#pragma once
// The Lua scripts `rctl ratelimit probe` runs. Each takes the steps of the matching script of
// the Python `limits` library (limits/resources/redis/lua_scripts, 2.8 and 5.8) so that a
// probe consumes a limit exactly as the application would, atomically on the server:
//
//   fixed    incr_expire.lua: INCRBY, then EXPIRE the window only when the key was just made
//   moving   acquire_moving_window.lua: refuse while the amount-th newest timestamp is inside
//            the window, else LPUSH the timestamp, LTRIM to the amount, EXPIRE the window
//   sliding  acquire_sliding_window.lua: roll the current window into the previous one when
//            its TTL fell below a window, weight the previous count by its remaining TTL,
//            then INCRBY the current counter or create it with PX two windows

#include <string>
#include <string_view>

namespace rctl::ratelimit {

struct LuaScript {
  std::string_view name;  // "fixed", "moving", "sliding"
  std::string_view text;
  std::string sha1;  // what EVALSHA takes (the SHA-1 of the text)
};

// KEYS[1] counter; ARGV window seconds, cost. Returns the count after the hit (allowed when
// it is at most the amount).
const LuaScript& fixed_window_script();

// KEYS[1] list; ARGV now (Unix seconds), amount, window seconds, cost. Returns 1 allowed, 0 not.
const LuaScript& moving_window_script();

// KEYS[1] previous-window key, KEYS[2] current-window key (one hash slot); ARGV amount, window
// seconds, cost. Returns 1 allowed, 0 not.
const LuaScript& sliding_window_script();

}  // namespace rctl::ratelimit
