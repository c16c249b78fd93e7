#include "decode/zlib_inflate.hpp"

#include "decode_fixtures.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl::decode;
using rctl::test::bytes_of;
using rctl::test::read_fixture;

TEST_CASE("zlib: deflate/inflate round trip", "[decode][zlib]") {
  const std::string inputs[] = {"", "a", "hello hello hello hello", std::string(100000, 'z'),
                                bytes_of("\x00\xff\x01binary")};
  for (const auto& in : inputs) {
    const std::string packed = deflate(in);
    CHECK(looks_like_zlib(packed));
    auto out = inflate_capped(packed, in.size());
    REQUIRE(out);
    CHECK(*out == in);
  }
}

TEST_CASE("zlib: reads what Python's zlib.compress wrote (RQ job data)", "[decode][zlib]") {
  const std::string packed = read_fixture("pickle/rq_job_data.zlib.bin");
  CHECK(packed.substr(0, 2) == "\x78\x9c");
  auto out = inflate_capped(packed, 1 << 20);
  REQUIRE(out);
  CHECK(out->substr(0, 2) == "\x80\x05");
  CHECK(out->back() == '.');
}

TEST_CASE("zlib: gzip streams are accepted too", "[decode][zlib]") {
  // gzip.compress(b"hi", mtime=0) from Python.
  const std::string gz =
      bytes_of("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\xcb\xc8\x04\x00\xac\x2a\x93\xd8\x02\x00\x00\x00");
  CHECK(looks_like_gzip(gz));
  CHECK_FALSE(looks_like_zlib(gz));
  auto out = inflate_capped(gz, 100);
  REQUIRE(out);
  CHECK(*out == "hi");
}

TEST_CASE("zlib: the output cap holds at the limit and fails one past it", "[decode][zlib][limits]") {
  const std::string data(1000, 'q');
  const std::string packed = deflate(data);
  CHECK(inflate_capped(packed, 1000).value() == data);
  auto over = inflate_capped(packed, 999);
  REQUIRE_FALSE(over);
  CHECK(over.error().message == "inflated size exceeds 999 bytes");
  CHECK(over.error().kind == rctl::ErrorKind::protocol);
}

TEST_CASE("zlib: a 100 MB bomb stops at the default cap", "[decode][zlib]") {
  const std::string bomb = deflate(std::string(100 * 1024 * 1024, '\0'));
  CHECK(bomb.size() < 200 * 1024);
  auto out = inflate_capped(bomb, k_default_max_inflated_bytes);
  REQUIRE_FALSE(out);
  CHECK(out.error().message == "inflated size exceeds 16777216 bytes");
}

TEST_CASE("zlib: truncated, corrupt and over-long input", "[decode][zlib]") {
  const std::string packed = deflate("some text that compresses, some text that compresses");
  for (std::size_t n = 0; n < packed.size(); ++n) {
    INFO("cut at " << n);
    auto out = inflate_capped(packed.substr(0, n), 1 << 20);
    REQUIRE_FALSE(out);
  }
  CHECK(inflate_capped(packed.substr(0, packed.size() - 1), 1 << 20).error().message == "zlib: truncated input");
  std::string bad_checksum = packed;
  bad_checksum.back() = static_cast<char>(bad_checksum.back() ^ 1);
  CHECK(inflate_capped(bad_checksum, 1 << 20).error().message == "zlib: corrupt input (incorrect data check)");
  CHECK(inflate_capped(packed + "xx", 1 << 20).error().message == "zlib: 2 trailing bytes after the end of the stream");
  CHECK(inflate_capped("not zlib at all", 1 << 20).error().message.starts_with("zlib: corrupt input"));
  CHECK_FALSE(inflate_capped("", 1 << 20));
}

TEST_CASE("zlib: header detection", "[decode][zlib]") {
  CHECK(looks_like_zlib("\x78\x9c"));
  CHECK(looks_like_zlib("\x78\x01"));
  CHECK(looks_like_zlib("\x78\xda"));
  CHECK(looks_like_zlib("\x78\x5e"));
  CHECK_FALSE(looks_like_zlib("\x78\x9d"));  // checksum wrong
  CHECK_FALSE(looks_like_zlib("\x78\xbb"));  // preset dictionary
  CHECK_FALSE(looks_like_zlib("\x78"));
  CHECK_FALSE(looks_like_zlib(""));
  CHECK_FALSE(looks_like_zlib("{\"json\": 1}"));
}
