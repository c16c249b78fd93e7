#include "decode/bytes.hpp"
#include "decode/pickle/reader.hpp"
#include "decode/zlib_inflate.hpp"

#include "decode_fixtures.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using rctl::decode::k_pickle_max_depth;
using rctl::decode::PickleLimits;
using rctl::decode::read_pickle;
using rctl::test::bytes_of;
using rctl::test::read_fixture;
using Json = nlohmann::ordered_json;

namespace {

const std::vector<std::string> k_cases = {
    "scalars",      "big_ints",        "special_floats", "unicode",   "bytes",        "nested",
    "sets",         "non_string_keys", "shared",         "datetimes", "decimal_uuid", "ordered",
    "custom_class", "flask_session",   "rq_job_tuple",   "long_list", "big_dict"};

std::string fixture_bin(const std::string& name, int proto) {
  return read_fixture("pickle/" + name + ".p" + std::to_string(proto) + ".bin");
}

Json fixture_json(const std::string& name) { return Json::parse(read_fixture("pickle/" + name + ".json")); }

// The error message of a pickle expected to fail.
std::string error_of(const std::string& bytes, const PickleLimits& limits = {}) {
  auto result = read_pickle(bytes, limits);
  if (result) FAIL("expected an error, got " << result->value.dump());
  CHECK(result.error().kind == rctl::ErrorKind::protocol);
  return result.error().message;
}

Json value_of(const std::string& bytes, const PickleLimits& limits = {}) {
  auto result = read_pickle(bytes, limits);
  if (!result) FAIL("unexpected error: " << result.error().message);
  return result->value;
}

}  // namespace

TEST_CASE("pickle reader: Python 3.11 fixtures, protocols 0-5", "[decode][pickle]") {
  for (const auto& name : k_cases) {
    const Json expected = fixture_json(name);
    for (int proto = 0; proto <= 5; ++proto) {
      INFO(name << " protocol " << proto);
      const std::string bytes = fixture_bin(name, proto);
      auto result = read_pickle(bytes);
      REQUIRE(result);
      CHECK(result->value == expected);
      CHECK(result->consumed == bytes.size());
      CHECK(result->protocol == (proto >= 2 ? proto : 0));
      // Whatever came out must be dumpable: nlohmann throws on invalid UTF-8.
      CHECK_NOTHROW(result->value.dump());
    }
  }
}

// The interpreter reuses one workspace per thread (nodes, their buffers, stack, memo): what
// an earlier value left there, including an oversized one or a failed one, must not show.
TEST_CASE("pickle reader: a value decodes the same whatever was decoded before it", "[decode][pickle]") {
  std::string big_text = "\x80\x04X";  // BINUNICODE of 1000 'x', beyond what a workspace keeps
  big_text += std::string("\xe8\x03\x00\x00", 4) + std::string(1000, 'x') + "\x94.";
  std::string big_list = "\x80\x02](";  // 1000 ints appended to a list, the same for items
  for (int i = 0; i < 1000; ++i) big_list += "K\x07";
  big_list += "e.";
  const std::string failing = "\x80\x02}(X\x01\x00\x00\x00a(K\x01\x88";  // truncated mid-frame
  const std::string big_made = "S'" + std::string(1000, 'y') + "'\np0\n.";  // text the interpreter makes
  std::vector<std::pair<std::string, Json>> values;
  for (const auto& name : k_cases)
    for (int proto = 0; proto <= 5; ++proto) values.emplace_back(fixture_bin(name, proto), fixture_json(name));
  for (int pass = 0; pass < 2; ++pass) {
    std::reverse(values.begin(), values.end());
    for (std::size_t i = 0; i < values.size(); ++i) {
      INFO("pass " << pass << " value " << i);
      if (i % 7 == 0) CHECK(value_of(big_text) == Json(std::string(1000, 'x')));
      if (i % 7 == 3) CHECK(value_of(big_list) == Json(std::vector<int>(1000, 7)));
      if (i % 7 == 5) CHECK(value_of(big_made) == Json(std::string(1000, 'y')));
      if (i % 5 == 1) CHECK(error_of(failing) == "pickle: truncated");
      CHECK(value_of(values[i].first) == values[i].second);
    }
  }
}

