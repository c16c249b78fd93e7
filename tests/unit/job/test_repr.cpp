// Python repr() / json.dumps() as RQ writes job descriptions and JSON-serialized data.
// Every expected string was produced by CPython 3.11.2 (Debian 12), the workers' Python.

#include "job/repr.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

using namespace rctl::job;
using Json = nlohmann::ordered_json;

TEST_CASE("job repr: str quoting and escapes match CPython", "[ops][job][repr]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "''"},
      {"plain", "'plain'"},
      {"it's", "\"it's\""},
      {"say \"hi\"", "'say \"hi\"'"},
      {"both ' and \"", "'both \\' and \"'"},
      {"back\\slash", "'back\\\\slash'"},
      {"tab\tnl\nret\r", "'tab\\tnl\\nret\\r'"},
      {std::string("\x00\x1b\x7f", 3), "'\\x00\\x1b\\x7f'"},
      {"\u0085\u00a0\u00e9", "'\\x85\\xa0\u00e9'"},  // C1 control and NBSP escaped, é kept
      {"\u200b\u2028\u0378", "'\\u200b\\u2028\\u0378'"},  // format, separator, unassigned
      {"日本語 ✓", "'日本語 ✓'"},
      {"\U0001F600", "'\U0001F600'"},  // emoji is printable
      {"\U000E0001", "'\\U000e0001'"},  // astral format character
      {"\ud7ff\ue000\uffff", "'\\ud7ff\\ue000\\uffff'"},  // unassigned, private use, noncharacter
      {"\u00ad", "'\\xad'"},  // soft hyphen (Cf)
  };
  for (const auto& [in, out] : cases) {
    INFO(in);
    CHECK(python_str_repr(in) == out);
  }
}

TEST_CASE("job repr: the printable table agrees with CPython at range edges", "[ops][job][repr]") {
  CHECK(python_printable('a'));
  CHECK(python_printable(' '));
  CHECK_FALSE(python_printable(0x7f));
  CHECK_FALSE(python_printable(0x1f));
  CHECK_FALSE(python_printable(0x80));
  CHECK_FALSE(python_printable(0xa0));  // NBSP is Zs
  CHECK(python_printable(0xa1));
  CHECK(python_printable(0x2ffb));
  CHECK_FALSE(python_printable(0x2fff));  // unassigned
  CHECK(python_printable(0x3001));
  CHECK_FALSE(python_printable(0x3000));  // ideographic space
  CHECK(python_printable(0x1F600));
  CHECK_FALSE(python_printable(0x10FFFF));
}

TEST_CASE("job repr: floats as CPython's repr writes them", "[ops][job][repr]") {
  const std::pair<double, std::string> cases[] = {
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1.0, "1.0"},
      {1.5, "1.5"},
      {0.1, "0.1"},
      {1e16, "1e+16"},
      {1e15, "1000000000000000.0"},
      {9999999999999998.0, "9999999999999998.0"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {1e-4, "0.0001"},
      {1e-5, "1e-05"},
      {0.00012345, "0.00012345"},
      {1e22, "1e+22"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {-2.5e-7, "-2.5e-07"},
      {3.14159, "3.14159"},
      {100.0, "100.0"},
      {std::numeric_limits<double>::infinity(), "inf"},
      {-std::numeric_limits<double>::infinity(), "-inf"},
  };
  for (const auto& [in, out] : cases) {
    INFO(out);
    CHECK(python_float_repr(in) == out);
  }
  CHECK(python_float_repr(std::nan("")) == "nan");
}

TEST_CASE("job repr: values and RQ's call string", "[ops][job][repr]") {
  CHECK(python_repr(Json::parse(R"([1, -2, 18446744073709551615, true, false, null, "x", [], {}])")) ==
        "[1, -2, 18446744073709551615, True, False, None, 'x', [], {}]");
  CHECK(python_repr(Json::parse(R"({"b": 1, "a": {"k": [null]}})")) == "{'b': 1, 'a': {'k': [None]}}");
  // Keyword arguments sorted by their "k=v" text (code point order), positional kept.
  const auto args = Json::parse(R"(["a", 1, 2.0, true, null, [1, "b"], {"k": [null]}])");
  const auto kwargs = Json::parse(R"({"zeta": 1, "alpha": "x", "Beta": {}, "é": 1})");
  CHECK(rq_call_string("f", args, kwargs) ==
        "f('a', 1, 2.0, True, None, [1, 'b'], {'k': [None]}, Beta={}, alpha='x', zeta=1, é=1)");
  CHECK(rq_call_string("os.getcwd", Json::array(), Json::object()) == "os.getcwd()");
  // Each repr is cut to 75 code points (not bytes) plus "...".
  Json longs = Json::array({std::string(200, 'x')});
  std::string e100;
  for (int i = 0; i < 100; ++i) e100 += "é";
  std::string e75;
  for (int i = 0; i < 74; ++i) e75 += "é";
  Json list = Json::array();
  for (int i = 0; i < 40; ++i) list.push_back(i);
  CHECK(rq_call_string("f", Json::array({e100}), Json{{"k", list}}) ==
        "f('" + e75 + "..., k=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, ...)");
  // A repr of exactly 75 code points is not cut.
  const std::string s73(73, 'y');
  CHECK(rq_call_string("f", Json::array({s73}), Json::object()) == "f('" + s73 + "')");
  CHECK(rq_call_string("f", Json::array({s73 + "z"}), Json::object()) == "f('" + s73 + "z...)");
  // Without a limit (what `rq enqueue` prints) nothing is cut.
  CHECK(rq_call_string("f", longs, Json::object(), std::nullopt) == "f('" + std::string(200, 'x') + "')");
}

TEST_CASE("job repr: json.dumps with Python's defaults", "[ops][job][repr]") {
  Json v = Json::array({"f", nullptr, Json::array({"é ✓ \U0001F600 \x7f \x1f", 1.0, 9223372036854775808ull}),
                        Json{{"k", Json{{"a", Json::array({true, false})}}}}});
  CHECK(
      python_json_dumps(v) ==
      R"(["f", null, ["\u00e9 \u2713 \ud83d\ude00 \u007f \u001f", 1.0, 9223372036854775808], {"k": {"a": [true, false]}}])");
  CHECK(python_json_dumps(Json::parse(R"({"q": "\"\\\b\f\n\r\t/"})")) == R"({"q": "\"\\\b\f\n\r\t/"})");
  CHECK(python_json_dumps(Json::object()) == "{}");
  CHECK(python_json_dumps(Json::array()) == "[]");
}
