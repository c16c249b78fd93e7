// Groups hashes, lists, sets and sorted sets. Replies are checked in both protocols: RESP3
// maps, sets and doubles, RESP2 flat arrays and numeric strings.

#include "optest/runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>

namespace rctl::optest {

namespace {

using client::cmd;
using client::keyed;
using namespace std::chrono_literals;

// Elements written for the *SCAN operations: more than one COUNT page.
constexpr int k_scan_elements = 25;
constexpr const char* k_scan_count = "10";

// BLPOP wake-up: how long the waiting connection blocks at most (server side).
constexpr auto k_blpop_wait = 5s;
// BLPOP on an empty list: the server timeout whose expiry is checked.
constexpr auto k_blpop_timeout = 100ms;

// (member, score) pairs of a WITHSCORES / ZPOP reply: RESP3 nests [member, score] pairs,
// RESP2 returns them flat with scores as strings.
std::vector<std::pair<std::string, double>> scored(const Reply& reply) {
  const auto& e = reply.list();
  std::vector<std::pair<std::string, double>> out;
  if (!e.empty() && e.front().is_list()) {
    for (std::size_t i = 0; i < e.size(); ++i) {
      auto pair = reply.at(i);
      pair.list(2);
      out.emplace_back(pair.at(0).as_string(), pair.at(1).as_number());
    }
    return out;
  }
  if (e.size() % 2 != 0) reply.fail("expected member/score pairs");
  for (std::size_t i = 0; i < e.size(); i += 2) out.emplace_back(reply.at(i).as_string(), reply.at(i + 1).as_number());
  return out;
}

void expect_scored(const Reply& reply, const std::vector<std::pair<std::string, double>>& expected) {
  if (scored(reply) != expected) {
    std::string want;
    for (const auto& [m, s] : expected) want += fmt::format("{}{}={}", want.empty() ? "" : " ", m, s);
    reply.fail("expected " + want);
  }
}

void expect_strings(const Reply& reply, std::vector<std::string> expected, bool sorted) {
  std::vector<std::string> got;
  if (sorted) {
    got = reply.sorted_strings();
    std::sort(expected.begin(), expected.end());
  } else {
    for (std::size_t i = 0; i < reply.list().size(); ++i) got.push_back(reply.at(i).as_string());
  }
  if (got != expected) reply.fail(fmt::format("expected [{}]", fmt::join(expected, ", ")));
}

// Runs a whole *SCAN iteration over `key` and returns the first element of each pair
// (HSCAN) or every element (SSCAN).
std::set<std::string> full_scan(NodeRunner& r, std::string_view command, const std::string& key, bool pairs) {
  std::set<std::string> found;
  std::string cursor = "0";
  do {
    auto page = r.timed(keyed({command, key, cursor, "COUNT", k_scan_count}));
    cursor = page.at(0).as_string();
    const auto& items = page.at(1).list();
    for (std::size_t i = 0; i < items.size(); i += pairs ? 2 : 1) found.insert(items[i].str);
  } while (cursor != "0");
  return found;
}

}  // namespace

void run_hashes_group(NodeRunner& r) {
  r.op("hset_hget", {"HSET", "HGET", "HMGET", "HLEN", "HEXISTS"}, [&] {
    auto h = r.key("hash");
    del_keys(r, {h});
    r.timed(keyed({"HSET", h, "f1", "v1", "f2", "v2"})).integer(2);
    r.call(keyed({"HSET", h, "f1", "v1b"})).integer(0);
    r.timed(keyed({"HGET", h, "f1"})).string("v1b");
    auto many = r.timed(keyed({"HMGET", h, "f1", "f2", "nope"}));
    many.list(3);
    many.at(0).string("v1b");
    many.at(1).string("v2");
    many.at(2).null();
    r.call(keyed({"HLEN", h})).integer(2);
    r.call(keyed({"HEXISTS", h, "f2"})).integer(1);
    r.call(keyed({"HEXISTS", h, "nope"})).integer(0);
  });
  r.op("hgetall", {"HGETALL"}, [&] {
    auto h = r.key("hash:all");
    del_keys(r, {h});
    r.call(keyed({"HSET", h, "a", "1", "b", "2", "c", "three"})).integer(3);
    auto all = r.timed(keyed({"HGETALL", h}));
    std::vector<std::pair<std::string, std::string>> expected{{"a", "1"}, {"b", "2"}, {"c", "three"}};
    if (all.pairs() != expected) all.fail("expected a=1 b=2 c=three");
  });
  r.op("hincrby", {"HINCRBY", "HINCRBYFLOAT"}, [&] {
    auto h = r.key("hash:counters");
    del_keys(r, {h});
    r.timed(keyed({"HINCRBY", h, "n", "5"}).unsafe_to_retry()).integer(5);
    r.timed(keyed({"HINCRBY", h, "n", "-2"}).unsafe_to_retry()).integer(3);
    r.timed(keyed({"HINCRBYFLOAT", h, "x", "1.5"}).unsafe_to_retry()).number(1.5);
  });
  r.op("hdel", {"HDEL"}, [&] {
    auto h = r.key("hash:del");
    del_keys(r, {h});
    r.call(keyed({"HSET", h, "a", "1", "b", "2"})).integer(2);
    r.timed(keyed({"HDEL", h, "a", "nope"})).integer(1);
    r.call(keyed({"HLEN", h})).integer(1);
    r.timed(keyed({"HDEL", h, "b"})).integer(1);
    r.call(keyed({"EXISTS", h})).integer(0);  // a hash without fields is no key at all
  });
  r.op("hscan", {"HSCAN"}, [&] {
    auto h = r.key("hash:scan");
    del_keys(r, {h});
    std::vector<std::string> args{"HSET", h};
    for (int i = 0; i < k_scan_elements; ++i) {
      args.push_back(fmt::format("f{}", i));
      args.push_back(fmt::format("v{}", i));
    }
    r.call(cmd(args).key(1)).integer(k_scan_elements);
    auto found = full_scan(r, "HSCAN", h, true);
    if (found.size() != static_cast<std::size_t>(k_scan_elements))
      throw OpStop{Outcome::fail, "HSCAN", fmt::format("found {} of {} fields", found.size(), k_scan_elements)};
  });
}

void run_lists_group(NodeRunner& r) {
  r.op("push_pop", {"RPUSH", "LPUSH", "LRANGE", "LPOP", "RPOP", "LLEN"}, [&] {
    auto l = r.key("list");
    del_keys(r, {l});
    r.timed(keyed({"RPUSH", l, "a", "b", "c"}).unsafe_to_retry()).integer(3);
    r.timed(keyed({"LPUSH", l, "z"}).unsafe_to_retry()).integer(4);
    expect_strings(r.timed(keyed({"LRANGE", l, "0", "-1"})), {"z", "a", "b", "c"}, false);
    r.timed(keyed({"LPOP", l}).unsafe_to_retry()).string("z");
    r.timed(keyed({"RPOP", l}).unsafe_to_retry()).string("c");
    r.call(keyed({"LLEN", l})).integer(2);
  });
  r.op("lindex_lset_ltrim", {"LINDEX", "LSET", "LTRIM", "LREM"}, [&] {
    auto l = r.key("list:edit");
    del_keys(r, {l});
    r.call(keyed({"RPUSH", l, "0", "1", "2", "3", "4", "5", "6"}).unsafe_to_retry()).integer(7);
    r.timed(keyed({"LINDEX", l, "3"})).string("3");
    r.timed(keyed({"LSET", l, "3", "x"})).ok();
    r.timed(keyed({"LTRIM", l, "2", "5"})).ok();
    expect_strings(r.call(keyed({"LRANGE", l, "0", "-1"})), {"2", "x", "4", "5"}, false);
    r.timed(keyed({"LREM", l, "0", "x"})).integer(1);
    r.call(keyed({"LLEN", l})).integer(3);
  });
  r.op("lmove", {"LMOVE"}, [&] {
    auto src = r.key("list:src"), dst = r.key("list:dst");
    del_keys(r, {src, dst});
    r.call(keyed({"RPUSH", src, "a", "b", "c"}).unsafe_to_retry()).integer(3);
    r.timed(keyed({"LMOVE", src, dst, "LEFT", "RIGHT"}).unsafe_to_retry()).string("a");
    r.timed(keyed({"LMOVE", src, dst, "RIGHT", "LEFT"}).unsafe_to_retry()).string("c");
    expect_strings(r.call(keyed({"LRANGE", dst, "0", "-1"})), {"c", "a"}, false);
    expect_strings(r.call(keyed({"LRANGE", src, "0", "-1"})), {"b"}, false);
  });
  r.op("blpop_wakeup", {"BLPOP", "RPUSH"}, [&] {
    auto l = r.key("list:queue");
    del_keys(r, {l});
    auto& waiter = r.second_connection();
    // Shared with the handler: if this iteration fails, the reply may still arrive later.
    auto popped = std::make_shared<std::optional<Expected<resp::Value>>>();
    auto seconds = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(k_blpop_wait).count());
    waiter.send(keyed({"BLPOP", l, seconds}).blocking(k_blpop_wait),
                [popped](Expected<resp::Value> v) { *popped = std::move(v); });
    try {
      // One round trip on the main connection gives the BLPOP time to reach the server and
      // block, so that the push below wakes it up rather than being there first.
      r.call(cmd({"PING"}));
      r.time([&] {
        r.call(keyed({"RPUSH", l, "job-1"}).unsafe_to_retry()).integer(1);
        r.client().loop().run_until([&] { return popped->has_value(); });
      });
      if (!popped->has_value()) throw OpStop{Outcome::fail, "BLPOP", "the waiting connection got no reply"};
      if (!**popped) r.transport_failure((**popped).error(), "BLPOP");
      Reply reply(std::move(***popped), "BLPOP");
      if (reply.value().is_error()) NodeRunner::error_reply(reply.value(), "BLPOP");
      reply.list(2);
      reply.at(0).string(l);
      reply.at(1).string("job-1");
    } catch (...) {
      r.drop_second_connection();  // it may still be blocked
      throw;
    }
    r.detail("a BLPOP waiting on a second connection receives an RPUSH (timed: push to delivery)");
  });
  r.op(
      "blpop_timeout", {"BLPOP"},
      [&] {
        auto l = r.key("list:empty");
        del_keys(r, {l});
        // Timed as a whole: the figure is how long the server took to give up (about 100 ms).
        std::optional<Reply> reply;
        r.time([&] { reply.emplace(r.call_allowing_error(keyed({"BLPOP", l, "0.1"}).blocking(k_blpop_timeout))); });
        if (reply->value().is_error() && reply->value().str.find("timeout") != std::string::npos) {
          // Before Redis 6.0 the timeout is whole seconds.
          r.time([&] {
            reply.emplace(r.call_allowing_error(keyed({"BLPOP", l, "1"}).blocking(std::chrono::seconds(1))));
          });
        }
        if (reply->value().is_error()) NodeRunner::error_reply(reply->value(), "BLPOP");
        reply->null();
        r.detail("BLPOP on an empty list returns null when its timeout passes");
      },
      Repeat::once);
}

