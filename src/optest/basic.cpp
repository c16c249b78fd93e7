// Groups connection, strings and keys. Every iteration starts from a known state (DEL of
// its own keys), so each one checks the same thing and no iteration depends on another.

#include "optest/runner.hpp"

#include "client/server_error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <thread>

namespace rctl::optest {

namespace {

using client::cmd;
using client::keyed;
using namespace std::string_view_literals;

// A value with the bytes text protocols and C strings trip over: NUL, CR LF, high bytes.
constexpr std::string_view k_awkward = "rctl\0test\r\n\xff\xfe\x80 end"sv;

// The 1 MiB round trip: large enough to cross many TCP/TLS records and reader buffers.
constexpr std::size_t k_large_value_bytes = 1024 * 1024;

// How long the expiry check waits for a key with a 50 ms TTL to disappear before failing.
constexpr auto k_expiry_deadline = std::chrono::seconds(3);
constexpr std::int64_t k_expiry_ms = 50;

// Every byte value 0..255 twice, so binary safety covers each one.
std::string all_bytes() {
  std::string s;
  for (int round = 0; round < 2; ++round)
    for (int b = 0; b < 256; ++b) s.push_back(static_cast<char>(b));
  return s;
}

// Deterministic, incompressible-looking bytes (xorshift), NULs included.
const std::string& large_value() {
  static const std::string value = [] {
    std::string s(k_large_value_bytes, '\0');
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (auto& c : s) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      c = static_cast<char>(x & 0xff);
    }
    return s;
  }();
  return value;
}

// The value of `field` in CLIENT INFO's "k=v k=v" line, or "".
std::string client_field(std::string_view line, std::string_view field) {
  for (auto part : util::split(util::trim(line), ' ')) {
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == field) return std::string(part.substr(eq + 1));
  }
  return {};
}

}  // namespace

void run_connection_group(NodeRunner& r) {
  r.op("ping", {"PING"}, [&] { r.timed(cmd({"PING"})).string("PONG"); });
  r.op("echo", {"ECHO"}, [&] { r.timed(cmd({"ECHO", k_awkward})).string(k_awkward); });
  r.op("client_info", {"CLIENT INFO"}, [&] {
    auto reply = r.timed(cmd({"CLIENT", "INFO"}));
    auto line = reply.as_string();
    auto id = client_field(line, "id");
    if (id.empty() || client_field(line, "addr").empty()) reply.fail("expected id= and addr= fields");
    auto resp = client_field(line, "resp");
    r.detail(fmt::format("client id {}, db {}{}", id, client_field(line, "db"), resp.empty() ? "" : ", RESP" + resp));
  });
}

