#include "decode/msgpack_reader.hpp"

#include "decode_fixtures.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl::decode;
using rctl::test::bytes_of;
using rctl::test::read_fixture;
using Json = nlohmann::ordered_json;

namespace {

Json value_of(const std::string& bytes, const MsgpackLimits& limits = {}) {
  auto r = read_msgpack(bytes, limits);
  if (!r) FAIL("unexpected error: " << r.error().message);
  return r->value;
}

std::string error_of(const std::string& bytes, const MsgpackLimits& limits = {}) {
  auto r = read_msgpack(bytes, limits);
  if (r) FAIL("expected an error, got " << r->value.dump());
  CHECK(r.error().kind == rctl::ErrorKind::protocol);
  return r.error().message;
}

std::string be32(std::uint32_t v) {
  std::string out;
  for (int i = 3; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

}  // namespace

TEST_CASE("msgpack reader: python3-msgpack fixtures", "[decode][msgpack]") {
  for (const std::string name :
       {"flask_session", "ints", "floats", "float32", "strings", "bins", "exts", "nested", "non_string_keys"}) {
    INFO(name);
    const std::string bytes = read_fixture("msgpack/" + name + ".bin");
    auto r = read_msgpack(bytes);
    REQUIRE(r);
    CHECK(r->value == Json::parse(read_fixture("msgpack/" + name + ".json")));
    CHECK(r->complete);
    CHECK(r->consumed == bytes.size());
    CHECK_NOTHROW(r->value.dump());
    // Every strict prefix is an error, never a crash.
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      INFO("cut at " << n);
      REQUIRE_FALSE(read_msgpack(std::string_view(bytes).substr(0, n)));
    }
  }
}

TEST_CASE("msgpack reader: formats.md Flask-Session example", "[decode][msgpack]") {
  CHECK(value_of(bytes_of("\x82\xaa_permanent\xc3\xa7user_id\x2a")) ==
        Json::parse(R"({"_permanent": true, "user_id": 42})"));
}

TEST_CASE("msgpack reader: 32-bit length forms", "[decode][msgpack]") {
  const std::string big(70000, 'z');
  CHECK(value_of("\xdb" + be32(70000) + big) == big);
  CHECK(value_of("\xc6" + be32(3) + "abc") == Json::parse(R"({"$bytes": "YWJj"})"));
  CHECK(value_of("\xc9" + be32(2) + "\x05xy") == Json::parse(R"({"$ext": 5, "data": "eHk="})"));
  CHECK(value_of(bytes_of("\xd4\x80\x00")) == Json::parse(R"({"$ext": -128, "data": "AA=="})"));
  CHECK(value_of("\xdd" + be32(70000) + std::string(70000, '\x01')).size() == 70000);
  CHECK(value_of("\xdf" + be32(2) + "\x01\x02\x03\x04") == Json::parse(R"({"1": 2, "3": 4})"));
  CHECK(value_of("\xdc" + std::string("\x00\x02", 2) + "\xc0\xc2") == Json::parse("[null, false]"));
}

TEST_CASE("msgpack reader: trailing bytes", "[decode][msgpack]") {
  CHECK(error_of(bytes_of("\x81\xa1k\x01\x00")) == "msgpack: 1 trailing bytes");
  CHECK(error_of(bytes_of("\x90garbage")) == "msgpack: 7 trailing bytes");
  auto allowed = read_msgpack(bytes_of("\x90garbage"), {}, Trailing::allow);
  REQUIRE(allowed);
  CHECK(allowed->value == Json::array());
  CHECK(allowed->consumed == 1);
  CHECK_FALSE(allowed->complete);
}

TEST_CASE("msgpack reader: malformed input", "[decode][msgpack]") {
  CHECK(error_of("") == "msgpack: truncated");
  CHECK(error_of("\xc1") == "msgpack: invalid data at offset 0");
  CHECK(error_of(bytes_of("\x92\x01\xc1")) == "msgpack: invalid data at offset 2");
  CHECK(error_of(bytes_of("\x92\x01")) == "msgpack: truncated");
  CHECK(error_of(bytes_of("\xa5"
                          "abc")) == "msgpack: truncated");
  CHECK(error_of(bytes_of("\xc9\xff\xff\xff\xff\x01")).starts_with("msgpack: "));  // ext32 of 4 GiB
  CHECK(value_of(bytes_of("\xa2\xc3\x28")) == "\xef\xbf\xbd(");  // invalid UTF-8 str repaired
}

TEST_CASE("msgpack reader: huge declared lengths allocate nothing", "[decode][msgpack]") {
  CHECK(error_of("\xdd" + be32(0xffffffff)) == "msgpack: declared 4294967295 array elements cannot fit in 5 bytes");
  CHECK(error_of("\xdf" + be32(0xffffffff)) == "msgpack: declared 4294967295 map entries cannot fit in 5 bytes");
  CHECK(error_of("\xdb" + be32(0xfffffff0)) == "msgpack: truncated");
  CHECK(error_of("\xc6" + be32(0xfffffff0)) == "msgpack: truncated");
  // Nested headers each claiming a million elements: the sum is checked, not each one.
  std::string nested;
  for (int i = 0; i < 50; ++i) nested += "\xdd" + be32(1000000);
  CHECK(error_of(nested).starts_with("msgpack: declared 1000000 array elements cannot fit"));
  // Exactly as many elements as bytes is fine.
  CHECK(value_of(bytes_of("\x93\x01\x02\x03")) == Json::parse("[1, 2, 3]"));
}

TEST_CASE("msgpack reader: limits at the limit and one past it", "[decode][msgpack][limits]") {
  SECTION("depth") {
    const std::size_t d = k_msgpack_max_depth;
    CHECK(value_of(std::string(d, '\x91') + "\xc0").is_array());
    CHECK(error_of(std::string(d + 1, '\x91') + "\xc0") == "msgpack: too deep (more than 128 levels)");
    CHECK(error_of(std::string(100000, '\x91') + "\xc0") == "msgpack: too deep (more than 128 levels)");
  }
  SECTION("elements") {
    const std::size_t n = k_msgpack_max_elements;
    CHECK(value_of("\xdd" + be32(static_cast<std::uint32_t>(n - 1)) + std::string(n - 1, '\xc0')).size() == n - 1);
    CHECK(error_of("\xdd" + be32(static_cast<std::uint32_t>(n)) + std::string(n, '\xc0')) ==
          "msgpack: more than 1000000 elements");
  }
  SECTION("bytes of structured keys") {
    CHECK(MsgpackLimits{}.max_key_bytes == k_msgpack_max_key_bytes);
    // Keys b"" and b"a" become {"$bytes":""} and {"$bytes":"YQ=="}: 13 + 17 bytes of text.
    // Integer keys cost nothing.
    const std::string keys = bytes_of(
        "\x83\xc4\x00\xc0\xc4\x01"
        "a\xc0\x07\xc0");
    MsgpackLimits small;
    small.max_key_bytes = 30;
    CHECK(value_of(keys, small).size() == 3);
    small.max_key_bytes = 29;
    CHECK(error_of(keys, small) == "msgpack: structured map keys longer than 29 bytes in total");
    // Maps as keys of maps as keys...: the text would double at every level.
    // K0 = "\"", K(n+1) = {K(n): nil}; the value is {K60: nil}.
    const std::string nested = std::string(61, '\x81') + "\xa1\x22" + std::string(61, '\xc0');
    CHECK(error_of(nested) == "msgpack: structured map keys longer than 1048576 bytes in total");
  }
  SECTION("input size") {
    const std::size_t n = k_msgpack_max_input_bytes;
    const std::string at = "\xdb" + be32(static_cast<std::uint32_t>(n - 5)) + std::string(n - 5, 'x');
    CHECK(value_of(at).is_string());
    CHECK(error_of(at + "x") == "msgpack: input larger than 67108864 bytes");
  }
}