void run_sets_group(NodeRunner& r) {
  r.op("sadd_smembers", {"SADD", "SISMEMBER", "SMEMBERS", "SCARD", "SREM"}, [&] {
    auto s = r.key("set");
    del_keys(r, {s});
    r.timed(keyed({"SADD", s, "a", "b", "c"})).integer(3);
    r.call(keyed({"SADD", s, "a"})).integer(0);
    r.timed(keyed({"SISMEMBER", s, "b"})).integer(1);
    r.call(keyed({"SISMEMBER", s, "z"})).integer(0);
    expect_strings(r.timed(keyed({"SMEMBERS", s})), {"a", "b", "c"}, true);
    r.call(keyed({"SCARD", s})).integer(3);
    r.timed(keyed({"SREM", s, "a", "z"})).integer(1);
  });
  r.op("set_algebra", {"SINTER", "SUNION", "SDIFF", "SINTERSTORE"}, [&] {
    auto x = r.key("set:x"), y = r.key("set:y"), dst = r.key("set:dst");
    del_keys(r, {x, y, dst});
    r.call(keyed({"SADD", x, "a", "b", "c"})).integer(3);
    r.call(keyed({"SADD", y, "b", "c", "d"})).integer(3);
    expect_strings(r.timed(keyed({"SINTER", x, y})), {"b", "c"}, true);
    expect_strings(r.timed(keyed({"SUNION", x, y})), {"a", "b", "c", "d"}, true);
    expect_strings(r.timed(keyed({"SDIFF", x, y})), {"a"}, true);
    r.timed(keyed({"SINTERSTORE", dst, x, y})).integer(2);
    expect_strings(r.call(keyed({"SMEMBERS", dst})), {"b", "c"}, true);
  });
  r.op("spop_srandmember", {"SRANDMEMBER", "SPOP"}, [&] {
    auto s = r.key("set:pop");
    del_keys(r, {s});
    std::set<std::string> members{"a", "b", "c", "d"};
    r.call(keyed({"SADD", s, "a", "b", "c", "d"})).integer(4);
    auto sample = r.timed(keyed({"SRANDMEMBER", s, "2"}));
    auto picked = sample.sorted_strings();
    if (picked.size() != 2 || picked[0] == picked[1] || !members.count(picked[0]) || !members.count(picked[1]))
      sample.fail("expected 2 distinct members");
    auto one = r.timed(keyed({"SPOP", s}).unsafe_to_retry());
    if (!members.count(one.as_string())) one.fail("expected a member");
    r.call(keyed({"SCARD", s})).integer(3);
    auto rest = r.timed(keyed({"SPOP", s, "3"}).unsafe_to_retry());
    if (rest.list().size() != 3) rest.fail("expected the 3 remaining members");
    r.call(keyed({"EXISTS", s})).integer(0);
  });
  r.op("sscan", {"SSCAN"}, [&] {
    auto s = r.key("set:scan");
    del_keys(r, {s});
    std::vector<std::string> args{"SADD", s};
    for (int i = 0; i < k_scan_elements; ++i) args.push_back(fmt::format("m{}", i));
    r.call(cmd(args).key(1)).integer(k_scan_elements);
    auto found = full_scan(r, "SSCAN", s, false);
    if (found.size() != static_cast<std::size_t>(k_scan_elements))
      throw OpStop{Outcome::fail, "SSCAN", fmt::format("found {} of {} members", found.size(), k_scan_elements)};
  });
}