void run_strings_group(NodeRunner& r) {
  r.op("set_get", {"SET", "GET"}, [&] {
    auto k = r.key("string");
    r.timed(keyed({"SET", k, "hello from rctl"})).ok();
    r.timed(keyed({"GET", k})).string("hello from rctl");
  });
  r.op("set_nx_px", {"SET NX PX", "PTTL"}, [&] {
    auto k = r.key("lock");
    del_keys(r, {k});
    r.timed(keyed({"SET", k, "owner-1", "NX", "PX", "10000"})).ok();
    r.timed(keyed({"SET", k, "owner-2", "NX", "PX", "10000"})).null();
    auto pttl = r.call(keyed({"PTTL", k}));
    if (auto ms = pttl.as_integer(); ms <= 0 || ms > 10000) pttl.fail("expected a TTL in (0, 10000] ms");
    r.call(keyed({"GET", k})).string("owner-1");
  });
  r.op("getex", {"GETEX"}, [&] {
    auto k = r.key("getex");
    r.call(keyed({"SET", k, "v"})).ok();
    r.timed(keyed({"GETEX", k, "PX", "60000"})).string("v");
    auto pttl = r.call(keyed({"PTTL", k}));
    if (auto ms = pttl.as_integer(); ms <= 0 || ms > 60000) pttl.fail("expected a TTL in (0, 60000] ms");
    r.timed(keyed({"GETEX", k, "PERSIST"})).string("v");
    r.call(keyed({"PTTL", k})).integer(-1);
  });
  r.op("incr", {"INCR", "INCRBY", "DECR", "DECRBY", "INCRBYFLOAT"}, [&] {
    auto k = r.key("counter");
    r.call(keyed({"SET", k, "10"})).ok();
    r.timed(keyed({"INCR", k}).unsafe_to_retry()).integer(11);
    r.timed(keyed({"INCRBY", k, "5"}).unsafe_to_retry()).integer(16);
    r.timed(keyed({"DECR", k}).unsafe_to_retry()).integer(15);
    r.timed(keyed({"DECRBY", k, "5"}).unsafe_to_retry()).integer(10);
    r.timed(keyed({"INCRBYFLOAT", k, "0.5"}).unsafe_to_retry()).number(10.5);
    // A non-integer must be refused with an error, not coerced.
    auto bad = r.call_allowing_error(keyed({"INCR", k}).unsafe_to_retry());
    if (!bad.value().is_error()) bad.fail("expected an error for INCR on \"10.5\"");
    if (outcome_for_error_reply(bad.value().str) == Outcome::unsupported) NodeRunner::error_reply(bad.value(), "INCR");
  });
  r.op("append", {"APPEND", "STRLEN"}, [&] {
    auto k = r.key("append");
    del_keys(r, {k});
    r.timed(keyed({"APPEND", k, "Hello"}).unsafe_to_retry()).integer(5);
    r.timed(keyed({"APPEND", k, " World"}).unsafe_to_retry()).integer(11);
    r.call(keyed({"GET", k})).string("Hello World");
    r.call(keyed({"STRLEN", k})).integer(11);
  });
  r.op("setrange", {"SETRANGE", "GETRANGE"}, [&] {
    auto k = r.key("setrange");
    auto padded = r.key("setrange:padded");
    del_keys(r, {padded});
    r.call(keyed({"SET", k, "Hello World"})).ok();
    r.timed(keyed({"SETRANGE", k, "6", "Redis"})).integer(11);
    r.call(keyed({"GET", k})).string("Hello Redis");
    r.timed(keyed({"GETRANGE", k, "0", "4"})).string("Hello");
    // Writing past the end of a missing key pads with NUL bytes.
    r.call(keyed({"SETRANGE", padded, "3", "x"})).integer(4);
    r.call(keyed({"GET", padded})).string("\0\0\0x"sv);
  });
  r.op("mset_mget", {"MSET", "MGET"}, [&] {
    auto a = r.key("m:a"), b = r.key("m:b"), c = r.key("m:c"), missing = r.key("m:missing");
    del_keys(r, {missing});
    r.timed(keyed({"MSET", a, "1", b, "2", c, "3"})).ok();
    auto reply = r.timed(keyed({"MGET", a, b, missing, c}));
    reply.list(4);
    reply.at(0).string("1");
    reply.at(1).string("2");
    reply.at(2).null();
    reply.at(3).string("3");
  });
  r.op("binary_safe", {"SET", "GET", "STRLEN"}, [&] {
    static const std::string value = all_bytes();
    auto k = r.key("bin\0\xff\r\n key"sv);
    r.timed(keyed({"SET", k, value})).ok();
    r.timed(keyed({"GET", k})).string(value);
    r.call(keyed({"STRLEN", k})).integer(static_cast<std::int64_t>(value.size()));
    r.detail("a key and a value with every byte 0x00-0xff, CR LF included");
  });
  r.op("large_value", {"SET", "GET"}, [&] {
    auto k = r.key("large");
    r.timed(keyed({"SET", k, large_value()})).ok();
    r.timed(keyed({"GET", k})).string(large_value());
    r.detail("1 MiB value written and read back byte for byte");
  });
}

