#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "cluster/redirect.hpp"
#include "cluster/scan.hpp"

using rctl::ErrorKind;
using rctl::cluster::Action;
using rctl::cluster::Decision;
using rctl::cluster::NodeAddress;
using rctl::cluster::parse_redirect;
using rctl::cluster::RedirectKind;
using rctl::cluster::RedirectPolicy;
using rctl::cluster::RedirectTracker;
using rctl::resp::Value;
using namespace std::chrono_literals;

namespace {

const NodeAddress k_node_7001{"127.0.0.1", 7001};

Value moved(int slot, const std::string& address) {
  return Value::error_reply("MOVED " + std::to_string(slot) + " " + address);
}
Value ask(int slot, const std::string& address) {
  return Value::error_reply("ASK " + std::to_string(slot) + " " + address);
}

}  // namespace

TEST_CASE("parse_redirect reads MOVED and ASK targets", "[cluster][redirect]") {
  struct Case {
    std::string message;
    RedirectKind kind;
    int slot;
    NodeAddress target;
  };
  const Case cases[] = {
      // As captured from redis-server 7.0.15:
      {"MOVED 12182 127.0.0.1:7303", RedirectKind::moved, 12182, {"127.0.0.1", 7303}},
      {"MOVED 12182 node-7303.example.test:7303", RedirectKind::moved, 12182, {"node-7303.example.test", 7303}},
      {"MOVED 12182 :7303", RedirectKind::moved, 12182, {"", 7303}},  // unknown-endpoint
      {"ASK 3300 127.0.0.1:7302", RedirectKind::ask, 3300, {"127.0.0.1", 7302}},
      {"MOVED 3300 127.0.0.1:7301", RedirectKind::moved, 3300, {"127.0.0.1", 7301}},
      // IPv6: Redis prints it unbracketed; we also take the bracketed form.
      {"MOVED 3999 ::1:6381", RedirectKind::moved, 3999, {"::1", 6381}},
      {"ASK 3999 [::1]:6381", RedirectKind::ask, 3999, {"::1", 6381}},
      {"ASK 3999 fe80::1:2:6381", RedirectKind::ask, 3999, {"fe80::1:2", 6381}},
      {"MOVED 0 h:1", RedirectKind::moved, 0, {"h", 1}},
      {"MOVED 16383 h:65535", RedirectKind::moved, 16383, {"h", 65535}},
      {"MOVED 1 h:6379\r\n", RedirectKind::moved, 1, {"h", 6379}},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    auto r = parse_redirect(c.message);
    CHECK(r.kind == c.kind);
    CHECK(r.slot == c.slot);
    CHECK(r.target == c.target);
  }
}

TEST_CASE("parse_redirect reads TRYAGAIN and CLUSTERDOWN, nothing else", "[cluster][redirect]") {
  CHECK(parse_redirect("TRYAGAIN Multiple keys request during rehashing of slot").kind == RedirectKind::try_again);
  CHECK(parse_redirect("TRYAGAIN").kind == RedirectKind::try_again);
  CHECK(parse_redirect("CLUSTERDOWN The cluster is down").kind == RedirectKind::cluster_down);
  CHECK(parse_redirect("CLUSTERDOWN Hash slot not served").kind == RedirectKind::cluster_down);
  const char* not_redirects[] = {
      "",
      "ERR unknown command",
      "CROSSSLOT Keys in request don't hash to the same slot",
      "MOVED",
      "MOVED ",
      "MOVED 3999",
      "MOVED 3999 ",
      "MOVED abc 1.2.3.4:1",
      "MOVED 16384 h:1",
      "MOVED -1 h:1",
      "MOVED 1 h:0",
      "MOVED 1 h:65536",
      "MOVED 1 h",
      "MOVED 1 h:",
      "MOVED 1 h:12x",
      "ASK 1 [::1:6379",
      "ASK 1 [::1]6379",
      "MOVEDX 1 h:1",
      "moved 1 h:1",
      "MOVED 1  h:1",
      "MOVED 1 h:1 extra",
      "TRYAGAINX",
      "READONLY You can't write",
      "MOVED 99999999999999999999 h:1",
  };
  for (const char* message : not_redirects) {
    INFO(message);
    auto r = parse_redirect(message);
    CHECK(r.kind == RedirectKind::none);
    CHECK(r.slot == -1);
  }
}

