#include "resp/value.hpp"
#include "resp_support.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <set>
#include <string>

using namespace std::string_literals;
using namespace rctl::resp;
using namespace rctl::resp::test;

TEST_CASE("resp value: to_string names every type distinctly") {
  std::set<std::string> names;
  for (int t = 0; t <= static_cast<int>(Type::push); ++t) names.insert(to_string(static_cast<Type>(t)));
  CHECK(names.size() == static_cast<std::size_t>(Type::push) + 1);
  CHECK(std::string(to_string(Type::bulk_string)) == "bulk string");
  CHECK(std::string(to_string(Type::map)) == "map");
}

TEST_CASE("resp value: debug_string of scalars") {
  CHECK(debug_string(simple("OK")) == R"("OK")");
  CHECK(debug_string(bulk("")) == R"("")");
  CHECK(debug_string(integer(-42)) == "-42");
  CHECK(debug_string(Value::nil()) == "null");
  CHECK(debug_string(boolean(true)) == "true");
  CHECK(debug_string(boolean(false)) == "false");
  CHECK(debug_string(number(3.14)) == "3.14");
  CHECK(debug_string(number(-std::numeric_limits<double>::infinity())) == "-inf");
  CHECK(debug_string(error("ERR no")) == R"((error) "ERR no")");
  CHECK(debug_string(verbatim("txt", "hi")) == R"((txt) "hi")");
  CHECK(debug_string(big("-123")) == R"((big number) "-123")");
}

TEST_CASE("resp value: debug_string escapes control bytes, quotes and non-ASCII") {
  CHECK(debug_string(bulk("a\n\0\xff\"\\\x7f"s)) == R"("a\x0a\x00\xff\"\\\x7f")");
  CHECK(debug_string(verbatim("\r\n\x1b", "x")) == R"((\x0d\x0a\x1b) "x")");
}

TEST_CASE("resp value: debug_string abbreviates long strings and aggregates") {
  CHECK(debug_string(bulk(std::string(1000, 'a'))) == "\"" + std::string(64, 'a') + "\"... (+936 bytes)");

  std::vector<Value> items;
  for (int i = 0; i < 100; ++i) items.push_back(integer(i));
  CHECK(debug_string(array(items)) == "[0, 1, 2, 3, 4, 5, 6, 7, ... (+92 more)]");
  CHECK(debug_string(set({integer(1)})) == "~[1]");
  CHECK(debug_string(push({simple("message")})) == R"(>["message"])");

  std::vector<Value> flat;
  for (int i = 0; i < 10; ++i) {
    flat.push_back(integer(i));
    flat.push_back(bulk("v"));
  }
  CHECK(debug_string(map({simple("a"), integer(1)})) == R"({"a": 1})");
  CHECK(debug_string(map(flat)) ==
        R"({0: "v", 1: "v", 2: "v", 3: "v", 4: "v", 5: "v", 6: "v", 7: "v", ... (+2 more)})");
}

TEST_CASE("resp value: debug_string output is one bounded line") {
  // 4096 strings of 1000 newlines: 16 MB if rendered in full.
  Value v = bulk(std::string(1000, '\n'));
  for (int level = 0; level < 4; ++level) v = array(std::vector<Value>(8, v));
  const std::string s = debug_string(v);
  CHECK(s.size() < 1024);
  CHECK(s.find('\n') == std::string::npos);
  CHECK(s.substr(s.size() - 3) == "...");

  Value deep = integer(1);
  for (int level = 0; level < 100; ++level) deep = array({deep});
  const std::string d = debug_string(deep);
  CHECK(d.size() < 1024);
  CHECK(d.find("[...]") != std::string::npos);
}
