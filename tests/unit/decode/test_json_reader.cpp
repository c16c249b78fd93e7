#include "decode/json_reader.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl::decode;
using Json = nlohmann::ordered_json;

namespace {

std::string error_of(const std::string& text, const JsonLimits& limits = {}) {
  auto r = read_json(text, limits);
  if (r) FAIL("expected an error, got " << r->dump());
  CHECK(r.error().kind == rctl::ErrorKind::protocol);
  return r.error().message;
}

}  // namespace

TEST_CASE("json reader: values, order and duplicate keys", "[decode][json]") {
  CHECK(read_json(R"( {"z": 1, "a": [true, null, 1.5, -2, 18446744073709551615, "s"], "m": {}} )").value().dump() ==
        R"({"z":1,"a":[true,null,1.5,-2,18446744073709551615,"s"],"m":{}})");
  CHECK(read_json(R"({"a": 1, "b": 2, "a": 3})").value().dump() == R"({"a":3,"b":2})");
  CHECK(read_json(R"("caf\u00e9")").value() == "caf\xc3\xa9");
  CHECK(read_json("42").value() == 42);
  CHECK(read_json("[]").value() == Json::array());
}

TEST_CASE("json reader: many keys insert in linear time", "[decode][json]") {
  // 200k distinct keys plus a duplicate of the first: quadratic insertion would take minutes.
  std::string text = "{";
  for (int i = 0; i < 200000; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  text += "\"k0\":-1}";
  auto r = read_json(text);
  REQUIRE(r);
  CHECK(r->size() == 200000);
  CHECK(r->begin().key() == "k0");
  CHECK((*r)["k0"] == -1);
}

TEST_CASE("json reader: malformed input", "[decode][json]") {
  CHECK(error_of("") == "json: syntax error at byte 0");
  CHECK(error_of("[1,]").starts_with("json: syntax error at byte"));
  CHECK(error_of("{\"a\":1} x").starts_with("json: syntax error"));
  CHECK(error_of("\"\xff\"").starts_with("json: syntax error"));  // invalid UTF-8 in a string
  CHECK(error_of("NaN").starts_with("json: syntax error"));
  CHECK(error_of("1e999").starts_with("json: syntax error"));
  CHECK(error_of("// c\n1").starts_with("json: syntax error"));
}

TEST_CASE("json reader: limits at the limit and one past it", "[decode][json][limits]") {
  SECTION("depth") {
    const std::size_t d = k_json_max_depth;
    CHECK(read_json(std::string(d, '[') + std::string(d, ']')));
    CHECK(error_of(std::string(d + 1, '[') + std::string(d + 1, ']')) == "json: too deep (more than 128 levels)");
    CHECK(error_of(std::string(1000000, '[')) == "json: too deep (more than 128 levels)");
  }
  SECTION("elements") {
    const std::size_t n = k_json_max_elements;
    std::string at = "[0";
    for (std::size_t i = 2; i < n; ++i) at += ",0";
    at += "]";  // the array and n - 1 zeros
    CHECK(read_json(at).value().size() == n - 1);
    at.insert(1, "0,");
    CHECK(error_of(at) == "json: more than 1000000 elements");
  }
  SECTION("input size") {
    const std::size_t n = k_json_max_input_bytes;
    std::string at = "\"" + std::string(n - 2, 'x') + "\"";
    CHECK(read_json(at).value().get_ref<const std::string&>().size() == n - 2);
    at += " ";
    CHECK(error_of(at) == "json: input larger than 67108864 bytes");
  }
}
