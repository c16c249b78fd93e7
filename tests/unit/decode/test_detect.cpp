#include "decode/detect.hpp"

#include "decode/bytes.hpp"
#include "decode/pickle/writer.hpp"
#include "decode/zlib_inflate.hpp"

#include "decode_fixtures.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl::decode;
using rctl::test::bytes_of;
using rctl::test::read_fixture;
using Json = nlohmann::ordered_json;

namespace {

DecodedValue auto_of(const std::string& bytes) {
  auto r = decode(bytes);
  REQUIRE(r);  // auto mode never fails
  return std::move(*r);
}

}  // namespace

TEST_CASE("detect: table of values and what they are", "[decode][detect]") {
  struct Case {
    std::string bytes;
    Format format;
  };
  const Case cases[] = {
      {"", Format::empty},
      {bytes_of("\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x2a."), Format::pickle},
      {read_fixture("pickle/flask_session.p4.bin"), Format::pickle},
      {read_fixture("pickle/flask_session.p0.bin"), Format::pickle},
      {read_fixture("pickle/flask_session.p1.bin"), Format::pickle},
      {read_fixture("pickle/rq_job_data.zlib.bin"), Format::zlib},
      {R"({"a": 1})", Format::json},
      {" [1, 2] ", Format::json},
      {R"("quoted")", Format::json},
      {"5", Format::json},  // django-redis stores ints raw
      {"-1.5e3", Format::json},
      {"true", Format::utf8_text},
      {"null", Format::utf8_text},
      {"hello world", Format::utf8_text},
      {"{not json", Format::utf8_text},
      {"(note).", Format::utf8_text},
      {"x^ looks like a zlib header", Format::utf8_text},
      {"1.2.3", Format::utf8_text},
      {read_fixture("msgpack/flask_session.bin"), Format::msgpack},
      {bytes_of("\x93\x01\x02\x03"), Format::msgpack},
      {bytes_of("\x93\x01\x02\x03\x04"), Format::binary},  // trailing byte: not one msgpack object
      {bytes_of("\x2a"), Format::utf8_text},  // a msgpack int alone is not trusted
      {bytes_of("\xff\xfe\x00\x01"), Format::binary},
      {bytes_of("\x80\x05garbage"), Format::binary},
      {"h\xc3\xa9llo", Format::utf8_text},
  };
  for (const auto& c : cases) {
    INFO(escape_for_terminal(c.bytes.substr(0, 40)));
    CHECK(to_string(detect(c.bytes)) == std::string(to_string(c.format)));
  }
}

TEST_CASE("decode auto: RQ job data is inflated, then read as pickle", "[decode][detect]") {
  const DecodedValue v = auto_of(read_fixture("pickle/rq_job_data.zlib.bin"));
  CHECK(v.format == Format::pickle);
  CHECK(v.compressed);
  CHECK(v.note.starts_with("zlib-compressed, "));
  CHECK(v.note.ends_with(" bytes inflated; pickle protocol 5"));
  REQUIRE(v.data);
  CHECK(*v.data == Json::parse(R"(["builtins.print", null, ["hello", 42], {"sep": "-"}])"));
}

TEST_CASE("decode auto: what rctl's own writer produces is read back", "[decode][detect]") {
  const auto job = encode_rq_job_data("os.getcwd", Json::array(), Json::object());
  const DecodedValue v = auto_of(deflate(*job));
  CHECK(v.format == Format::pickle);
  CHECK(*v.data == Json::parse(R"(["os.getcwd", null, [], {}])"));
}

TEST_CASE("decode auto: sessions in every format Flask-Session has used", "[decode][detect]") {
  const Json pickled = *auto_of(read_fixture("pickle/flask_session.p4.bin")).data;
  CHECK(pickled["user_id"] == 42);
  CHECK(pickled["last_seen"] == "2026-11-22T03:12:29.967737+00:00");
  const DecodedValue packed = auto_of(read_fixture("msgpack/flask_session.bin"));
  CHECK(packed.format == Format::msgpack);
  CHECK((*packed.data)["roles"] == Json::parse(R"(["a", "b"])"));
  const DecodedValue text = auto_of(R"({"_permanent": true})");
  CHECK(text.format == Format::json);
}

