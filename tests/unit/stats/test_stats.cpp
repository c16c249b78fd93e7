#include "stats/render.hpp"
#include "stats/stats.hpp"

#include <catch2/catch.hpp>

#include "info_support.hpp"

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace rctl;
using namespace std::chrono_literals;
using info_support::info_all_7_0;
using server::Info;

namespace {

using Clock = std::chrono::steady_clock;

// INFO text with the counters compute_rates reads.
std::string info_text(std::int64_t commands, std::int64_t net_in, std::int64_t net_out, std::int64_t expired,
                      std::int64_t evicted, std::int64_t hits, std::int64_t misses, std::int64_t used_memory,
                      std::int64_t clients, const std::string& keyspace) {
  std::ostringstream out;
  out << "# Clients\r\nconnected_clients:" << clients << "\r\n"
      << "# Memory\r\nused_memory:" << used_memory << "\r\n"
      << "# Stats\r\ntotal_commands_processed:" << commands << "\r\ntotal_net_input_bytes:" << net_in
      << "\r\ntotal_net_output_bytes:" << net_out << "\r\nexpired_keys:" << expired << "\r\nevicted_keys:" << evicted
      << "\r\nkeyspace_hits:" << hits << "\r\nkeyspace_misses:" << misses << "\r\n# Keyspace\r\n"
      << keyspace;
  return out.str();
}

stats::NodeStats node(std::string address, std::string role, const std::string& info, Clock::time_point at) {
  stats::NodeStats n;
  n.address = std::move(address);
  n.role = std::move(role);
  n.info = server::Info::parse(info);
  n.sampled = at;
  return n;
}

stats::NodeStats failed_node(std::string address) {
  stats::NodeStats n;
  n.address = std::move(address);
  n.role = "master";
  n.error = Error{ErrorKind::connect, "connection refused", {}};
  return n;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

}  // namespace

TEST_CASE("ops stats: compute_rates over one node, one second apart") {
  const auto t0 = Clock::time_point{} + 1000s;
  stats::StatsReport before, after;
  before.nodes.push_back(node("10.0.0.1:6379", "master",
                              info_text(1000, 5000, 8000, 10, 0, 90, 10, 1'000'000, 3, "db0:keys=5,expires=0\r\n"),
                              t0));
  after.nodes.push_back(node("10.0.0.1:6379", "master",
                             info_text(1500, 7048, 12096, 13, 1, 120, 20, 2'000'000, 7,
                                       "db0:keys=20,expires=1,avg_ttl=5\r\ndb3:keys=2,expires=0,avg_ttl=0\r\n"),
                             t0 + 1s));
  auto r = stats::compute_rates(before, after);
  CHECK(r.seconds == Approx(1.0));
  CHECK(r.ops_per_sec == Approx(500));
  CHECK(r.net_in_bytes_per_sec == Approx(2048));
  CHECK(r.net_out_bytes_per_sec == Approx(4096));
  CHECK(r.expired_per_sec == Approx(3));
  CHECK(r.evicted_per_sec == Approx(1));
  REQUIRE(r.hit_rate.has_value());
  CHECK(*r.hit_rate == Approx(0.75));  // 30 hits, 10 misses in the interval
  CHECK(r.used_memory_bytes == 2'000'000);
  CHECK(r.connected_clients == 7);
  CHECK(r.keys == 22);
}

TEST_CASE("ops stats: compute_rates across nodes, resets, failures and new nodes") {
  const auto t0 = Clock::time_point{} + 1000s;
  const std::string ks = "db0:keys=10\r\n";
  stats::StatsReport before, after;
  before.nodes.push_back(node("a:6379", "master", info_text(1000, 0, 0, 0, 0, 90, 10, 100, 1, ks), t0));
  before.nodes.push_back(node("b:6379", "replica", info_text(400, 0, 0, 0, 0, 0, 0, 100, 1, ks), t0));
  before.nodes.push_back(node("c:6379", "master", info_text(9000, 0, 0, 0, 0, 0, 0, 100, 1, ks), t0));
  before.nodes.push_back(failed_node("d:6379"));
  after.nodes.push_back(node("a:6379", "master", info_text(1500, 0, 0, 0, 0, 120, 20, 200, 2, ks), t0 + 1s));
  // The replica, sampled two seconds later: 100 commands -> 50/s, 10 hits.
  after.nodes.push_back(node("b:6379", "replica", info_text(500, 0, 0, 0, 0, 10, 0, 300, 3, ks), t0 + 2s));
  // c restarted: its counters went down, which counts as no activity, not a negative rate.
  after.nodes.push_back(node("c:6379", "master", info_text(10, 0, 0, 0, 0, 0, 0, 400, 4, ks), t0 + 1s));
  // d came back: no earlier sample to compare, but its gauges count.
  after.nodes.push_back(node("d:6379", "master", info_text(77, 0, 0, 0, 0, 5, 5, 800, 8, ks), t0 + 1s));
  after.nodes.push_back(failed_node("e:6379"));

  auto r = stats::compute_rates(before, after);
  CHECK(r.ops_per_sec == Approx(500 + 50 + 0));
  CHECK(r.seconds == Approx((1.0 + 2.0 + 1.0) / 3));
  REQUIRE(r.hit_rate.has_value());
  CHECK(*r.hit_rate == Approx(40.0 / 50.0));
  CHECK(r.used_memory_bytes == 200 + 300 + 400 + 800);
  CHECK(r.connected_clients == 2 + 3 + 4 + 8);
  CHECK(r.keys == 30);  // masters only: replicas hold copies
}

TEST_CASE("ops stats: compute_rates without an interval") {
  const auto t0 = Clock::time_point{} + 1000s;
  const auto text = info_text(1000, 0, 0, 0, 0, 0, 0, 100, 1, "");
  stats::StatsReport before, same;
  before.nodes.push_back(node("a:6379", "master", text, t0));
  same.nodes.push_back(node("a:6379", "master", text, t0));  // zero seconds apart: no rate
  auto r = stats::compute_rates(before, same);
  CHECK(r.seconds == 0);
  CHECK(r.ops_per_sec == 0);
  CHECK_FALSE(r.hit_rate.has_value());
  CHECK(r.used_memory_bytes == 100);

  auto empty = stats::compute_rates({}, {});
  CHECK(empty.seconds == 0);
  CHECK_FALSE(empty.hit_rate.has_value());
}

TEST_CASE("ops stats: prometheus_text") {
  stats::StatsReport report;
  report.nodes.push_back(node("10.0.0.1:6379", "master", info_all_7_0(), {}));
  report.nodes.push_back(node("weird\"addr\\with\nnewline", "replica",
                              "# Server\r\nredis_version:7.0.15\r\n# Replication\r\nrole:slave\r\n"
                              "master_link_status:up\r\n# Clients\r\nconnected_clients:2\r\n",
                              {}));
  report.nodes.push_back(failed_node("10.0.0.3:6379"));
  const auto text = stats::prometheus_text(report);
  REQUIRE_FALSE(text.empty());
  CHECK(text.back() == '\n');

  // Each family: HELP then TYPE exactly once, then all of its samples together.
  std::map<std::string, int> help, type;
  std::set<std::string> closed;
  std::string current, current_kind;
  for (const auto& line : lines_of(text)) {
    INFO("line: " << line);
    REQUIRE_FALSE(line.empty());
    for (unsigned char c : line) CHECK(c >= 0x20);
    if (line.rfind("# HELP ", 0) == 0) {
      auto name = line.substr(7, line.find(' ', 7) - 7);
      ++help[name];
      if (!current.empty()) closed.insert(current);
      current = name;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      auto name = line.substr(7, line.find(' ', 7) - 7);
      ++type[name];
      CHECK(name == current);
      auto kind = line.substr(line.rfind(' ') + 1);
      CHECK((kind == "gauge" || kind == "counter" || kind == "summary"));
      current_kind = kind;
      continue;
    }
    auto name = line.substr(0, line.find('{'));
    // A summary's _sum and _count samples belong to its family; only a summary has quantiles
    // (promtool rejects a quantile label anywhere else).
    if (current_kind == "summary" && name != current) {
      CHECK((name == current + "_sum" || name == current + "_count"));
      name = current;
    }
    if (current_kind != "summary") CHECK(line.find("quantile=") == std::string::npos);
    CHECK(name == current);
    CHECK(closed.count(name) == 0);
    CHECK(line.find("} ") != std::string::npos);
  }
  for (const auto& [name, n] : help) {
    INFO(name);
    CHECK(n == 1);
    CHECK(type[name] == 1);
  }
  CHECK(help.size() == type.size());

  auto has_line = [&](const std::string& wanted) {
    INFO("wanted: " << wanted);
    CHECK(text.find("\n" + wanted + "\n") != std::string::npos);
  };
  has_line(R"(redis_up{addr="10.0.0.1:6379"} 1)");
  has_line(R"(redis_up{addr="weird\"addr\\with\nnewline"} 1)");
  has_line(R"(redis_up{addr="10.0.0.3:6379"} 0)");
  has_line(R"(redis_memory_used_bytes{addr="10.0.0.1:6379"} 1140888)");
  has_line(R"(redis_mem_fragmentation_ratio{addr="10.0.0.1:6379"} 6.83)");
  has_line(R"(redis_commands_processed_total{addr="10.0.0.1:6379"} 31)");
  has_line(R"(redis_connected_clients{addr="weird\"addr\\with\nnewline"} 2)");
  has_line(R"(redis_master_link_up{addr="weird\"addr\\with\nnewline"} 1)");
  has_line(R"(redis_db_keys{addr="10.0.0.1:6379",db="db0"} 20)");
  has_line(R"(redis_db_keys_expiring{addr="10.0.0.1:6379",db="db0"} 1)");
  has_line(R"(redis_db_avg_ttl_seconds{addr="10.0.0.1:6379",db="db0"} 999.9)");
  has_line(R"(redis_commands_total{addr="10.0.0.1:6379",cmd="set"} 21)");
  has_line(R"(redis_commands_total{addr="10.0.0.1:6379",cmd="client|list"} 1)");
  has_line(R"(redis_commands_failed_calls_total{addr="10.0.0.1:6379",cmd="incr"} 1)");
  has_line(R"(redis_commands_duration_seconds_total{addr="10.0.0.1:6379",cmd="set"} 8e-05)");
  has_line(R"(redis_command_latency_seconds{addr="10.0.0.1:6379",cmd="set",quantile="0.99"} 7.007e-06)");
  has_line(R"(redis_instance_info{addr="10.0.0.1:6379",role="master",redis_version="7.0.15",)"
           R"(redis_mode="standalone",maxmemory_policy="noeviction"} 1)");
  // The failed node and the master have no link metric; nothing but redis_up for the failed one.
  CHECK(text.find(R"(redis_master_link_up{addr="10.0.0.1:6379"})") == std::string::npos);
  CHECK(text.find(R"(redis_connected_clients{addr="10.0.0.3:6379"})") == std::string::npos);

  CHECK(stats::prometheus_text({}).empty());
}