TEST_CASE("a MOVED chain updates slots, refreshes the map once, then completes", "[cluster][redirect]") {
  RedirectTracker tracker(RedirectPolicy{}, 3999);
  auto d1 = tracker.on_reply(moved(3999, "127.0.0.1:7002"), k_node_7001);
  CHECK(d1.action == Action::retry_on_target_and_update_slot);
  CHECK(d1.target == NodeAddress{"127.0.0.1", 7002});
  CHECK(d1.slot == 3999);
  auto d2 = tracker.on_reply(moved(3999, "127.0.0.1:7003"), d1.target);
  CHECK(d2.action == Action::refresh_map_then_retry);  // 2nd MOVED
  CHECK(d2.target == NodeAddress{"127.0.0.1", 7003});
  CHECK(d2.slot == 3999);
  auto d3 = tracker.on_reply(moved(3999, "127.0.0.1:7004"), d2.target);
  CHECK(d3.action == Action::retry_on_target_and_update_slot);  // at most one refresh per command
  auto d4 = tracker.on_reply(Value::bulk("value"), d3.target);
  CHECK(d4.action == Action::done);
  CHECK(tracker.redirects() == 3);
  CHECK(tracker.retries() == 0);
}

TEST_CASE("ASK asks once and leaves the map alone", "[cluster][redirect]") {
  RedirectTracker tracker(RedirectPolicy{}, 3300);
  auto d1 = tracker.on_reply(ask(3300, "127.0.0.1:7302"), NodeAddress{"127.0.0.1", 7301});
  CHECK(d1.action == Action::retry_on_target_after_asking);
  CHECK(d1.target == NodeAddress{"127.0.0.1", 7302});
  auto d2 = tracker.on_reply(Value::simple("OK"), d1.target);
  CHECK(d2.action == Action::done);
  // ASKs do not count towards the MOVED refresh threshold.
  RedirectTracker asks(RedirectPolicy{}, 3300);
  CHECK(asks.on_reply(ask(3300, "h:1"), k_node_7001).action == Action::retry_on_target_after_asking);
  CHECK(asks.on_reply(ask(3300, "h:1"), k_node_7001).action == Action::retry_on_target_after_asking);
  CHECK(asks.on_reply(moved(3300, "h:2"), k_node_7001).action == Action::retry_on_target_and_update_slot);
}

TEST_CASE("ASK then MOVED from the importing node", "[cluster][redirect]") {
  // The migration finished between the two attempts: the target now says the slot moved on.
  RedirectTracker tracker(RedirectPolicy{}, 3300);
  auto d1 = tracker.on_reply(ask(3300, "127.0.0.1:7302"), NodeAddress{"127.0.0.1", 7301});
  REQUIRE(d1.action == Action::retry_on_target_after_asking);
  auto d2 = tracker.on_reply(moved(3300, "127.0.0.1:7303"), d1.target);
  CHECK(d2.action == Action::retry_on_target_and_update_slot);
  CHECK(d2.target == NodeAddress{"127.0.0.1", 7303});
  CHECK(d2.slot == 3300);
  CHECK(tracker.trail() == std::vector<std::string>{"ASK 127.0.0.1:7302", "MOVED 127.0.0.1:7303"});
}

TEST_CASE("a redirect loop gives up with the loop in the message", "[cluster][redirect]") {
  RedirectTracker tracker(RedirectPolicy{.max_hops = 5}, 3999);
  NodeAddress from = k_node_7001;
  Decision last;
  for (int hop = 1; hop <= 6; ++hop) {
    last = tracker.on_reply(moved(3999, hop % 2 ? "127.0.0.1:7002" : "127.0.0.1:7001"), from);
    from = last.target;
    if (hop <= 5) {
      INFO("hop " << hop);
      CHECK(last.action != Action::give_up);
    }
  }
  REQUIRE(last.action == Action::give_up);
  CHECK(last.error.kind == ErrorKind::server);
  CHECK(last.error.message ==
        "gave up after 6 redirects for slot 3999: MOVED 127.0.0.1:7002 -> MOVED 127.0.0.1:7001 -> "
        "MOVED 127.0.0.1:7002 -> MOVED 127.0.0.1:7001 -> MOVED 127.0.0.1:7002 -> MOVED 127.0.0.1:7001");
  CHECK_FALSE(last.error.hint.empty());
}

