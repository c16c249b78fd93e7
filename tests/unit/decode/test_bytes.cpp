#include "decode/bytes.hpp"

#include "decode_fixtures.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl::decode;
using rctl::test::bytes_of;
using Json = nlohmann::ordered_json;

TEST_CASE("bytes: UTF-8 validation", "[decode][bytes]") {
  struct Case {
    std::string bytes;
    bool valid;
  };
  const Case cases[] = {
      {"", true},
      {"plain ascii", true},
      {"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80", true},
      {bytes_of("nul\x00inside"), true},
      {"\xf4\x8f\xbf\xbf", true},  // U+10FFFF
      {"\xed\x9f\xbf", true},  // U+D7FF
      {"\xee\x80\x80", true},  // U+E000
      {"\x80", false},  // lone continuation
      {"\xc3", false},  // truncated
      {"\xe2\x9c", false},  // truncated
      {"\xc0\xaf", false},  // overlong '/'
      {"\xc1\xbf", false},  // overlong
      {"\xe0\x80\xaf", false},  // overlong
      {"\xf0\x80\x80\xaf", false},  // overlong
      {"\xed\xa0\x80", false},  // surrogate U+D800
      {"\xed\xbf\xbf", false},  // surrogate U+DFFF
      {"\xf4\x90\x80\x80", false},  // above U+10FFFF
      {"\xf5\x80\x80\x80", false},
      {"\xff", false},
      {"ok\xc3\xa9\xc3", false},
  };
  for (const auto& c : cases) {
    INFO(to_hex(c.bytes));
    CHECK(is_valid_utf8(c.bytes) == c.valid);
  }
}

TEST_CASE("bytes: repair_utf8 replaces each bad byte", "[decode][bytes]") {
  CHECK(repair_utf8("ok") == "ok");
  CHECK(repair_utf8("a\xff"
                    "b") ==
        "a\xef\xbf\xbd"
        "b");
  CHECK(repair_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(is_valid_utf8(repair_utf8("\xc3\x28\xe2\x28\xa1\xf0\x28\x8c\xbc")));
}

TEST_CASE("bytes: escape_for_terminal", "[decode][bytes]") {
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"plain text", "plain text"},
      {"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80", "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80"},
      {"\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"},
      {"a\r\nb\tc", "a\\r\\nb\\tc"},
      {bytes_of("nul\x00"), "nul\\x00"},
      {"del\x7f", "del\\x7f"},
      {"bell\x07", "bell\\x07"},
      {"back\\slash", "back\\\\slash"},
      {"\xc2\x85next line", "\\u{85}next line"},  // C1 NEL
      {"\xc2\x9b"
       "31m",
       "\\u{9b}31m"},  // C1 CSI
      {"\xc2\xa0nbsp", "\xc2\xa0nbsp"},  // U+00A0 is printable
      {"x\xe2\x80\xa8y\xe2\x80\xa9", "x\\u{2028}y\\u{2029}"},
      {"\xe2\x80\xae"
       "evil",
       "\\u{202e}evil"},  // RIGHT-TO-LEFT OVERRIDE
      {"\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "\\u{202a}\\u{202b}\\u{202c}\\u{202d}"},
      {"\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", "\\u{2066}\\u{2067}\\u{2068}\\u{2069}"},
      {"bad\xff\xfe", "bad\\xff\\xfe"},
      {"\xc3", "\\xc3"},
      {"\xed\xa0\x80", "\\xed\\xa0\\x80"},
  };
  for (const auto& c : cases) {
    INFO(to_hex(c.in));
    CHECK(escape_for_terminal(c.in) == c.out);
  }
  // Nothing below 0x20 or DEL ever survives.
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (const char ch : escape_for_terminal(all)) {
    const auto b = static_cast<unsigned char>(ch);
    CHECK((b >= 0x20 && b != 0x7f));
  }
}

TEST_CASE("bytes: hex", "[decode][bytes]") {
  CHECK(to_hex("") == "");
  CHECK(to_hex(bytes_of("\x00\x01\xab\xff")) == "0001abff");
}

TEST_CASE("bytes: base64 round trips and RFC 4648 vectors", "[decode][bytes]") {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_encode(plain) == encoded);
    auto back = base64_decode(encoded);
    REQUIRE(back);
    CHECK(*back == plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 7) {
    const std::string part = all.substr(0, n);
    CHECK(base64_decode(base64_encode(part)).value() == part);
    CHECK(base64_decode(base64_encode(part, Base64Alphabet::url_safe, false), Base64Alphabet::url_safe).value() ==
          part);
  }
  CHECK(base64_encode(bytes_of("\xfb\xff"), Base64Alphabet::standard) == "+/8=");
  CHECK(base64_encode(bytes_of("\xfb\xff"), Base64Alphabet::url_safe) == "-_8=");
  CHECK(base64_encode(bytes_of("\xfb\xff"), Base64Alphabet::url_safe, false) == "-_8");
  // The Flask-Session signature from formats.md §2.2 decodes as url-safe without padding.
  CHECK(base64_decode("9hCOm2Wn75C8TExsthOboQV5Z7c", Base64Alphabet::url_safe).value().size() == 20);
}

TEST_CASE("bytes: base64 rejects malformed text", "[decode][bytes]") {
  const std::string bad[] = {"Zg", "Zg=", "Z===", "Zm9v\n", "Zm 9v", "Zm9v!", "=Zm9", "Zg==Zg==", "-_8="};
  for (const auto& text : bad) {
    INFO(text);
    auto r = base64_decode(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == rctl::ErrorKind::protocol);
  }
  CHECK_FALSE(base64_decode("+/8=", Base64Alphabet::url_safe));
  CHECK_FALSE(base64_decode("Z", Base64Alphabet::url_safe));
  CHECK(base64_decode("Zg", Base64Alphabet::url_safe).value() == "f");
  CHECK(base64_decode("Zh==").value() == "f");  // unused low bits ignored, as Python does
}

TEST_CASE("bytes: json_bytes and tagged_bytes", "[decode][bytes]") {
  CHECK(json_bytes("text") == Json("text"));
  CHECK(json_bytes("") == Json(""));
  CHECK(json_bytes(bytes_of("\xff\x00")) == Json::parse(R"({"base64": "/wA="})"));
  CHECK(tagged_bytes("ab") == Json::parse(R"({"$bytes": "YWI="})"));
  CHECK_NOTHROW(json_bytes("\xc3").dump());
}