TEST_CASE("ops stats: prometheus label values from the server cannot break the format or a terminal") {
  stats::StatsReport report;
  report.nodes.push_back(node("10.0.0.1:6379", "master",
                              "# Server\r\nredis_version:7.0\x1b]0;x\x07\r\nredis_mode:a\\n\"b\xff\r\n"
                              "# Commandstats\r\ncmdstat_get\x1b[2J:calls=3,usec=1\r\n",
                              {}));
  const auto text = stats::prometheus_text(report);
  for (unsigned char c : text) CHECK((c >= 0x20 || c == '\n'));
  // ESC and BEL are shown as text, the literal backslash-n stays a backslash and an n, the
  // quote is escaped, and the invalid byte is named rather than passed on.
  CHECK(text.find(R"(redis_version="7.0\\x1b]0;x\\x07")") != std::string::npos);
  CHECK(text.find(R"(redis_mode="a\\n\"b\\xff")") != std::string::npos);
  CHECK(text.find(R"(redis_commands_total{addr="10.0.0.1:6379",cmd="get\\x1b[2J"} 3)") != std::string::npos);
}

TEST_CASE("ops stats: command_stats from commandstats and latencystats") {
  auto stats = stats::command_stats(Info::parse(info_all_7_0()));
  std::vector<std::string> names;
  for (const auto& c : stats) names.push_back(c.name);
  // Most calls first, then by name.
  CHECK(names == std::vector<std::string>{"set", "get", "select", "client|list", "config|get", "expire", "hset", "incr",
                                          "ping"});
  const auto& set = stats[0];
  CHECK(set.calls == 21);
  CHECK(set.usec == 80);
  CHECK(set.usec_per_call == 3.81);
  CHECK(set.rejected == 0);
  CHECK(set.failed == 0);
  CHECK(set.p50_us == 4.015);
  CHECK(set.p99_us == 7.007);
  CHECK(set.p999_us == 7.007);
  const auto& incr = stats[7];
  REQUIRE(incr.name == "incr");
  CHECK(incr.failed == 1);

  // A server without latencystats (Redis < 7) and a malformed entry.
  auto old =
      stats::command_stats(Info::parse("# Commandstats\r\n"
                                       "cmdstat_get:calls=5,usec=10,usec_per_call=2.00\r\n"
                                       "cmdstat_bad:calls=x,usec=\r\n"));
  REQUIRE(old.size() == 2);
  CHECK(old[0].name == "get");
  CHECK(old[0].calls == 5);
  CHECK_FALSE(old[0].p50_us.has_value());
  CHECK(old[1].name == "bad");
  CHECK(old[1].calls == 0);
}

TEST_CASE("ops stats: keyspace_stats") {
  auto ks = stats::keyspace_stats(Info::parse(info_all_7_0()));
  REQUIRE(ks.size() == 2);
  CHECK(ks[0].db == 0);
  CHECK(ks[0].keys == 20);
  CHECK(ks[0].expires == 1);
  CHECK(ks[0].avg_ttl_ms == 999900);
  CHECK(ks[1].db == 3);
  CHECK(ks[1].keys == 2);
  CHECK(ks[1].expires == 0);

  auto odd =
      stats::keyspace_stats(Info::parse("# Keyspace\r\ndb15:keys=1\r\ndbx:keys=2\r\nother:keys=3\r\n"
                                        "# Stats\r\ndb1:keys=9\r\n"));
  REQUIRE(odd.size() == 1);
  CHECK(odd[0].db == 15);
  CHECK(odd[0].keys == 1);
  CHECK(odd[0].expires == 0);
  CHECK(stats::keyspace_stats(Info::parse("# Keyspace\r\n")).empty());
}