TEST_CASE("MOVED with an empty host goes back to the node that answered", "[cluster][redirect]") {
  RedirectTracker tracker;  // keyless: the slot comes from the redirect
  auto d = tracker.on_reply(Value::error_reply("MOVED 12182 :7303"), NodeAddress{"lb.example.test", 7301});
  CHECK(d.action == Action::retry_on_target_and_update_slot);
  CHECK(d.target == NodeAddress{"lb.example.test", 7303});
  RedirectTracker loop(RedirectPolicy{.max_hops = 0});
  auto g = loop.on_reply(Value::error_reply("ASK 7 [::1]:7303"), k_node_7001);
  REQUIRE(g.action == Action::give_up);
  CHECK(g.error.message == "gave up after 1 redirects for slot 7: ASK [::1]:7303");
}

TEST_CASE("TRYAGAIN backs off with doubling delays, then gives up", "[cluster][redirect]") {
  RedirectTracker tracker(RedirectPolicy{}, 3300);
  const Value reply = Value::error_reply("TRYAGAIN Multiple keys request during rehashing of slot");
  const std::chrono::milliseconds expected[] = {50ms, 100ms, 200ms};
  for (auto delay : expected) {
    auto d = tracker.on_reply(reply, k_node_7001);
    CHECK(d.action == Action::backoff_then_retry);
    CHECK(d.delay == delay);
    CHECK_FALSE(d.refresh_map);  // the owner answered: the map is right, only time helps
  }
  auto d = tracker.on_reply(reply, k_node_7001);
  REQUIRE(d.action == Action::give_up);
  CHECK(d.error.kind == ErrorKind::server);
  CHECK(d.error.message ==
        "gave up after 4 retries for slot 3300: TRYAGAIN -> TRYAGAIN -> TRYAGAIN -> TRYAGAIN "
        "(last: TRYAGAIN Multiple keys request during rehashing of slot)");
}

TEST_CASE("CLUSTERDOWN backs off, refreshes the map, caps the delay", "[cluster][redirect]") {
  RedirectTracker tracker(RedirectPolicy{.max_retries = 4, .max_backoff = 600ms}, 12182);
  const Value reply = Value::error_reply("CLUSTERDOWN The cluster is down");
  const std::chrono::milliseconds expected[] = {250ms, 500ms, 600ms, 600ms};
  for (auto delay : expected) {
    auto d = tracker.on_reply(reply, k_node_7001);
    CHECK(d.action == Action::backoff_then_retry);
    CHECK(d.delay == delay);
    CHECK(d.refresh_map);
  }
  auto d = tracker.on_reply(reply, k_node_7001);
  REQUIRE(d.action == Action::give_up);
  CHECK(d.error.message.starts_with("gave up after 5 retries for slot 12182: CLUSTERDOWN -> "));
  CHECK(d.error.message.ends_with("(last: CLUSTERDOWN The cluster is down)"));
}

TEST_CASE("redirect and retry budgets are separate", "[cluster][redirect]") {
  RedirectTracker tracker(RedirectPolicy{.max_hops = 1, .max_retries = 1}, 5);
  CHECK(tracker.on_reply(Value::error_reply("TRYAGAIN"), k_node_7001).action == Action::backoff_then_retry);
  CHECK(tracker.on_reply(moved(5, "h:2"), k_node_7001).action == Action::retry_on_target_and_update_slot);
  CHECK(tracker.on_reply(Value::error_reply("CLUSTERDOWN x"), k_node_7001).action == Action::give_up);
}

TEST_CASE("non-redirect replies are done and leave no trail", "[cluster][redirect]") {
  RedirectTracker tracker;
  CHECK(tracker.on_reply(Value::simple("OK"), k_node_7001).action == Action::done);
  CHECK(tracker.on_reply(Value::nil(), k_node_7001).action == Action::done);
  CHECK(tracker.on_reply(Value::error_reply("ERR wrong number of arguments"), k_node_7001).action == Action::done);
  CHECK(tracker.on_reply(Value::error_reply("CROSSSLOT Keys in request don't hash to the same slot"), k_node_7001)
            .action == Action::done);
  CHECK(tracker.on_reply(Value::error_reply("MOVED garbage"), k_node_7001).action == Action::done);
  CHECK(tracker.trail().empty());
  CHECK(tracker.redirects() == 0);
}

