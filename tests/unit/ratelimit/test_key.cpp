#include "ratelimit/key.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace rctl;
using ratelimit::Granularity;
using ratelimit::KeyLayout;
using ratelimit::LimitItem;

namespace {

ratelimit::LimitsKey parse_limits_key_ok(std::string_view key) {
  INFO("key: " << key);
  auto parsed = ratelimit::parse_limits_key(key);
  if (!parsed) FAIL("not parsed");
  return *parsed;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("ops ratelimit key: Flask-Limiter 3.3 / limits 2.8 keys (real keys from formats.md)") {
  auto k = parse_limits_key_ok("LIMITER/127.0.0.1/ping/5/1/minute");
  CHECK(k.layout == KeyLayout::limits);
  CHECK(k.prefix.empty());
  CHECK(k.name_space == "LIMITER");
  CHECK(k.identifiers == Ids{"127.0.0.1", "ping"});
  CHECK(k.identity == "127.0.0.1");
  CHECK(k.scope == "ping");
  CHECK(k.limit == LimitItem{5, 1, Granularity::minute});
  CHECK(k.current_key == "LIMITER/127.0.0.1/ping/5/1/minute");
  CHECK(k.previous_key.empty());
  CHECK_FALSE(k.previous_window);

  auto prefixed = parse_limits_key_ok("LIMITER/myapp/127.0.0.1/a:GET/10/1/second");  // key_prefix, per_method
  CHECK(prefixed.identity == "myapp/127.0.0.1");
  CHECK(prefixed.scope == "a:GET");
  CHECK(prefixed.limit == LimitItem{10, 1, Granularity::second});

  auto shared = parse_limits_key_ok("LIMITER/myapp/127.0.0.1/b:shared_bucket/3/10/minute");
  CHECK(shared.scope == "b:shared_bucket");
  CHECK(shared.limit == LimitItem{3, 10, Granularity::minute});

  CHECK(parse_limits_key_ok("LIMITER/myapp/127.0.0.1/global/1000/1/hour").scope == "global");
  CHECK(parse_limits_key_ok("LIMITER/127.0.0.1/plain/100/1/day").limit == LimitItem{100, 1, Granularity::day});
}

TEST_CASE("ops ratelimit key: limits >= 3.7 LIMITS: keys and the sliding-window pair") {
  auto fixed = parse_limits_key_ok("LIMITS:LIMITER/fixed/user42/5/1/minute");
  CHECK(fixed.layout == KeyLayout::limits_prefixed);
  CHECK(fixed.prefix == "LIMITS");
  CHECK(fixed.identity == "fixed");
  CHECK(fixed.scope == "user42");
  CHECK(fixed.current_key == "LIMITS:LIMITER/fixed/user42/5/1/minute");

  auto custom = parse_limits_key_ok("myapp:limits:LIMITER/10.0.0.1/api/7/2/hour");  // key_prefix (limits >= 5.1)
  CHECK(custom.layout == KeyLayout::limits_prefixed);
  CHECK(custom.prefix == "myapp:limits");
  CHECK(custom.identity == "10.0.0.1");

  auto current = parse_limits_key_ok("LIMITS:{LIMITER/sliding/user42/5/1/minute}");
  CHECK(current.layout == KeyLayout::limits_sliding);
  CHECK(current.prefix == "LIMITS");
  CHECK_FALSE(current.previous_window);
  CHECK(current.current_key == "LIMITS:{LIMITER/sliding/user42/5/1/minute}");
  CHECK(current.previous_key == "LIMITS:{LIMITER/sliding/user42/5/1/minute}/-1");
  CHECK(current.limit == LimitItem{5, 1, Granularity::minute});

  auto previous = parse_limits_key_ok("LIMITS:{LIMITER/sliding/user42/5/1/minute}/-1");
  CHECK(previous.layout == KeyLayout::limits_sliding);
  CHECK(previous.previous_window);
  CHECK(previous.current_key == current.current_key);
  CHECK(previous.previous_key == current.previous_key);
  CHECK(previous.identity == "sliding");
  CHECK(previous.scope == "user42");
}

TEST_CASE("ops ratelimit key: identities with ':' and few identifiers") {
  auto v6 = parse_limits_key_ok("LIMITER/2001:db8::1/ping/5/1/minute");
  CHECK(v6.layout == KeyLayout::limits);
  CHECK(v6.identity == "2001:db8::1");
  auto v6p = parse_limits_key_ok("LIMITS:LIMITER/::1/ping/5/1/minute");
  CHECK(v6p.prefix == "LIMITS");
  CHECK(v6p.identity == "::1");
  auto one = parse_limits_key_ok("LIMITER/user42/5/1/hour");  // limits used directly, one identifier
  CHECK(one.identity == "user42");
  CHECK(one.scope.empty());
  auto none = parse_limits_key_ok("LIMITER/5/1/day");
  CHECK(none.identifiers.empty());
  CHECK(none.identity.empty());
  CHECK(none.scope.empty());
}

TEST_CASE("ops ratelimit key: malformed and foreign keys are not limits keys") {
  const char* bad[] = {"",
                       "LIMITER",
                       "LIMITER/",
                       "LIMITER/x/5/1",
                       "LIMITER/x/5/1/fortnight",
                       "LIMITER/x/five/1/minute",
                       "LIMITER/x/5/0/minute",
                       "LIMITER/x/-5/1/minute",
                       "LIMITER/x/5/1/Minute",
                       "LIMITER/x/5/1/minutes",
                       "LIMITER/x/5/1/minute/",
                       "LIMITER/x/5/1/minute/-1",
                       "/x/5/1/minute",
                       ":LIMITER/x/5/1/minute",
                       "LIMITS:{LIMITER/x/5/1/minute",
                       "LIMITS:{}",
                       "LIMITS:{}/-1",
                       ":{LIMITER/x/5/1/minute}",
                       "LIMITER/x/99999999999999999999/1/minute",
                       "rate:alice:29000000",
                       "session:abc",
                       "LIMITS:{LIMITER/x/5/1/minute}/-2"};
  for (const char* key : bad) {
    INFO("key: " << key);
    CHECK_FALSE(ratelimit::parse_limits_key(key));
  }
}

TEST_CASE("ops ratelimit key: limits_key_for writes what parse_limits_key reads") {
  LimitItem l{3, 10, Granularity::minute};
  CHECK(ratelimit::limits_key_for(KeyLayout::limits, {"127.0.0.1", "view"}, l) == "LIMITER/127.0.0.1/view/3/10/minute");
  CHECK(ratelimit::limits_key_for(KeyLayout::limits_prefixed, {"u", "s"}, l) == "LIMITS:LIMITER/u/s/3/10/minute");
  CHECK(ratelimit::limits_key_for(KeyLayout::limits_sliding, {"u", "s"}, l) == "LIMITS:{LIMITER/u/s/3/10/minute}");
  for (auto layout : {KeyLayout::limits, KeyLayout::limits_prefixed, KeyLayout::limits_sliding}) {
    auto k = parse_limits_key_ok(ratelimit::limits_key_for(layout, {"a", "b", "c"}, l));
    CHECK(k.layout == layout);
    CHECK(k.identity == "a/b");
    CHECK(k.scope == "c");
    CHECK(k.limit == l);
  }
}

TEST_CASE("ops ratelimit key: a client matches its identity, never the scope") {
  auto k = ratelimit::parse_limits_key("LIMITER/myapp/127.0.0.1/ping/5/1/minute");
  CHECK(ratelimit::key_matches_client("", k, "127.0.0.1"));
  CHECK(ratelimit::key_matches_client("", k, "myapp"));
  CHECK(ratelimit::key_matches_client("", k, "myapp/127.0.0.1"));
  CHECK_FALSE(ratelimit::key_matches_client("", k, "ping"));
  CHECK_FALSE(ratelimit::key_matches_client("", k, "127.0.0"));
  CHECK_FALSE(ratelimit::key_matches_client("", k, ""));
  auto one = ratelimit::parse_limits_key("LIMITER/user42/5/1/hour");
  CHECK(ratelimit::key_matches_client("", one, "user42"));
  // Keys in no limits layout match by their ':'/'/'/'{}'-separated parts.
  CHECK(ratelimit::key_matches_client("rate:alice:29000000", std::nullopt, "alice"));
  CHECK(ratelimit::key_matches_client("log:{alice}", std::nullopt, "alice"));
  CHECK_FALSE(ratelimit::key_matches_client("rate:alice2:29000000", std::nullopt, "alice"));
  CHECK_FALSE(ratelimit::key_matches_client("rate:malice", std::nullopt, "alice"));
}
