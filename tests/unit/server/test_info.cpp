#include "server/info.hpp"

#include <catch2/catch.hpp>

#include "info_support.hpp"

#include <string>
#include <vector>

using namespace rctl;
using info_support::info_all_7_0;
using server::Info;

namespace {

std::vector<std::string> strings(const std::vector<std::string_view>& views) { return {views.begin(), views.end()}; }

using Pairs = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE("ops info: the captured INFO all of Redis 7.0") {
  const auto text = info_all_7_0();
  REQUIRE(text.find("\r\n") != std::string::npos);
  const auto info = Info::parse(text);
  REQUIRE_FALSE(info.empty());

  CHECK(info.get("redis_version") == "7.0.15");  // no '\r' left on values
  CHECK(info.get("role") == "master");
  CHECK(info.get("config_file") == "");  // present but empty
  CHECK(info.get("maxmemory_policy") == "noeviction");
  CHECK(info.get("executable") == "/tmp/ut-redis/redis-server");
  CHECK_FALSE(info.get("no_such_field").has_value());
  CHECK(info.get_or("no_such_field", "fallback") == "fallback");
  CHECK(info.get_or("redis_mode", "fallback") == "standalone");

  CHECK(info.integer("used_memory") == 1140888);
  CHECK(info.integer("rdb_last_bgsave_time_sec") == -1);
  CHECK_FALSE(info.integer("mem_fragmentation_ratio").has_value());  // 6.83
  CHECK_FALSE(info.integer("used_memory_human").has_value());  // 1.09M
  CHECK(info.number("mem_fragmentation_ratio") == 6.83);
  CHECK(info.number("used_cpu_user") == 0.010782);
  CHECK(info.number("used_memory") == 1140888.0);
  CHECK_FALSE(info.number("used_memory_peak_perc").has_value());  // 100.16%
  CHECK_FALSE(info.number("no_such_field").has_value());

  CHECK(strings(info.keys_in("Keyspace")) == std::vector<std::string>{"db0", "db3"});
  CHECK(strings(info.keys_in("KEYSPACE")) == std::vector<std::string>{"db0", "db3"});
  CHECK(info.keys_in("Modules").empty());  // a header with no fields
  CHECK(info.keys_in("No such section").empty());
  CHECK(info.keys_in("Server").front() == "redis_version");
  CHECK(info.keys_in("Server").size() == 24);
  CHECK(info.keys_in("Commandstats").size() == 9);
  CHECK(strings(info.keys_in("Errorstats")) == std::vector<std::string>{"errorstat_ERR"});

  auto cmdstats = strings(info.keys_with_prefix("cmdstat_"));
  REQUIRE(cmdstats.size() == 9);
  CHECK(cmdstats.front() == "cmdstat_client|list");
  CHECK(cmdstats.back() == "cmdstat_select");
  CHECK(info.keys_with_prefix("latency_percentiles_usec_").size() == 9);
  CHECK(info.keys_with_prefix("nothing_").empty());

  CHECK(
      server::parse_kv_list(*info.get("cmdstat_set")) ==
      Pairs{
          {"calls", "21"}, {"usec", "80"}, {"usec_per_call", "3.81"}, {"rejected_calls", "0"}, {"failed_calls", "0"}});
  CHECK(server::parse_kv_list(*info.get("db0")) == Pairs{{"keys", "20"}, {"expires", "1"}, {"avg_ttl", "999900"}});
}

TEST_CASE("ops info: CRLF and LF parse alike; malformed lines are ignored") {
  const std::string lf =
      "# Server\n"
      "redis_version:7.2.4\n"
      "no colon on this line\n"
      ":value without a key\n"
      "   \n"
      "\n"
      "#\n"
      "orphan:in an unnamed section\n"
      "#   Replication  \n"
      "role:slave\n"
      "master_host:::1\n"
      "slave0:ip=::1,port=6380,state=online,offset=42,lag=0\n"
      "role:duplicate\n"
      "last:no newline at the end";
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const std::pair<const char*, std::string> variants[] = {{"LF", lf}, {"CRLF", crlf}};
  for (const auto& [name, text] : variants) {
    INFO(name);
    auto info = Info::parse(text);
    CHECK(info.get("redis_version") == "7.2.4");
    CHECK(info.get("role") == "slave");  // the first of duplicate keys
    CHECK(info.get("master_host") == "::1");
    CHECK(info.get("last") == "no newline at the end");
    CHECK_FALSE(info.get("").has_value());
    CHECK(strings(info.keys_in("server")) == std::vector<std::string>{"redis_version"});
    CHECK(strings(info.keys_in("")) == std::vector<std::string>{"orphan"});
    CHECK(strings(info.keys_in("replication")) ==
          std::vector<std::string>{"role", "master_host", "slave0", "role", "last"});
    auto replica = server::parse_kv_list(*info.get("slave0"));
    CHECK(server::kv_get(replica, "ip") == "::1");
    CHECK(server::kv_get(replica, "lag") == "0");
    CHECK_FALSE(server::kv_get(replica, "missing").has_value());
  }
  CHECK(Info::parse("").empty());
  CHECK(Info::parse("\r\n\r\n# Server\r\n").empty());
  CHECK(Info::parse(std::string("k:v\0w\r\n", 7)).get("k") == std::string_view("v\0w", 3));
}

TEST_CASE("ops info: parse_kv_list keeps '=' inside values") {
  struct Case {
    const char* text;
    Pairs pairs;
  };
  const Case cases[] = {
      {"calls=2,usec=5", {{"calls", "2"}, {"usec", "5"}}},
      {"a=1,b==2,c=x=y", {{"a", "1"}, {"b", "=2"}, {"c", "x=y"}}},
      {"k=", {{"k", ""}}},
      {"", {}},
      {"no-equals,k=v", {{"k", "v"}}},
      {",,k=v,", {{"k", "v"}}},
      {"p50=1.003,p99=2.007,p99.9=2.007", {{"p50", "1.003"}, {"p99", "2.007"}, {"p99.9", "2.007"}}},
  };
  for (const auto& c : cases) {
    INFO("text: " << c.text);
    CHECK(server::parse_kv_list(c.text) == c.pairs);
  }
}

TEST_CASE("ops info: input beyond k_max_info_bytes is cut, not an error") {
  const std::string head = "# Server\r\nfirst:1\r\n";
  const std::string tail = "last:xyz";
  std::string text = head;
  // One long line without ':' (ignored) so that "last:xyz" ends exactly at the limit.
  text += std::string(server::k_max_info_bytes - head.size() - tail.size() - 2, 'x') + "\r\n" + tail;
  REQUIRE(text.size() == server::k_max_info_bytes);

  auto at_limit = Info::parse(text);
  CHECK(at_limit.get("first") == "1");
  CHECK(at_limit.get("last") == "xyz");

  auto one_more = Info::parse(text + "w");
  CHECK(one_more.get("last") == "xyz");  // the byte past the limit is dropped

  auto beyond = Info::parse(text + "\r\nafter:1\r\n");
  CHECK(beyond.get("last") == "xyz");
  CHECK_FALSE(beyond.get("after").has_value());
}

TEST_CASE("ops info: fields beyond k_max_info_fields are dropped") {
  std::string text = "# Stats\r\n";
  for (std::size_t i = 0; i <= server::k_max_info_fields; ++i) text += "k" + std::to_string(i) + ":1\r\n";
  // Exactly the limit: every field kept.
  auto cut_at = text.find("k" + std::to_string(server::k_max_info_fields) + ":");
  auto at_limit = Info::parse(std::string_view(text).substr(0, cut_at));
  CHECK(at_limit.keys_in("stats").size() == server::k_max_info_fields);
  CHECK(at_limit.integer("k" + std::to_string(server::k_max_info_fields - 1)) == 1);
  // One more: the extra field is dropped.
  auto over = Info::parse(text);
  CHECK(over.keys_in("stats").size() == server::k_max_info_fields);
  CHECK_FALSE(over.get("k" + std::to_string(server::k_max_info_fields)).has_value());
}