TEST_CASE("connection lost: retry only when safe", "[cluster][redirect]") {
  SECTION("retry-safe: refresh and retry, within the retry budget") {
    RedirectTracker tracker(RedirectPolicy{.max_retries = 2}, 42);
    CHECK(tracker.on_connection_lost(true).action == Action::refresh_map_then_retry);
    CHECK(tracker.on_connection_lost(true).action == Action::refresh_map_then_retry);
    auto d = tracker.on_connection_lost(true);
    REQUIRE(d.action == Action::give_up);
    CHECK(d.error.kind == ErrorKind::connect);
    CHECK(d.error.message ==
          "gave up after 3 retries for slot 42: connection lost -> connection lost -> connection lost "
          "(last: connection lost after the command was sent)");
  }
  SECTION("not retry-safe: outcome unknown at once") {
    RedirectTracker tracker(RedirectPolicy{}, 42);
    // A redirect first is fine: the command had not run then.
    CHECK(tracker.on_reply(moved(42, "h:2"), k_node_7001).action == Action::retry_on_target_and_update_slot);
    auto d = tracker.on_connection_lost(false);
    REQUIRE(d.action == Action::give_up);
    CHECK(d.error.kind == ErrorKind::outcome_unknown);
    CHECK(d.error.message == "outcome unknown: connection lost after the command was sent");
    CHECK_FALSE(d.error.hint.empty());
  }
}

TEST_CASE("transient server states are named by their whole first word", "[cluster][redirect]") {
  using rctl::cluster::transient_state;
  CHECK(std::string(transient_state("LOADING Redis is loading the dataset in memory")) ==
        "server is loading its dataset");
  CHECK(std::string(transient_state("BUSY Redis is busy running a script. You can only call SCRIPT KILL")) ==
        "server is busy running a script");
  CHECK(std::string(transient_state("MASTERDOWN Link with MASTER is down")) == "replica has lost its primary");
  CHECK(transient_state("BUSYKEY Target key name already exists.") == nullptr);
  CHECK(transient_state("BUSYGROUP Consumer Group name already exists") == nullptr);
  CHECK(transient_state("ERR LOADING") == nullptr);
  CHECK(transient_state("") == nullptr);
}

TEST_CASE("LOADING, BUSY and MASTERDOWN back off on the same node, then give up naming the state",
          "[cluster][redirect]") {
  RedirectTracker tracker(RedirectPolicy{.max_retries = 3, .busy_backoff = 100ms, .max_backoff = 300ms}, 7);
  const Value loading = Value::error_reply("LOADING Redis is loading the dataset in memory");
  const std::chrono::milliseconds expected[] = {100ms, 200ms, 300ms};
  for (auto delay : expected) {
    auto d = tracker.on_reply(loading, k_node_7001);
    CHECK(d.action == Action::backoff_then_retry);
    CHECK(d.delay == delay);
    CHECK_FALSE(d.refresh_map);  // the map is right; only time helps
  }
  auto d = tracker.on_reply(loading, k_node_7001);
  REQUIRE(d.action == Action::give_up);
  CHECK(d.error.kind == ErrorKind::server);
  CHECK(
      d.error.message ==
      "server is loading its dataset: gave up after 4 retries (last: LOADING Redis is loading the dataset in memory)");
  CHECK(d.error.hint.find("--retries") != std::string::npos);
}

TEST_CASE("transient states share the retry budget with TRYAGAIN, not the redirect budget", "[cluster][redirect]") {
  RedirectTracker tracker(RedirectPolicy{.max_hops = 1, .max_retries = 2}, 9);
  CHECK(tracker.on_reply(Value::error_reply("BUSY script"), k_node_7001).action == Action::backoff_then_retry);
  CHECK(tracker.on_reply(moved(9, "h:2"), k_node_7001).action == Action::retry_on_target_and_update_slot);
  CHECK(tracker.on_reply(Value::error_reply("TRYAGAIN x"), k_node_7001).action == Action::backoff_then_retry);
  auto d = tracker.on_reply(Value::error_reply("MASTERDOWN down"), k_node_7001);
  REQUIRE(d.action == Action::give_up);
  CHECK(d.error.message.starts_with("replica has lost its primary: gave up after 3 retries"));
  CHECK(tracker.on_reply(Value::error_reply("BUSYKEY exists"), k_node_7001).action == Action::done);
}

