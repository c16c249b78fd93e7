// Rendering of `rctl call` replies: every RESP3 type readable, JSON valid on binary data, raw
// bytes exact.
#include "call/render.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using rctl::resp::Type;
using rctl::resp::Value;
using namespace rctl::call;

namespace {

Value call_typed_value(Type t, std::string s = {}) {
  Value v{t};
  v.str = std::move(s);
  return v;
}

Value call_map_of(std::vector<Value> kv) { return Value::list(std::move(kv), Type::map); }

using CallLines = std::vector<std::string>;

}  // namespace

TEST_CASE("call render: scalars as redis-cli shows them") {
  CHECK(reply_lines(Value::simple("OK")) == CallLines{"OK"});
  CHECK(reply_lines(Value::bulk("a \"b\"")) == CallLines{R"("a \"b\"")"});
  CHECK(reply_lines(Value::integer_reply(-3)) == CallLines{"(integer) -3"});
  CHECK(reply_lines(Value::nil()) == CallLines{"(nil)"});
  CHECK(reply_lines(Value::error_reply("ERR x")) == CallLines{"(error) ERR x"});
  Value b{Type::boolean};
  b.integer = 1;
  CHECK(reply_lines(b) == CallLines{"(true)"});
  Value d{Type::double_number};
  d.number = 1.5;
  CHECK(reply_lines(d) == CallLines{"(double) 1.5"});
  d.number = -std::numeric_limits<double>::infinity();
  CHECK(reply_lines(d) == CallLines{"(double) -inf"});
  CHECK(reply_lines(call_typed_value(Type::big_number, "123456789012345678901234567890")) ==
        CallLines{"(big number) 123456789012345678901234567890"});
}

TEST_CASE("call render: control bytes and invalid UTF-8 are escaped in human output") {
  CHECK(reply_lines(Value::bulk(std::string("a\x1b[31m\xff\n", 8))) == CallLines{R"("a\x1b[31m\xff\n")"});
  CHECK(reply_lines(Value::bulk("back\\slash")) == CallLines{R"("back\\slash")"});
}

TEST_CASE("call render: verbatim strings are shown as their lines") {
  Value v = call_typed_value(Type::verbatim_string, "# Server\r\nredis_version:7.0\r\n");
  v.format = "txt";
  CHECK(reply_lines(v) == CallLines{"# Server", "redis_version:7.0"});
}

TEST_CASE("call render: nested aggregates are numbered and indented") {
  auto inner = Value::list({Value::bulk("a"), Value::bulk("b")});
  auto outer = Value::list({inner, Value::integer_reply(2)});
  CHECK(reply_lines(outer) == CallLines{R"(1) 1) "a")", R"(   2) "b")", "2) (integer) 2"});
  CHECK(reply_lines(Value::list({}, Type::set)) == CallLines{"(empty set)"});
  CHECK(reply_lines(Value::list({Value::bulk("x")}, Type::set)) == CallLines{R"(1~ "x")"});
  CHECK(reply_lines(call_map_of({Value::bulk("k"), Value::integer_reply(1)})) == CallLines{R"(1# "k" => (integer) 1)"});
}

TEST_CASE("call render: JSON keeps types and stays valid on binary data") {
  CHECK(reply_json(Value::bulk("text")) == "text");
  CHECK(reply_json(Value::bulk(std::string("\xff\x00", 2))) == nlohmann::ordered_json{{"base64", "/wA="}});
  CHECK(reply_json(Value::integer_reply(7)) == 7);
  CHECK(reply_json(Value::nil()).is_null());
  Value d{Type::double_number};
  d.number = std::nan("");
  CHECK(reply_json(d) == "nan");
  d.number = 0.25;
  CHECK(reply_json(d) == 0.25);
  CHECK(reply_json(call_typed_value(Type::big_number, "99999999999999999999")) == "99999999999999999999");
  auto m = reply_json(call_map_of({Value::bulk("a"), Value::integer_reply(1), Value::bulk("b"), Value::nil()}));
  CHECK(m.dump() == R"({"a":1,"b":null})");
  // A binary key cannot be a JSON object key: the map becomes a list of pairs.
  auto pairs = reply_json(call_map_of({Value::bulk(std::string("\xff", 1)), Value::integer_reply(1)}));
  CHECK(pairs.dump() == R"([[{"base64":"/w=="},1]])");
  CHECK(reply_json(Value::list({Value::error_reply("ERR no")})).dump() == R"([{"error":"ERR no"}])");
  CHECK(type_name(call_typed_value(Type::verbatim_string)) == "verbatim_string");
}

TEST_CASE("call render: raw output is the exact bytes") {
  std::string binary("\x00\xff\r\n", 4);
  CHECK(reply_raw(Value::bulk(binary)) == binary);
  CHECK(reply_raw(Value::integer_reply(12)) == "12");
  CHECK(reply_raw(Value::nil()).empty());
  CHECK(reply_raw(Value::list({Value::bulk("a"), Value::integer_reply(1)})) == "a\n1\n");
}

TEST_CASE("call render: an attribute is shown before the value it annotates") {
  auto v = Value::bulk("x");
  v.attributes = {Value::simple("ttl"), Value::integer_reply(3)};
  CHECK(reply_lines(v) == CallLines{"(attribute) 1# ttl => (integer) 3", R"("x")"});
  CHECK(reply_json(v) == "x");  // the JSON of the value itself; render_call adds "attributes"
}
