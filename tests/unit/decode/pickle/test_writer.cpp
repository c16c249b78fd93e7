#include "decode/pickle/reader.hpp"
#include "decode/pickle/writer.hpp"
#include "decode/zlib_inflate.hpp"

#include "decode_fixtures.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl::decode;
using rctl::test::bytes_of;
using rctl::test::read_fixture;
using Json = nlohmann::ordered_json;

TEST_CASE("pickle writer: formats.md §1.3 job bytes, exactly", "[decode][pickle_writer]") {
  const std::string expected = bytes_of(
      "\x80\x02(X\x16\x00\x00\x00myapp.tasks.send_emailN(X\x05\x00\x00\x00"
      "a@b.cJ\x03\x00\x00\x00t}"
      "(X\x05\x00\x00\x00retry\x88X\x04\x00\x00\x00tags](X\x01\x00\x00\x00xeut.");
  const auto args = Json::parse(R"(["a@b.c", 3])");
  const auto kwargs = Json::parse(R"({"retry": true, "tags": ["x"]})");
  auto data = encode_rq_job_data("myapp.tasks.send_email", args, kwargs);
  REQUIRE(data);
  CHECK(*data == expected);
  // The unordered nlohmann::json overload gives the same bytes here (keys already sorted).
  CHECK(encode_rq_job_data("myapp.tasks.send_email", nlohmann::json(args), nlohmann::json(kwargs)).value() == expected);
  // And the reader sees the 4-tuple (tuples read back as arrays).
  CHECK(read_pickle(*data)->value ==
        Json::parse(R"(["myapp.tasks.send_email", null, ["a@b.c", 3], {"retry": true, "tags": ["x"]}])"));
}

TEST_CASE("pickle writer: formats.md minimal job ('os.getcwd', None, (), {})", "[decode][pickle_writer]") {
  CHECK(encode_rq_job_data("os.getcwd", Json::array(), Json::object()).value() ==
        bytes_of("\x80\x02(X\x09\x00\x00\x00os.getcwdN(t}t."));
}

TEST_CASE("pickle writer: bytes match the Python-checked reference encoder", "[decode][pickle_writer]") {
  for (const std::string name : {"scalars", "strings", "nested", "flask_like"}) {
    INFO(name);
    const Json input = Json::parse(read_fixture("pickle/writer_" + name + ".json"));
    const std::string expected = read_fixture("pickle/writer_" + name + ".bin");
    auto data = encode_pickle(input);
    REQUIRE(data);
    CHECK(*data == expected);
    Json readable = input;
    if (name == "scalars") readable[12] = "18446744073709551615";  // beyond int64: decimal string
    CHECK(read_pickle(*data)->value == readable);
  }
  const Json job = Json::parse(read_fixture("pickle/writer_job.json"));
  CHECK(encode_rq_job_data(job["func"].get<std::string>(), job["args"], job["kwargs"]).value() ==
        read_fixture("pickle/writer_job.bin"));
}

TEST_CASE("pickle writer: round trip through the reader", "[decode][pickle_writer]") {
  const char* docs[] = {
      "null",
      "true",
      "false",
      "0",
      "-1",
      "2147483647",
      "-2147483648",
      "2147483648",
      "-2147483649",
      "9223372036854775807",
      "-9223372036854775808",
      "18446744073709551615",
      "1.5",
      "-0.0",
      "1e308",
      R"("")",
      R"("h\u00e9llo \u2713 \ud83d\ude00")",
      "[]",
      "{}",
      "[[[]]]",
      R"({"z": 1, "a": [1, {"b": null}], "": ""})",
  };
  for (const char* doc : docs) {
    INFO(doc);
    const Json value = Json::parse(doc);
    auto data = encode_pickle(value);
    REQUIRE(data);
    auto back = read_pickle(*data);
    REQUIRE(back);
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX) {
      CHECK(back->value == "18446744073709551615");  // beyond int64: decimal string
    } else {
      CHECK(back->value == value);
    }
  }
  // RQ stores the job data zlib-compressed.
  auto data = encode_rq_job_data("os.path.join", Json::parse(R"(["a", "b"])"), Json::object());
  REQUIRE(data);
  CHECK(inflate_capped(deflate(*data), 1 << 20).value() == *data);
}

TEST_CASE("pickle writer: refuses what it cannot write faithfully", "[decode][pickle_writer]") {
  CHECK(encode_pickle(Json("\xff")).error().kind == rctl::ErrorKind::usage);
  CHECK(encode_pickle(Json("\xff")).error().message == "pickle writer: string is not valid UTF-8");
  Json bad_key = Json::object();
  bad_key["\xc3"] = 1;
  CHECK_FALSE(encode_pickle(bad_key));
  CHECK(encode_pickle(Json::binary({1, 2})).error().message == "pickle writer: unsupported JSON value");
  CHECK(encode_rq_job_data("", Json::array(), Json::object()).error().message == "pickle writer: empty function name");
  CHECK(encode_rq_job_data("f", Json::object(), Json::object()).error().message ==
        "pickle writer: job args must be a JSON array");
  CHECK(encode_rq_job_data("f", Json::array(), Json::array()).error().message ==
        "pickle writer: job kwargs must be a JSON object");
}

TEST_CASE("pickle writer: depth limit at the limit and one past it", "[decode][pickle_writer][limits]") {
  auto nested = [](std::size_t depth) {
    Json v = Json::array();
    for (std::size_t i = 1; i < depth; ++i) v = Json::array({std::move(v)});
    return v;
  };
  CHECK(encode_pickle(nested(k_pickle_writer_max_depth)));
  CHECK(encode_pickle(nested(k_pickle_writer_max_depth + 1)).error().message ==
        "pickle writer: nested deeper than 128 levels");
}
