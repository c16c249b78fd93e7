#include "clients/client_list.hpp"
#include "clients/clients.hpp"
#include "clients/render.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl;

namespace {

// Real CLIENT LIST lines. Redis 6.0 and 6.2 as their client-list documentation prints them;
// 7.0 from redis-server 7.0.15 here; 7.2 adds lib-name/lib-ver (empty until the client says).
const std::string k_line_6_0 =
    "id=3 addr=127.0.0.1:52558 fd=8 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 multi=-1 qbuf=26 "
    "qbuf-free=32742 obl=0 oll=0 omem=0 events=r cmd=client user=default";
const std::string k_line_6_2 =
    "id=3 addr=127.0.0.1:35846 laddr=127.0.0.1:6379 fd=8 name=worker-1 age=12 idle=7 flags=N db=0 sub=0 psub=0 "
    "multi=-1 qbuf=26 qbuf-free=40928 argv-mem=10 obl=0 oll=0 omem=0 tot-mem=61466 events=r cmd=client user=default "
    "redir=-1";
const std::string k_line_7_0 =
    "id=24 addr=127.0.0.1:39758 laddr=127.0.0.1:7791 fd=8 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 "
    "multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658 "
    "events=r cmd=client|list user=default redir=-1 resp=2";
const std::string k_line_7_2 =
    "id=5 addr=10.0.0.7:41640 laddr=10.0.0.2:6379 fd=9 name=api age=310 idle=3700 flags=P db=0 sub=2 psub=0 ssub=0 "
    "multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=3 omem=20000000 tot-mem=20022426 "
    "events=rw cmd=subscribe user=app redir=-1 resp=3 lib-name=redis-py lib-ver=5.0.1";

}  // namespace

TEST_CASE("clients: parse_client_list reads Redis 6.0, 6.2, 7.0 and 7.2 lines") {
  auto list = clients::parse_client_list(
      k_line_6_0 + "\n" + k_line_6_2 + "\n" + k_line_7_0 + "\r\n" + k_line_7_2 + "\n", "n:1");
  REQUIRE(list);
  REQUIRE(list->size() == 4);
  const auto& v60 = (*list)[0];
  CHECK(v60.id == 3);
  CHECK(v60.laddr.empty());
  CHECK(v60.tot_mem == -1);  // not sent before 6.2
  CHECK(v60.ssub == -1);
  CHECK_FALSE(v60.has_lib);
  CHECK(v60.user == "default");
  const auto& v62 = (*list)[1];
  CHECK(v62.name == "worker-1");
  CHECK(v62.idle_s == 7);
  CHECK(v62.age_s == 12);
  CHECK(v62.tot_mem == 61466);
  const auto& v70 = (*list)[2];
  CHECK(v70.cmd == "client|list");
  CHECK(v70.resp == 2);
  CHECK_FALSE(v70.has_lib);
  const auto& v72 = (*list)[3];
  CHECK(v72.has_lib);
  CHECK(v72.lib_name == "redis-py");
  CHECK(v72.lib_ver == "5.0.1");
  CHECK(v72.pubsub());
  CHECK(v72.omem == 20000000);
  CHECK(v72.host() == "10.0.0.7");
  CHECK(v72.node == "n:1");
}

TEST_CASE("clients: host() drops the port of IPv4, IPv6 and keeps unix paths") {
  clients::ClientInfo c;
  c.addr = "::1:6379";
  CHECK(c.host() == "::1");
  c.addr = "[::1]:6379";
  CHECK(c.host() == "::1");
  c.addr = "/tmp/redis.sock:0";
  CHECK(c.host() == "/tmp/redis.sock");
}