TEST_CASE("pickle reader: every truncation of a valid pickle is an error", "[decode][pickle]") {
  for (const auto& name : k_cases) {
    if (name == "long_list" || name == "big_dict") continue;  // quadratic; covered by others
    for (int proto = 0; proto <= 5; ++proto) {
      const std::string bytes = fixture_bin(name, proto);
      for (std::size_t n = 0; n < bytes.size(); ++n) {
        INFO(name << " protocol " << proto << " cut at " << n);
        REQUIRE_FALSE(read_pickle(std::string_view(bytes).substr(0, n)));
      }
    }
  }
}

TEST_CASE("pickle reader: RQ job data as RQ 1.13 stores it (zlib + protocol 5)", "[decode][pickle]") {
  const auto inflated = rctl::decode::inflate_capped(read_fixture("pickle/rq_job_data.zlib.bin"), 1 << 20);
  REQUIRE(inflated);
  CHECK(value_of(*inflated) == fixture_json("rq_job_data.zlib"));
  CHECK(value_of(*inflated) == Json::parse(R"(["builtins.print", null, ["hello", 42], {"sep": "-"}])"));
}

TEST_CASE("pickle reader: RQ result stream return_value (base64 + protocol 5)", "[decode][pickle]") {
  std::string text = read_fixture("pickle/rq_result.b64");
  const auto raw = rctl::decode::base64_decode(text);
  REQUIRE(raw);
  CHECK(value_of(*raw) == fixture_json("rq_result"));
}

TEST_CASE("pickle reader: a malicious pickle only becomes a marker", "[decode][pickle]") {
  // What `pickle.loads` would run as os.system('echo pwned').
  const Json value = value_of("cos\nsystem\n(S'echo pwned'\ntR.");
  CHECK(value == Json::parse(R"({"$pickle": "os.system", "args": ["echo pwned"]})"));
  // The same through protocol 4 STACK_GLOBAL + REDUCE, and builtins.eval via NEWOBJ.
  CHECK(value_of(bytes_of("\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R.")) ==
        Json::parse(R"({"$pickle": "os.system", "args": ["id"]})"));
  CHECK(value_of(bytes_of("\x80\x02"
                          "c__builtin__\neval\nX\x01\x00\x00\x00"
                          "1\x85\x81.")) == Json::parse(R"({"$pickle": "builtins.eval", "args": ["1"]})"));
  // A bare global is only named.
  CHECK(value_of("cos\nsystem\n.") == Json::parse(R"({"$pickle": "os.system"})"));
}