void run_keys_group(NodeRunner& r) {
  r.op("exists", {"EXISTS"}, [&] {
    auto a = r.key("exists:a"), b = r.key("exists:b");
    r.call(keyed({"SET", a, "1"})).ok();
    del_keys(r, {b});
    r.timed(keyed({"EXISTS", a})).integer(1);
    r.timed(keyed({"EXISTS", b})).integer(0);
    r.timed(keyed({"EXISTS", a, a, b})).integer(2);
  });
  r.op("expire_ttl", {"EXPIRE", "TTL", "PEXPIRE", "PTTL"}, [&] {
    auto k = r.key("expire"), missing = r.key("expire:missing");
    r.call(keyed({"SET", k, "v"})).ok();
    del_keys(r, {missing});
    r.timed(keyed({"EXPIRE", k, "100"})).integer(1);
    auto ttl = r.timed(keyed({"TTL", k}));
    if (auto s = ttl.as_integer(); s <= 0 || s > 100) ttl.fail("expected a TTL in (0, 100] s");
    r.timed(keyed({"PEXPIRE", k, "100000"})).integer(1);
    auto pttl = r.timed(keyed({"PTTL", k}));
    if (auto ms = pttl.as_integer(); ms <= 0 || ms > 100000) pttl.fail("expected a TTL in (0, 100000] ms");
    r.call(keyed({"EXPIRE", missing, "100"})).integer(0);
    r.call(keyed({"TTL", missing})).integer(-2);
  });
  r.op(
      "expiry", {"PEXPIRE", "PTTL", "GET"},
      [&] {
        auto k = r.key("expiry");
        r.call(keyed({"SET", k, "short-lived"})).ok();
        auto set_at = std::chrono::steady_clock::now();
        r.call(keyed({"PEXPIRE", k, std::to_string(k_expiry_ms)})).integer(1);
        // The server expires the key on access once its time has passed; poll until it does.
        std::this_thread::sleep_for(std::chrono::milliseconds(k_expiry_ms));
        while (true) {
          auto pttl = r.timed(keyed({"PTTL", k}));
          if (pttl.as_integer() == -2) break;
          if (std::chrono::steady_clock::now() - set_at > k_expiry_deadline)
            pttl.fail(
                fmt::format("key still present {} s after a {} ms expiry", k_expiry_deadline.count(), k_expiry_ms));
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        auto gone_after = elapsed_ms(set_at);
        r.timed(keyed({"GET", k})).null();
        r.timed(keyed({"EXISTS", k})).integer(0);
        r.detail(fmt::format("key with a {} ms TTL gone after {:.0f} ms", k_expiry_ms, gone_after));
      },
      Repeat::once);
  r.op("persist", {"PERSIST"}, [&] {
    auto k = r.key("persist");
    r.call(keyed({"SET", k, "v", "EX", "100"})).ok();
    r.timed(keyed({"PERSIST", k})).integer(1);
    r.call(keyed({"TTL", k})).integer(-1);
    r.timed(keyed({"PERSIST", k})).integer(0);
  });
  r.op("type", {"TYPE"}, [&] {
    auto s = r.key("type:string"), h = r.key("type:hash"), l = r.key("type:list"), st = r.key("type:set"),
         z = r.key("type:zset"), none = r.key("type:none");
    del_keys(r, {s, h, l, st, z, none});
    r.call(keyed({"SET", s, "v"})).ok();
    r.call(keyed({"HSET", h, "f", "v"})).integer(1);
    r.call(keyed({"RPUSH", l, "v"})).integer(1);
    r.call(keyed({"SADD", st, "v"})).integer(1);
    r.call(keyed({"ZADD", z, "1", "v"})).integer(1);
    r.timed(keyed({"TYPE", s})).string("string");
    r.timed(keyed({"TYPE", h})).string("hash");
    r.timed(keyed({"TYPE", l})).string("list");
    r.timed(keyed({"TYPE", st})).string("set");
    r.timed(keyed({"TYPE", z})).string("zset");
    r.timed(keyed({"TYPE", none})).string("none");
  });
  r.op("unlink_del", {"UNLINK", "DEL"}, [&] {
    auto a = r.key("unlink:a"), b = r.key("unlink:b"), c = r.key("unlink:c"), missing = r.key("unlink:missing");
    r.call(keyed({"MSET", a, "1", b, "2", c, "3"})).ok();
    del_keys(r, {missing});
    r.timed(keyed({"UNLINK", a, b, missing})).integer(2);
    r.call(keyed({"EXISTS", a, b})).integer(0);
    r.timed(keyed({"DEL", c, missing})).integer(1);
    r.call(keyed({"EXISTS", c})).integer(0);
  });
  r.op("rename", {"RENAME", "RENAMENX"}, [&] {
    auto a = r.key("rename:a"), b = r.key("rename:b"), c = r.key("rename:c");
    del_keys(r, {b, c});
    r.call(keyed({"SET", a, "first"})).ok();
    r.timed(keyed({"RENAME", a, b})).ok();
    r.call(keyed({"GET", b})).string("first");
    r.call(keyed({"EXISTS", a})).integer(0);
    r.call(keyed({"SET", a, "second"})).ok();
    r.timed(keyed({"RENAMENX", a, b})).integer(0);
    r.timed(keyed({"RENAMENX", a, c})).integer(1);
    r.call(keyed({"GET", c})).string("second");
  });
  r.op(
      "scan", {"SCAN"},
      [&] {
        constexpr int k_keys = 5;
        std::vector<std::string> created;
        for (int i = 0; i < k_keys; ++i) {
          created.push_back(r.key(fmt::format("scan:{}", i)));
          r.call(keyed({"SET", created.back(), "v"})).ok();
        }
        // A full iteration of this node's keyspace, as an application walking keys would do.
        auto pattern = util::prefix_pattern(r.result().key_namespace + "scan:");
        std::set<std::string> found;
        std::string cursor = "0";
        int calls = 0;
        do {
          auto page = r.timed(cmd({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}));
          ++calls;
          cursor = page.at(0).as_string();
          for (const auto& k : page.at(1).list()) found.insert(k.str);
        } while (cursor != "0");
        std::size_t seen = 0;
        for (const auto& k : created) seen += found.count(k);
        if (seen != created.size())
          throw OpStop{Outcome::fail, "SCAN", fmt::format("found {} of the {} keys written", seen, created.size())};
        r.detail(
            fmt::format("{} of {} keys found in {} SCAN call{}", seen, created.size(), calls, calls == 1 ? "" : "s"));
      },
      Repeat::once);
}

}  // namespace rctl::optest