TEST_CASE("clients: parse_client_list refuses a line without id and more than k_max_clients") {
  auto bad = clients::parse_client_list("addr=1.2.3.4:5 name=x\n", "n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::protocol);
  std::string at;
  for (std::size_t i = 0; i < clients::k_max_clients; ++i) at += "id=1\n";
  auto ok = clients::parse_client_list(at, "n");
  REQUIRE(ok);
  CHECK(ok->size() == clients::k_max_clients);
  auto over = clients::parse_client_list(at + "id=2\n", "n");
  REQUIRE_FALSE(over);
  CHECK(over.error().kind == ErrorKind::protocol);
}

TEST_CASE("clients: field values are cut at k_max_value_bytes") {
  auto at = clients::parse_client_list("id=1 name=" + std::string(clients::k_max_value_bytes, 'n'), "n");
  REQUIRE(at);
  CHECK((*at)[0].name.size() == clients::k_max_value_bytes);
  auto over = clients::parse_client_list("id=1 name=" + std::string(clients::k_max_value_bytes + 1, 'n'), "n");
  REQUIRE(over);
  CHECK((*over)[0].name.size() == clients::k_max_value_bytes);
}

TEST_CASE("clients: glob_match") {
  CHECK(clients::glob_match("worker-*", "worker-12"));
  CHECK_FALSE(clients::glob_match("worker-*", "web-1"));
  CHECK(clients::glob_match("w?b", "web"));
  CHECK(clients::glob_match("*", ""));
  CHECK(clients::glob_match("a*b*c", "aXXbYYc"));
  CHECK_FALSE(clients::glob_match("a*b*c", "aXXbYY"));
  CHECK(clients::glob_match("exact", "exact"));
}

TEST_CASE("clients: filters parse and match; bad ones are usage errors") {
  auto list = clients::parse_client_list(k_line_6_2 + "\n" + k_line_7_2, "n");
  REQUIRE(list);
  auto cond = [](std::string t) {
    auto c = clients::parse_condition(t);
    REQUIRE(c);
    return *c;
  };
  const auto& worker = (*list)[0];
  const auto& api = (*list)[1];
  CHECK(clients::matches(worker, {cond("name=worker-*")}));
  CHECK_FALSE(clients::matches(api, {cond("name=worker-*")}));
  CHECK(clients::matches(api, {cond("addr=10.0.0.7")}));
  CHECK(clients::matches(api, {cond("addr=10.0.0.7:41640")}));
  CHECK(clients::matches(api, {cond("user=app"), cond("flags=P"), cond("idle>1h")}));
  CHECK_FALSE(clients::matches(worker, {cond("idle>1h")}));
  CHECK(clients::matches(worker, {cond("idle<10s")}));
  CHECK(clients::matches(api, {cond("lib-name=redis-*")}));
  CHECK(clients::matches(api, {cond("cmd=subscribe")}));
  CHECK(clients::matches(worker, {}));
  for (auto bad : {"name", "color=red", "idle>soon", "flags="}) {
    auto c = clients::parse_condition(bad);
    REQUIRE_FALSE(c);
    CHECK(c.error().kind == ErrorKind::usage);
  }
}

TEST_CASE("clients: parse_buffer_limit reads the pubsub class") {
  auto l = clients::parse_buffer_limit("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", "pubsub");
  REQUIRE(l);
  CHECK(l->hard_bytes == 33554432);
  CHECK(l->soft_bytes == 8388608);
  CHECK(l->soft_seconds == 60);
  CHECK_FALSE(clients::parse_buffer_limit("normal 0 0 0", "pubsub"));
  CHECK_FALSE(clients::parse_buffer_limit("pubsub x 1 2", "pubsub"));
}

TEST_CASE("clients: summarize groups, buckets idle times, finds near-limit pub/sub and blocked clients") {
  clients::NodeClients n;
  n.address = "n:1";
  n.maxclients = 100;
  n.pubsub_limit = clients::BufferLimit{33554432, 8388608, 60};
  auto list = clients::parse_client_list(
      k_line_6_2 + "\n" + k_line_7_2 + "\nid=9 addr=10.0.0.8:1 name=q idle=0 flags=b cmd=blpop user=app", "n:1");
  REQUIRE(list);
  n.clients = *list;
  auto s = clients::summarize({n}, {});
  CHECK(s.connected == 3);
  CHECK(s.maxclients == 100);
  CHECK(s.by_host[0].key == "10.0.0.7");  // sorted by count; ties keep key order
  CHECK(s.by_user[0].key == "app");
  CHECK(s.by_user[0].count == 2);
  CHECK(s.lib_known);
  REQUIRE(s.pubsub_near_limit.size() == 1);  // 20 MB of an 8 MiB soft limit
  CHECK(s.pubsub_near_limit[0].client.id == 5);
  REQUIRE(s.blocked.size() == 1);
  CHECK(s.blocked[0].cmd == "blpop");
  CHECK(s.idle[0].count == 1);  // <1s
  CHECK(s.idle[1].count == 1);  // 7s
  CHECK(s.idle[5].count == 1);  // 3700s
  CHECK(s.top_output[0].id == 5);
  auto filtered = clients::summarize({n}, {*clients::parse_condition("user=app")});
  CHECK(filtered.clients == 2);
  CHECK(filtered.connected == 3);
  auto doc = clients::render_summary("redis://n:1", {n}, s, {});
  CHECK(doc.json["totals"]["headroom"] == 97);
  CHECK(doc.json["clients"].size() == 3);
}

TEST_CASE("clients: plan_kill never picks rctl's own connection nor replication links") {
  clients::NodeClients n;
  n.address = "n:1";
  n.own_id = 3;
  auto list = clients::parse_client_list(
      k_line_6_2 + "\nid=4 addr=10.0.0.9:1 name=worker-2 flags=S\nid=5 addr=10.0.0.9:2 name=worker-3 flags=N", "n:1");
  REQUIRE(list);
  n.clients = *list;
  auto plan = clients::plan_kill({n}, {*clients::parse_condition("name=worker-*")});
  REQUIRE(plan.targets.size() == 1);
  CHECK(plan.targets[0].id == 5);
  CHECK(plan.nodes[0].matched == 3);
  CHECK(plan.nodes[0].skipped_self == 1);
  CHECK(plan.nodes[0].skipped_replication == 1);
}