TEST_CASE("pickle reader: protocol 0/1 opcodes Python 3 no longer writes", "[decode][pickle]") {
  SECTION("STRING with escapes, INT 00/01, LONG, FLOAT, text PUT/GET") {
    const Json v = value_of(
        "(lp0\nS'a\\'b\\x41\\n\\101'\np1\naI01\naI00\naI-7\naL123456789012345678901234567890L\n"
        "aF1.5\nag1\na.");
    CHECK(v == Json::parse(R"(["a'bA\nA", true, false, -7, "123456789012345678901234567890", 1.5, "a'bA\nA"])"));
  }
  SECTION("STRING/BINSTRING that is not UTF-8 becomes bytes") {
    CHECK(value_of("S'\\xff'\n.") == Json::parse(R"({"$bytes": "/w=="})"));
    CHECK(value_of(bytes_of("T\x02\x00\x00\x00\xff\xfe.")) == Json::parse(R"({"$bytes": "//4="})"));
    CHECK(value_of(bytes_of("U\x03h\xc3\xa9.")) == "h\xc3\xa9");
  }
  SECTION("UNICODE raw-unicode-escape with surrogate pairs and Latin-1 bytes") {
    CHECK(value_of(bytes_of("V\\u00e9\\U0001f600\\ud83d\\ude00\xe9\\\\u0041\n.")) ==
          "\xc3\xa9\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xc3\xa9\\\\u0041");
    // A lone surrogate: three U+FFFD, as Python's decode("utf-8", "replace") of its bytes.
    CHECK(value_of("V\\ud800x\n.") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx");
  }
  SECTION("INST and OBJ build markers; BUILD attaches state") {
    CHECK(value_of("(S'x'\nimyapp\nThing\n(dS'k'\nI1\nsb.") ==
          Json::parse(R"({"$pickle": "myapp.Thing", "args": ["x"], "state": {"k": 1}})"));
    CHECK(value_of("(cmyapp\nThing\nI2\no.") == Json::parse(R"({"$pickle": "myapp.Thing", "args": [2]})"));
  }
  SECTION("DICT, TUPLE, POP, POP_MARK, DUP") {
    CHECK(value_of("(S'a'\nI1\nd.") == Json::parse(R"({"a": 1})"));
    CHECK(value_of("(I1\nI2\nt.") == Json::parse("[1, 2]"));
    CHECK(value_of("I1\nI2\n0.") == 1);
    CHECK(value_of("I1\n(I2\nI3\n1.") == 1);
    CHECK(value_of("(I5\n2t.") == Json::parse("[5, 5]"));
    CHECK(value_of("I9\n(0.") == 9);  // POP on an empty frame discards the MARK
  }
}

TEST_CASE("pickle reader: protocol 2-5 specifics", "[decode][pickle]") {
  SECTION("persistent ids and extension codes become markers") {
    CHECK(value_of("Pkey42\n.") == Json::parse(R"({"$persid": "key42"})"));
    CHECK(value_of(bytes_of("\x80\x02K\x07Q.")) == Json::parse(R"({"$persid": 7})"));
    CHECK(value_of(bytes_of("\x80\x02\x82\x05.")) == Json::parse(R"({"$pickle_ext": 5})"));
    CHECK(value_of(bytes_of("\x80\x02\x83\x01\x02.")) == Json::parse(R"({"$pickle_ext": 513})"));
    CHECK(value_of(bytes_of("\x80\x02\x84\xff\xff\xff\xff.")) == Json::parse(R"({"$pickle_ext": -1})"));
  }
  SECTION("NEWOBJ_EX keeps kwargs; non-global callables are shown") {
    CHECK(value_of(bytes_of("\x80\x04\x8c\x01m\x8c\x01"
                            "C\x93)}\x8c\x01k\x88s\x92.")) ==
          Json::parse(R"({"$pickle": "m.C", "args": [], "kwargs": {"k": true}})"));
    CHECK(value_of(bytes_of("\x80\x02K\x01)R.")) == Json::parse(R"({"$pickle": "?", "callable": 1, "args": []})"));
  }
  SECTION("list/dict items added to an object marker") {
    CHECK(value_of(bytes_of("\x80\x02"
                            "cm\nL\n)R(K\x01K\x02"
                            "eK\x03"
                            "a.")) == Json::parse(R"({"$pickle": "m.L", "args": [], "listitems": [1, 2, 3]})"));
    CHECK(value_of(bytes_of("\x80\x02"
                            "cm\nD\n)RK\x01K\x02s.")) ==
          Json::parse(R"({"$pickle": "m.D", "args": [], "dictitems": {"1": 2}})"));
  }
  SECTION("datetime with a zone offset we cannot know keeps the zone as data") {
    const Json v =
        value_of(bytes_of("\x80\x04\x8c\x08"
                          "datetime\x8c\x08"
                          "datetime\x93"
                          "C\n\x07\xe4\x01\x02\x00\x00\x00\x00\x00\x00"
                          "\x8c\x06myzone\x8c\x04Zone\x93)R\x86R."));
    CHECK(v == Json::parse(R"({"$pickle": "datetime.datetime", "value": "2020-01-02T00:00:00",
                               "tzinfo": {"$pickle": "myzone.Zone", "args": []}})"));
  }
  SECTION("impossible datetime fields fall back to the marker") {
    const Json v =
        value_of(bytes_of("\x80\x04\x8c\x08"
                          "datetime\x8c\x04"
                          "date\x93"
                          "C\x04\x07\xe4\x0d\x01\x85R."));
    CHECK(v == Json::parse(R"({"$pickle": "datetime.date", "args": [{"$bytes": "B+QNAQ=="}]})"));
  }
  SECTION("FRAME is skipped, READONLY_BUFFER is a no-op, BYTEARRAY8 is bytes") {
    CHECK(
        value_of(bytes_of("\x80\x05\x95\x0b\x00\x00\x00\x00\x00\x00\x00\x96\x01\x00\x00\x00\x00\x00\x00\x00z\x98.")) ==
        Json::parse(R"({"$bytes": "eg=="})"));
  }
  SECTION("a list that contains itself") {
    CHECK(value_of(bytes_of("\x80\x04]\x94h\x00"
                            "a.")) == Json::parse(R"([{"$cycle": true}])"));
  }
  SECTION("trailing bytes after STOP are not read") {
    auto r = read_pickle(bytes_of("\x80\x02N.garbage"));
    REQUIRE(r);
    CHECK(r->consumed == 4);
  }
}

TEST_CASE("pickle reader: malformed input is an error, never a crash", "[decode][pickle]") {
  CHECK(error_of("") == "pickle: truncated");
  CHECK(error_of(bytes_of("\x80\x02\xff.")) == "pickle: unknown opcode 0xff at offset 2");
  CHECK(error_of(bytes_of("\x80\x06N.")) == "pickle: unsupported protocol 6");
  CHECK(error_of(".") == "pickle: stack underflow");
  CHECK(error_of("(.") == "pickle: stack underflow");  // STOP may not reach below a MARK
  CHECK(error_of("N(a.") == "pickle: stack underflow");  // nor may APPEND
  CHECK(error_of("]e.") == "pickle: MARK missing");
  CHECK(error_of("g5\n.") == "pickle: memo key 5 missing");
  CHECK(error_of(bytes_of("\x80\x02h\x00.")) == "pickle: memo key 0 missing");
  CHECK(error_of(bytes_of("T\xff\xff\xff\xff.")) == "pickle: negative length");
  CHECK(error_of(bytes_of("\x8b\xff\xff\xff\xff.")) == "pickle: negative length");
  CHECK(error_of(bytes_of("\x80\x05\x97.")) == "pickle: out-of-band buffers (NEXT_BUFFER) are not supported");
  CHECK(error_of("I1\nI2\na.") == "pickle: APPEND on a int");
  CHECK(error_of(")I1\nI2\ns.") == "pickle: SETITEM on a tuple");
  CHECK(error_of("(I1\nd.") == "pickle: DICT with an odd number of items");
  CHECK(error_of("I1\nNR.") == "pickle: REDUCE arguments are not a tuple");
  CHECK(error_of("I1\n(S'x'\nb.") == "pickle: stack underflow");  // BUILD target below a MARK
  CHECK(error_of("I1\nN\x62.") == "pickle: BUILD on a int");
  CHECK(error_of(bytes_of("\x80\x04K\x01K\x02\x93.")) == "pickle: STACK_GLOBAL needs two strings");
  CHECK(error_of("S'abc\n.") == "pickle: bad STRING literal");
  CHECK(error_of("S'\\x4'\n.") == "pickle: bad STRING literal");
  CHECK(error_of("V\\u12\n.") == "pickle: bad UNICODE literal");
  CHECK(error_of("I12a\n.") == "pickle: bad integer literal");
  CHECK(error_of("Fabc\n.") == "pickle: bad FLOAT literal");
  CHECK(error_of("p-1\n.") == "pickle: bad PUT index");
  CHECK(error_of("(o.") == "pickle: OBJ without a class");
  CHECK(error_of("cos\nsystem") == "pickle: truncated");
}

TEST_CASE("pickle reader: deep nesting is refused, not recursed into", "[decode][pickle]") {
  SECTION("100k MARKs") {
    std::string p = "\x80\x02";
    for (int i = 0; i < 100000; ++i) p += "(]";
    CHECK(error_of(p + ".") == "pickle: too deep (more than 128 nested MARKs)");
  }
  SECTION("100k nested lists built on the stack") {
    std::string p = "\x80\x02" + std::string(100000, ']') + std::string(99999, 'a') + ".";
    CHECK(error_of(p) == "pickle: too deep (more than 128 levels)");
  }
  SECTION("a 300k-deep chain built through the memo with a tiny stack") {
    // [] q0; then repeatedly: get the innermost list, append a new one, memoize it.
    std::string p = bytes_of("\x80\x04]\x94");
    for (std::uint32_t i = 0; i < 300000; ++i) {
      p += 'j';
      for (int b = 0; b < 4; ++b) p += static_cast<char>((i >> (8 * b)) & 0xff);
      p += bytes_of(
          "]\x94"
          "a0");
    }
    p += bytes_of("j\x00\x00\x00\x00.");
    CHECK(error_of(p) == "pickle: too deep (more than 128 levels)");
  }
}

TEST_CASE("pickle reader: a memo bomb stops at the element budget", "[decode][pickle]") {
  // x0 = []; x(i+1) = (x(i), x(i)): 2^64 leaves if expanded.
  std::string p = bytes_of("\x80\x04]\x94");
  for (int i = 0; i < 64; ++i) p += bytes_of("2\x86\x94");
  p += ".";
  CHECK(error_of(p) == "pickle: more than 1000000 elements");
  // A big string shared many times hits the output-byte budget instead.
  PickleLimits small;
  small.max_output_bytes = 1000;
  std::string q = bytes_of("\x80\x04(X\xf4\x01\x00\x00") + std::string(500, 'x') + "2l.";
  CHECK(value_of(q, small).size() == 2);  // 2 x 500 = 1000: at the limit
  std::string r = bytes_of("\x80\x04(X\xf4\x01\x00\x00") + std::string(500, 'x') + "22l.";
  CHECK(error_of(r, small) == "pickle: result larger than 1000 bytes");
}

TEST_CASE("pickle reader: limits hold at the limit and fail one past it", "[decode][pickle][limits]") {
  const PickleLimits defaults;
  SECTION("input size") {
    // PROTO, then NONE/POP pairs (no allocation), then NONE STOP: exactly the limit.
    std::string p = bytes_of("\x80\x04");
    const std::size_t pairs = (defaults.max_input_bytes - 4) / 2;
    p.reserve(defaults.max_input_bytes + 1);
    for (std::size_t i = 0; i < pairs; ++i) p += "N0";
    p += "N.";
    REQUIRE(p.size() == rctl::decode::k_pickle_max_input_bytes);
    CHECK(value_of(p).is_null());
    p.insert(2, "N");
    CHECK(error_of(p) == "pickle: input larger than 67108864 bytes");
  }
  SECTION("nesting depth of the result") {
    const std::size_t d = k_pickle_max_depth;
    CHECK(value_of(std::string(d, ']') + std::string(d - 1, 'a') + ".").is_array());
    CHECK(error_of(std::string(d + 1, ']') + std::string(d, 'a') + ".") == "pickle: too deep (more than 128 levels)");
  }
  SECTION("open MARKs") {
    const std::size_t d = k_pickle_max_depth;
    CHECK(value_of(std::string(d, '(') + std::string(d, '1') + "N.").is_null());
    CHECK(error_of(std::string(d + 1, '(') + std::string(d + 1, '1') + "N.") ==
          "pickle: too deep (more than 128 nested MARKs)");
  }
  SECTION("stack size") {
    const std::size_t n = rctl::decode::k_pickle_max_stack;
    CHECK(value_of(std::string(n, 'N') + ".").is_null());
    CHECK(error_of(std::string(n + 1, 'N') + ".") == "pickle: stack deeper than 1048576 values");
  }
  SECTION("elements in the result") {
    const std::size_t n = rctl::decode::k_pickle_max_elements;
    CHECK(value_of("](" + std::string(n - 1, 'N') + "e.").size() == n - 1);
    CHECK(error_of("](" + std::string(n, 'N') + "e.") == "pickle: more than 1000000 elements");
  }
  SECTION("nodes the interpreter creates") {
    const std::size_t n = rctl::decode::k_pickle_max_elements;
    std::string at_limit = "]";  // one node, then n - 1 more popped right away
    for (std::size_t i = 0; i + 1 < n; ++i) at_limit += "]0";
    CHECK(value_of(at_limit + ".").empty());
    CHECK(error_of(at_limit + "]0.") == "pickle: more than 1000000 elements");
  }
  SECTION("memo entries") {
    const std::size_t n = rctl::decode::k_pickle_max_memo;
    CHECK(value_of("\x80\x04N" + std::string(n, '\x94') + ".").is_null());
    CHECK(error_of("\x80\x04N" + std::string(n + 1, '\x94') + ".") == "pickle: more than 1000000 memo entries");
  }
  SECTION("string length") {
    const std::size_t n = rctl::decode::k_pickle_max_string_bytes;
    std::string len_le(8, '\0');
    for (int b = 0; b < 8; ++b) len_le[b] = static_cast<char>((n >> (8 * b)) & 0xff);
    const std::string at = "\x8e" + len_le + std::string(n, 'x') + ".";
    CHECK(value_of(at).contains("$bytes"));
    len_le[0] = static_cast<char>(len_le[0] + 1);
    CHECK(error_of("\x8e" + len_le + ".") == "pickle: string longer than 33554432 bytes");
    // Text lines obey the same limit.
    CHECK(value_of("V" + std::string(n, 'y') + "\n.").get_ref<const std::string&>().size() == n);
    CHECK(error_of("V" + std::string(n + 1, 'y') + "\n.") == "pickle: line longer than 33554432 bytes");
  }
  SECTION("integer length") {
    const std::size_t n = rctl::decode::k_pickle_max_int_bytes;
    const std::string at = bytes_of("\x8b\x00\x01\x00\x00") + std::string(n - 1, '\0') + "\x01.";
    CHECK(value_of(at).is_string());  // 2^2040
    CHECK(error_of(bytes_of("\x8b\x01\x01\x00\x00") + std::string(n + 1, '\x01') + ".") ==
          "pickle: integer longer than 256 bytes");
    CHECK(value_of("L" + std::string(n * 5 / 2 + 1, '9') + "\n.").is_string());
    CHECK(error_of("L" + std::string(n * 5 / 2 + 2, '9') + "\n.") == "pickle: integer longer than 256 bytes");
  }
  SECTION("bytes of non-string dict keys") {
    CHECK(defaults.max_key_bytes == rctl::decode::k_pickle_max_key_bytes);
    // Keys ((),) and () dump as "[[]]" and "[]": 6 bytes. String and int keys do not count.
    const std::string two_keys = "(I1\nN)\x85N)Nd.";
    PickleLimits small;
    small.max_key_bytes = 6;
    CHECK(value_of(two_keys, small) == Json::parse(R"({"1": null, "[[]]": null, "[]": null})"));
    small.max_key_bytes = 5;
    CHECK(error_of(two_keys, small) == "pickle: non-string dict keys longer than 5 bytes in total");
    // K0 = '"', K(n+1) = ({K(n): None},): the key text would double at every level.
    const std::string nested = "\x80\x04" + std::string(61, '}') + bytes_of("X\x01\x00\x00\x00\x22") + [] {
      std::string s;
      for (int i = 0; i < 60; ++i) s += "Ns\x85";
      return s;
    }() + "Ns.";
    CHECK(error_of(nested) == "pickle: non-string dict keys longer than 1048576 bytes in total");
  }
  SECTION("output bytes default") { CHECK(defaults.max_output_bytes == rctl::decode::k_pickle_max_output_bytes); }
}

TEST_CASE("pickle reader: integers", "[decode][pickle]") {
  CHECK(value_of(bytes_of("\x80\x02\x8a\x00.")) == 0);
  CHECK(value_of(bytes_of("\x80\x02\x8a\x01\xff.")) == -1);
  CHECK(value_of(bytes_of("\x80\x02\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f.")) == INT64_MAX);
  CHECK(value_of(bytes_of("\x80\x02\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80.")) == INT64_MIN);
  CHECK(value_of(bytes_of("\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00.")) == "9223372036854775808");
  CHECK(value_of(bytes_of("\x80\x02\x8a\x09\xff\xff\xff\xff\xff\xff\xff\x7f\xff.")) == "-9223372036854775809");
  CHECK(value_of("I-9223372036854775808\n.") == INT64_MIN);
  CHECK(value_of("I99999999999999999999\n.") == "99999999999999999999");
  CHECK(value_of(bytes_of("J\xff\xff\xff\xff.")) == -1);
  CHECK(value_of(bytes_of("M\xff\xff.")) == 65535);
}

TEST_CASE("pickle reader: memo indices in any order, overwritten, and after MEMOIZE", "[decode][pickle]") {
  // PUT 1 before 0 (an index past the end), PUT 0, PUT 1 again (overwrites), PUT 2, then
  // MEMOIZE (index = entries so far = 3); GETs read back what each index holds last.
  const std::string pickle = bytes_of(
      "\x80\x04"
      "K\x01q\x01"
      "0K\x02q\x00"
      "0K\x03q\x01"
      "0K\x04q\x02"
      "0K\x05\x94"
      "0(h\x00h\x01h\x02h\x03l.");
  CHECK(value_of(pickle) == Json::parse("[2, 3, 4, 5]"));
  CHECK(error_of(pickle.substr(0, pickle.size() - 4) + "h\x04l.") == "pickle: memo key 4 missing");
}

namespace {

// read_pickle's result as read_pickle_members should give it: an object keeps only the
// members in `names`, anything else stays whole.
Json only_members(Json value, const std::vector<std::string>& names) {
  if (!value.is_object()) return value;
  Json kept = Json::object();
  for (auto& [key, member] : value.items())
    if (std::find(names.begin(), names.end(), key) != names.end()) kept[key] = member;
  return kept;
}

void check_members_match(const std::string& bytes, const std::vector<std::string>& names,
                         const PickleLimits& limits = {}) {
  auto whole = read_pickle(bytes, limits);
  auto members = rctl::decode::read_pickle_members(bytes, names, limits);
  REQUIRE(static_cast<bool>(whole) == static_cast<bool>(members));
  if (!whole) {
    CHECK(members.error().message == whole.error().message);
    return;
  }
  CHECK(members->value == only_members(whole->value, names));
  CHECK(members->value.dump() == only_members(whole->value, names).dump());  // same member order
  CHECK(members->consumed == whole->consumed);
  CHECK(members->protocol == whole->protocol);
}

}  // namespace

TEST_CASE("pickle reader: read_pickle_members is read_pickle with only the named members", "[decode][pickle]") {
  const std::vector<std::string> names = {"user_id", "_permanent", "csrf_token", "1", "True", "None", "a", "c", "z"};
  SECTION("every fixture, every protocol") {
    for (const auto& name : k_cases)
      for (int proto = 0; proto <= 5; ++proto) {
        INFO(name << " protocol " << proto);
        check_members_match(fixture_bin(name, proto), names);
      }
  }
  SECTION("a repeated key keeps its first position and its last value") {
    check_members_match(bytes_of("\x80\x04}(\x8c\x07user_idK\x01\x8c\x01zK\x02\x8c\x07user_idK\x03u."), names);
    auto r = rctl::decode::read_pickle_members(
        bytes_of("\x80\x04}(\x8c\x07user_idK\x01\x8c\x01zK\x02\x8c\x07user_idK\x03u."), names);
    REQUIRE(r);
    CHECK(r->value.dump() == R"({"user_id":3,"z":2})");
  }
  SECTION("shared values, a dict containing itself, a tuple key, an OrderedDict") {
    // {"a": s, "user_id": s, "b": {"c": s}} with s = ["s"] shared through the memo
    check_members_match(bytes_of("\x80\x04}\x94(\x8c\x01"
                                 "a\x94]\x94\x8c\x01s\x94"
                                 "a\x8c\x07user_id\x94h\x02\x8c\x01"
                                 "b\x94}\x94\x8c\x01"
                                 "c\x94h\x02su."),
                        names);
    // d = {"user_id": 7}; d["self"] = d
    check_members_match(bytes_of("\x80\x04}\x94(\x8c\x07user_id\x94K\x07\x8c\x04self\x94h\x00u."), names);
    check_members_match(bytes_of("\x80\x04}\x94(K\x01\x8c\x01\x61\x94\x86\x94K\x01\x8c\x07user_id\x94\x8c\x01u\x94u."),
                        names);
    check_members_match(bytes_of("\x80\x04\x8c\x0b\x63ollections\x94\x8c\x0bOrderedDict\x94\x93\x94)R\x94(\x8c\x07"
                                 "user_id\x94K\x03\x8c\x01zK\x01u."),
                        names);
  }
  SECTION("a dict whose other member is a memo bomb fails as the whole does") {
    std::string p = bytes_of("\x80\x04}(\x8c\x01x]\x94");
    for (int i = 0; i < 64; ++i) p += bytes_of("2\x86\x94");
    p += bytes_of("\x8c\x07user_idK\x01u.");
    check_members_match(p, names);
    CHECK_FALSE(rctl::decode::read_pickle_members(p, names));
  }
  SECTION("at and past the limits") {
    PickleLimits small;
    small.max_output_bytes = 1000;
    // {"user_id": 1, "x": [s, s]}: with the keys' 8 bytes, 1000 bytes for a 496-byte s, 1002 for 497
    const std::string s(495, 'x');
    std::string at = bytes_of("\x80\x04}(\x8c\x07user_idK\x01\x8c\x01x(X\xf0\x01\x00\x00") + s + "x2l" + "u.";
    check_members_match(at, names, small);
    CHECK(read_pickle(at, small));
    std::string past = bytes_of("\x80\x04}(\x8c\x07user_idK\x01\x8c\x01x(X\xf1\x01\x00\x00") + s + "xx2l" + "u.";
    check_members_match(past, names, small);
    CHECK_FALSE(read_pickle(past, small));
    // None is one node however often it appears: the element budget counts each appearance.
    PickleLimits few;
    few.max_elements = 12;
    for (int nones : {8, 9}) {
      INFO(nones << " Nones");
      std::string p = bytes_of("\x80\x04}(\x8c\x07user_idK\x01\x8c\x01x](") + std::string(nones, 'N') + "eu.";
      check_members_match(p, names, few);
      CHECK(static_cast<bool>(read_pickle(p, few)) == (nones == 8));
    }
    const std::size_t d = k_pickle_max_depth;
    for (std::size_t depth : {d, d + 1}) {
      INFO("depth " << depth);
      std::string deep =
          "}(\x8c\x07user_idK\x01\x8c\x01x" + std::string(depth - 1, ']') + std::string(depth - 2, 'a') + "u.";
      check_members_match(deep, names);
      CHECK(static_cast<bool>(read_pickle(deep)) == (depth == d));
    }
  }
}
