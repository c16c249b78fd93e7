#include "resp/writer.hpp"
#include "resp_support.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace std::string_literals;
using namespace rctl::resp;
using namespace rctl::resp::test;

namespace {

// What a server would parse: the encoding read back as one value, nothing left over.
Value read_back(std::string_view wire) {
  const Outcome got = run_whole(wire);
  REQUIRE_FALSE(got.error.has_value());
  REQUIRE(got.values.size() == 1);
  CHECK(got.buffered == 0);
  return got.values[0];
}

}  // namespace

TEST_CASE("resp writer: exact encoding of a command") {
  const std::vector<std::string> args = {"SET", "key", "value"};
  CHECK(encode_command(args) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
  CHECK(encode_command(std::vector<std::string>{}) == "*0\r\n");
}

TEST_CASE("resp writer: binary-safe arguments round-trip through the reader") {
  const std::vector<std::string> args = {
      "SET", "k\0ey"s, "line1\r\nline2\r\n", "", "\xff\xfe\x80\x00\x7f"s, "$3\r\n*1\r\n", std::string(70000, 'x'),
  };
  const Value got = read_back(encode_command(args));
  REQUIRE(got.type == Type::array);
  REQUIRE(got.elements.size() == args.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    INFO("argument " << i);
    CHECK(same(got.elements[i], bulk(args[i])));
  }
}

TEST_CASE("resp writer: append_command appends, for pipelining") {
  std::string out = "*1\r\n$4\r\nPING\r\n";
  append_command(out, {"GET", "a\r\nb"});
  const std::vector<std::string> third = {"DEL", ""};
  append_command(out, third);
  const Outcome got = run_whole(out);
  REQUIRE_FALSE(got.error.has_value());
  REQUIRE(got.values.size() == 3);
  CHECK(same(got.values[0], array({bulk("PING")})));
  CHECK(same(got.values[1], array({bulk("GET"), bulk("a\r\nb")})));
  CHECK(same(got.values[2], array({bulk("DEL"), bulk("")})));
}