void run_sorted_sets_group(NodeRunner& r) {
  r.op("zadd_zrange", {"ZADD", "ZRANGE", "ZSCORE", "ZRANK", "ZCARD"}, [&] {
    auto z = r.key("zset");
    del_keys(r, {z});
    r.timed(keyed({"ZADD", z, "1", "a", "2", "b", "3", "c"})).integer(3);
    r.call(keyed({"ZADD", z, "2.5", "a"})).integer(0);  // an update, not an addition
    expect_scored(r.timed(keyed({"ZRANGE", z, "0", "-1", "WITHSCORES"})), {{"b", 2}, {"a", 2.5}, {"c", 3}});
    r.timed(keyed({"ZSCORE", z, "a"})).number(2.5);
    r.timed(keyed({"ZRANK", z, "c"})).integer(2);
    r.call(keyed({"ZRANK", z, "nope"})).null();
    r.call(keyed({"ZCARD", z})).integer(3);
  });
  r.op("zincrby", {"ZINCRBY"}, [&] {
    auto z = r.key("zset:incr");
    del_keys(r, {z});
    r.timed(keyed({"ZINCRBY", z, "2.5", "m"}).unsafe_to_retry()).number(2.5);
    r.timed(keyed({"ZINCRBY", z, "-1", "m"}).unsafe_to_retry()).number(1.5);
    r.call(keyed({"ZSCORE", z, "m"})).number(1.5);
  });
  r.op("zrangebyscore", {"ZRANGEBYSCORE", "ZCOUNT", "ZREMRANGEBYSCORE"}, [&] {
    auto z = r.key("zset:range");
    del_keys(r, {z});
    r.call(keyed({"ZADD", z, "1", "a", "2", "b", "3", "c", "4", "d"})).integer(4);
    expect_strings(r.timed(keyed({"ZRANGEBYSCORE", z, "(1", "3"})), {"b", "c"}, false);
    r.timed(keyed({"ZCOUNT", z, "-inf", "+inf"})).integer(4);
    r.timed(keyed({"ZREMRANGEBYSCORE", z, "-inf", "2"})).integer(2);
    r.call(keyed({"ZCARD", z})).integer(2);
  });
  r.op("zpop", {"ZPOPMIN", "ZPOPMAX"}, [&] {
    auto z = r.key("zset:pop");
    del_keys(r, {z});
    r.call(keyed({"ZADD", z, "1", "a", "2", "b", "3", "c"})).integer(3);
    expect_scored(r.timed(keyed({"ZPOPMIN", z}).unsafe_to_retry()), {{"a", 1}});
    expect_scored(r.timed(keyed({"ZPOPMAX", z}).unsafe_to_retry()), {{"c", 3}});
    r.call(keyed({"ZCARD", z})).integer(1);
  });
}

}  // namespace rctl::optest