// The scan engine's pure parts (cluster/scan.hpp).

TEST_CASE("slot_moved: MOVED, ASK and TRYAGAIN mean route again; other replies do not", "[cluster][scan]") {
  CHECK(rctl::cluster::slot_moved(Value::error_reply("MOVED 3999 127.0.0.1:6381")));
  CHECK(rctl::cluster::slot_moved(Value::error_reply("ASK 3999 127.0.0.1:6381")));
  CHECK(rctl::cluster::slot_moved(Value::error_reply("TRYAGAIN Multiple keys request during rehashing of slot")));
  CHECK_FALSE(rctl::cluster::slot_moved(Value::error_reply("CLUSTERDOWN The cluster is down")));
  CHECK_FALSE(rctl::cluster::slot_moved(Value::error_reply("ERR unknown command 'UNLINK'")));
  CHECK_FALSE(rctl::cluster::slot_moved(Value::error_reply("MOVED nonsense")));  // malformed: not a redirect
  Value ok;
  ok.type = rctl::resp::Type::simple_string;
  ok.str = "MOVED 1 h:1";  // a string value, not an error
  CHECK_FALSE(rctl::cluster::slot_moved(ok));
}

TEST_CASE("rate_delay keeps the weight sent under the rate", "[cluster][scan]") {
  CHECK(rctl::cluster::rate_delay(1000, 0, 0s) == 0ms);  // no limit
  CHECK(rctl::cluster::rate_delay(1000, -5, 0s) == 0ms);  // no limit
  CHECK(rctl::cluster::rate_delay(0, 100, 0s) == 0ms);  // nothing sent yet
  CHECK(rctl::cluster::rate_delay(1000, 100, 0s) == 10000ms);
  CHECK(rctl::cluster::rate_delay(1000, 100, 4s) == 6000ms);
  CHECK(rctl::cluster::rate_delay(1000, 100, 10s) == 0ms);  // exactly on time
  CHECK(rctl::cluster::rate_delay(1000, 100, 12s) == 0ms);  // behind: no wait, no catch-up burst either
}

TEST_CASE("parse_own_slots reads the myself line: layout and migrations", "[cluster][scan]") {
  const std::string nodes =
      "07c3 127.0.0.1:30004@31004 slave e7d1 0 1426238317239 4 connected\n"
      "67ed 127.0.0.1:30002@31002 myself,master - 0 1426238316232 2 connected 5461-10922 [5470->-e7d1] [93-<-292f]\n"
      "e7d1 127.0.0.1:30001@31001 master - 0 1426238318243 1 connected 0-5460\n";
  auto own = rctl::cluster::parse_own_slots(nodes);
  REQUIRE(own);
  CHECK(own->layout == "67ed 2 5461-10922");
  CHECK(own->migrations == std::vector<std::string>{"[5470->-e7d1]", "[93-<-292f]"});
  // The same node after the slot moved: another layout (epoch and ranges), no migration.
  auto after = rctl::cluster::parse_own_slots(
      "67ed 127.0.0.1:30002@31002 myself,master - 0 1426238316232 7 connected 5461-5469 5471-10922\n");
  REQUIRE(after);
  CHECK(after->layout != own->layout);
  CHECK(after->migrations.empty());
  CHECK_FALSE(rctl::cluster::parse_own_slots("e7d1 127.0.0.1:30001@31001 master - 0 1 1 connected 0-5460\n"));
  CHECK_FALSE(rctl::cluster::parse_own_slots(""));
}

TEST_CASE("scan_call_limit: far above any real walk, finite for any keyspace", "[cluster][scan]") {
  using rctl::cluster::scan_call_limit;
  CHECK(scan_call_limit(0, 1000) == 16 + 1024);
  CHECK(scan_call_limit(1'000'000, 1000) == 16 * 1001 + 1024);  // a real walk takes ~1,000-2,000
  CHECK(scan_call_limit(10, 0) == 16 * 11 + 1024);  // COUNT 0 counts as 1
}
