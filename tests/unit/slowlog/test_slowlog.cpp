#include "slowlog/render.hpp"
#include "slowlog/slowlog.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace rctl;
using resp::Value;

namespace {

// A SLOWLOG GET element as Redis >= 4.0 sends it: id, time, duration, args, addr, name.
Value slow_entry(std::int64_t id, std::int64_t time, std::int64_t us, std::vector<std::string> args,
                 std::string addr = "127.0.0.1:5000", std::string name = "") {
  std::vector<Value> a;
  for (auto& s : args) a.push_back(Value::bulk(s));
  return Value::list({Value::integer_reply(id), Value::integer_reply(time), Value::integer_reply(us),
                      Value::list(std::move(a)), Value::bulk(addr), Value::bulk(name)});
}

slowlog::Entry entry(std::string node, std::int64_t id, std::int64_t time, std::int64_t us, std::string command) {
  slowlog::Entry e;
  e.node = std::move(node);
  e.id = id;
  e.time_s = time;
  e.duration_us = us;
  e.args = {std::move(command)};
  return e;
}

}  // namespace

TEST_CASE("slowlog: parse_entry reads a Redis 7 entry") {
  auto e = slowlog::parse_entry(
      slow_entry(60, 1796563790, 11, {"config", "get", "client-output-buffer-limit"}, "127.0.0.1:39768", "app"),
      "n1:6379");
  REQUIRE(e);
  CHECK(e->id == 60);
  CHECK(e->time_s == 1796563790);
  CHECK(e->duration_us == 11);
  CHECK(e->args == std::vector<std::string>{"config", "get", "client-output-buffer-limit"});
  CHECK(e->client_addr == "127.0.0.1:39768");
  CHECK(e->client_name == "app");
  CHECK(e->node == "n1:6379");
}

TEST_CASE("slowlog: parse_entry accepts a Redis 3 entry without client fields") {
  auto v = Value::list({Value::integer_reply(1), Value::integer_reply(2), Value::integer_reply(3),
                        Value::list({Value::bulk("GET"), Value::bulk("k")})});
  auto e = slowlog::parse_entry(v, "n");
  REQUIRE(e);
  CHECK(e->client_addr.empty());
}

TEST_CASE("slowlog: parse_entry refuses malformed entries") {
  CHECK_FALSE(slowlog::parse_entry(Value::bulk("x"), "n"));
  CHECK_FALSE(slowlog::parse_entry(Value::list({Value::integer_reply(1)}), "n"));
  auto bad_args = Value::list(
      {Value::integer_reply(1), Value::integer_reply(2), Value::integer_reply(3), Value::list({Value::list({})})});
  auto e = slowlog::parse_entry(bad_args, "n");
  REQUIRE_FALSE(e);
  CHECK(e.error().kind == ErrorKind::protocol);
}

TEST_CASE("slowlog: parse_entry keeps k_max_args arguments and k_max_arg_bytes bytes each") {
  std::vector<std::string> args(slowlog::k_max_args, "a");
  auto at = slowlog::parse_entry(slow_entry(1, 1, 1, args), "n");
  REQUIRE(at);
  CHECK(at->args.size() == slowlog::k_max_args);
  args.push_back("b");
  auto over = slowlog::parse_entry(slow_entry(1, 1, 1, args), "n");
  REQUIRE(over);
  CHECK(over->args.size() == slowlog::k_max_args);
  auto exact = slowlog::parse_entry(slow_entry(1, 1, 1, {std::string(slowlog::k_max_arg_bytes, 'x')}), "n");
  REQUIRE(exact);
  CHECK(exact->args[0].size() == slowlog::k_max_arg_bytes);
  auto longer = slowlog::parse_entry(slow_entry(1, 1, 1, {std::string(slowlog::k_max_arg_bytes + 1, 'x')}), "n");
  REQUIRE(longer);
  CHECK(longer->args[0].size() == slowlog::k_max_arg_bytes);
}

TEST_CASE("server: parse_latency_latest reads events and refuses junk") {
  auto v = Value::list({Value::list(
      {Value::bulk("command"), Value::integer_reply(1796563472), Value::integer_reply(50), Value::integer_reply(60)})});
  auto events = server::parse_latency_latest(v);
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].name == "command");
  CHECK((*events)[0].latest_ms == 50);
  CHECK((*events)[0].max_ms == 60);
  CHECK(server::parse_latency_latest(Value::list({}))->empty());
  CHECK_FALSE(server::parse_latency_latest(Value::list({Value::list({Value::bulk("x")})})));
}

TEST_CASE("slowlog: entries merge by time, then node, then slowest first") {
  std::vector<slowlog::Entry> e = {entry("b:1", 7, 20, 5, "GET"), entry("a:1", 9, 20, 1, "GET"),
                                   entry("b:1", 8, 20, 9, "SET"), entry("a:1", 3, 10, 1, "DEL")};
  slowlog::sort_entries(e);
  CHECK(e[0].id == 3);
  CHECK(e[1].node == "a:1");
  CHECK(e[2].id == 8);  // same time and node: slower first
  CHECK(e[3].id == 7);
}