TEST_CASE("decode auto: undecodable values fall back with a note", "[decode][detect]") {
  SECTION("broken pickle") {
    const DecodedValue v = auto_of(bytes_of("\x80\x04K"));
    CHECK(v.format == Format::binary);
    CHECK(v.note == "not valid pickle: truncated");
    CHECK(*v.data == Json::parse(R"({"base64": "gARL"})"));
  }
  SECTION("broken zlib") {
    const DecodedValue v = auto_of(bytes_of("\x78\x9c\x01\x02\x03"));
    CHECK(v.format == Format::binary);
    CHECK(v.note.starts_with("not valid zlib: "));
  }
  SECTION("zlib bomb") {
    DecodeLimits small;
    small.max_inflated_bytes = 1000;
    auto v = decode(deflate(std::string(5000, 'a')), Mode::auto_detect, small);
    REQUIRE(v);
    CHECK(v->note == "not valid zlib: inflated size exceeds 1000 bytes");
    CHECK_FALSE(v->compressed);
  }
  SECTION("broken JSON") {
    const DecodedValue v = auto_of("{\"a\": ");
    CHECK(v.format == Format::utf8_text);
    CHECK(v.note.starts_with("not valid JSON: syntax error"));
    CHECK(*v.data == "{\"a\": ");
  }
  SECTION("deep JSON is text, not a crash later") {
    const DecodedValue v = auto_of(std::string(100000, '[') + std::string(100000, ']'));
    CHECK(v.format == Format::utf8_text);
    CHECK(v.note == "not valid JSON: too deep (more than 128 levels)");
  }
  SECTION("compressed twice: only one layer is undone") {
    const DecodedValue v = auto_of(deflate(deflate("{}")));
    CHECK(v.format == Format::zlib);
    CHECK(v.compressed);
    CHECK(v.note.ends_with("zlib-compressed again; inner layer not inflated"));
  }
  SECTION("inflated text") {
    const DecodedValue v = auto_of(deflate("plain words"));
    CHECK(v.format == Format::utf8_text);
    CHECK(v.compressed);
    CHECK(*v.data == "plain words");
  }
}

TEST_CASE("decode: forced modes", "[decode][detect]") {
  const std::string pickled = read_fixture("pickle/rq_job_tuple.p5.bin");
  SECTION("pickle, also through zlib") {
    CHECK(decode(pickled, Mode::pickle)->format == Format::pickle);
    auto z = decode(deflate(pickled), Mode::pickle);
    REQUIRE(z);
    CHECK(z->compressed);
    CHECK(*z->data == *decode(pickled, Mode::pickle)->data);
  }
  SECTION("a forced format that does not match is an error") {
    auto e = decode("zzz", Mode::pickle);
    REQUIRE_FALSE(e);
    CHECK(e.error().kind == rctl::ErrorKind::protocol);
    CHECK(e.error().message == "value is not valid pickle: unknown opcode 0x7a at offset 0");
    CHECK(decode(pickled, Mode::json).error().message == "value is not valid json: syntax error at byte 0");
    CHECK(decode(bytes_of("\x91\x01\x02"), Mode::msgpack).error().message ==
          "value is not valid msgpack: 1 trailing bytes");
    CHECK(decode("", Mode::msgpack).error().message == "value is not valid msgpack: truncated");
  }
  SECTION("json and msgpack") {
    CHECK(*decode("true", Mode::json)->data == true);  // forced: even a bare word
    CHECK(*decode(bytes_of("\x2a"), Mode::msgpack)->data == 42);
  }
  SECTION("raw, hex and base64 never decode or inflate") {
    const std::string z = deflate("abc");
    CHECK(*decode(z, Mode::raw)->data == Json::parse(R"({"base64": ")" + base64_encode(z) + "\"}"));
    CHECK(decode(z, Mode::raw)->format == Format::binary);
    CHECK(*decode("abc", Mode::raw)->data == "abc");
    CHECK(decode("abc", Mode::raw)->format == Format::utf8_text);
    CHECK(*decode(bytes_of("\x00\xff"), Mode::hex)->data == "00ff");
    CHECK(*decode(bytes_of("\x00\xff"), Mode::base64)->data == "AP8=");
    CHECK_FALSE(decode("", Mode::hex)->data.has_value());
  }
}

TEST_CASE("decode: mode names", "[decode][detect]") {
  for (const auto mode :
       {Mode::auto_detect, Mode::raw, Mode::json, Mode::pickle, Mode::msgpack, Mode::hex, Mode::base64}) {
    CHECK(parse_mode(to_string(mode)).value() == mode);
  }
  auto bad = parse_mode("yaml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == rctl::ErrorKind::usage);
  CHECK(bad.error().message == "unknown decode mode 'yaml' (expected auto, raw, json, pickle, msgpack, hex or base64)");
  CHECK(parse_mode("\x1b[2J").error().message.starts_with("unknown decode mode '\\x1b[2J'"));
}

TEST_CASE("decode: every result dumps as valid JSON", "[decode][detect]") {
  const std::string samples[] = {
      bytes_of("\xff\xfe"),
      "S'\\xff'\n.",
      bytes_of("\x80\x04\x8c\x01\xff."),
      bytes_of("\xa2\xc3\x28"),
      bytes_of("\x81\xa1\xff\x01"),
      deflate(bytes_of("\xff")),
      "V\\ud800\n.",
  };
  for (const auto& s : samples) {
    INFO(to_hex(s));
    auto v = decode(s);
    REQUIRE(v);
    REQUIRE(v->data);
    CHECK_NOTHROW(v->data->dump());
  }
}