TEST_CASE("slowlog: group_by_command counts, totals and p99 per name, subcommands apart") {
  std::vector<slowlog::Entry> e;
  for (int i = 1; i <= 100; ++i) e.push_back(entry(i % 2 ? "a:1" : "b:1", i, i, i * 10, "GET"));
  auto client_list = entry("a:1", 200, 1, 5000, "CLIENT");
  client_list.args.push_back("LIST");
  e.push_back(client_list);
  auto groups = slowlog::group_by_command(e);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].command == "get");
  CHECK(groups[0].count == 100);
  CHECK(groups[0].total_us == 50500);
  CHECK(groups[0].p99_us == 990);
  CHECK(groups[0].max_us == 1000);
  CHECK(groups[0].nodes == 2);
  CHECK(groups[1].command == "client|list");
}

TEST_CASE("slowlog: command_text shortens long arguments and many of them, --full keeps all") {
  auto e = entry("n", 1, 1, 1, "SET");
  e.args.push_back("k");
  e.args.push_back(std::string(100, 'v'));
  CHECK(slowlog::command_text(e, false) == "SET k " + std::string(40, 'v') + "... (+60 bytes)");
  CHECK(slowlog::command_text(e, true) == "SET k " + std::string(100, 'v'));
  auto many = entry("n", 1, 1, 1, "DEL");
  for (int i = 0; i < 20; ++i) many.args.push_back("k" + std::to_string(i));
  CHECK(slowlog::command_text(many, false) == "DEL k0 k1 k2 k3 k4 k5 k6 ... (+13 args)");
}

TEST_CASE("slowlog: Watermarks show only entries new since the last poll, per node") {
  slowlog::Watermarks marks;
  auto node = [](std::string a, std::int64_t max) {
    slowlog::NodeResult n;
    n.address = std::move(a);
    n.max_id = max;
    return n;
  };
  std::vector<slowlog::Entry> first = {entry("a", 1, 1, 1, "GET"), entry("a", 2, 1, 1, "GET"),
                                       entry("b", 5, 1, 1, "GET")};
  CHECK(marks.take_new(first, {node("a", 2), node("b", 5)}).entries.empty());
  std::vector<slowlog::Entry> second = first;
  second.push_back(entry("a", 3, 2, 1, "SET"));
  second.push_back(entry("c", 1, 2, 1, "DEL"));  // a node not seen before: all of it is new
  auto fresh = marks.take_new(second, {node("a", 3), node("b", 5), node("c", 1)}).entries;
  REQUIRE(fresh.size() == 2);
  CHECK(fresh[0].node == "a");
  CHECK(fresh[0].id == 3);
  CHECK(fresh[1].node == "c");
  // b restarted: its ids start again below the last one seen, so everything it shows is new
  std::vector<slowlog::Entry> third = {entry("b", 1, 3, 1, "GET")};
  fresh = marks.take_new(third, {node("a", 3), node("b", 1), node("c", 1)}).entries;
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].node == "b");
}

TEST_CASE("slowlog: Watermarks count ids skipped between polls and say when a node fails and recovers") {
  slowlog::Watermarks marks;
  auto node = [](std::string a, std::int64_t min, std::int64_t max) {
    slowlog::NodeResult n;
    n.address = std::move(a);
    n.min_id = min;
    n.max_id = max;
    return n;
  };
  auto down = [](std::string a) {
    slowlog::NodeResult n;
    n.address = std::move(a);
    n.error = Error{ErrorKind::connect, "connection refused", ""};
    return n;
  };
  (void)marks.take_new({entry("a", 10, 1, 1, "GET")}, {node("a", 10, 10), node("b", 1, 1)});
  // a: ids 11..20 happened, only 18..20 were read (--limit 3): 7 came and went unread.
  auto poll = marks.take_new({entry("a", 18, 2, 1, "GET"), entry("a", 19, 2, 1, "GET"), entry("a", 20, 2, 1, "GET")},
                             {node("a", 18, 20), node("b", 1, 1)});
  CHECK(poll.entries.size() == 3);
  REQUIRE(poll.missed.size() == 1);
  CHECK(poll.missed.at("a") == 7);
  // b stops answering: said once, not on every poll, and again when it is back.
  poll = marks.take_new({}, {node("a", 20, 20), down("b")});
  REQUIRE(poll.failed.size() == 1);
  CHECK(poll.failed[0].address == "b");
  CHECK(poll.missed.empty());
  CHECK(marks.take_new({}, {node("a", 20, 20), down("b")}).failed.empty());
  poll = marks.take_new({entry("b", 2, 3, 1, "SET")}, {node("a", 20, 20), node("b", 1, 2)});
  CHECK(poll.recovered == std::vector<std::string>{"b"});
  CHECK(poll.entries.size() == 1);
}

TEST_CASE("slowlog: render keeps bytes safe in JSON and the table") {
  slowlog::Report r;
  r.target = "redis://h:1";
  auto e = entry("a:1", 1, 1796563790, 1500, "SET");
  e.args.push_back(std::string("\x1b[2J\xff", 5));
  e.client_name = "app";
  r.entries.push_back(e);
  slowlog::NodeResult n;
  n.address = "a:1";
  n.role = "primary";
  r.nodes.push_back(n);
  auto doc = slowlog::render_report(r, {});
  const auto& j = doc.json["entries"][0];
  CHECK(j["args"][1].contains("base64"));
  CHECK(j["duration_us"] == 1500);
  CHECK(j["time"] == "2026-12-06T13:29:50Z");
  CHECK(j["client_addr"].is_null());
  CHECK(doc.json["groups"][0]["command"] == "set");
}
