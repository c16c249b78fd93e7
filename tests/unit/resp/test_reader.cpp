// The RESP reader is driven by a table: wire bytes and what they must give. Every row is
// fed whole, one byte at a time, and split in two at every position; all must agree.

#include "resp/reader.hpp"
#include "resp_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

using namespace std::string_literals;
using namespace rctl::resp;
using namespace rctl::resp::test;
// Named apart from optest::Outcome, which a unity batch may put beside this file.
using ReaderOutcome = rctl::resp::test::Outcome;

namespace {

struct Row {
  std::string name;
  std::string wire;
  std::vector<Value> values;  // expected, in order
  std::string error;  // expected error substring; empty: no error
  ReaderLimits limits = {};
  bool incomplete = false;  // wire ends inside a value: no error, bytes stay buffered
};

// Rows longer than this are split at a sample of positions: splitting a 400 KB row at
// every position costs O(n^2) copying and proves nothing the sample does not.
constexpr std::size_t k_all_splits_max = 2048;

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// `inner` wrapped in `depth` one-element arrays.
Value nest(Value inner, std::size_t depth) {
  for (std::size_t i = 0; i < depth; ++i) inner = array({std::move(inner)});
  return inner;
}

// Limits small enough to test each at limit and limit + 1 with short inputs.
ReaderLimits small_limits() {
  ReaderLimits limits;
  limits.max_depth = 2;
  limits.max_elements = 3;
  limits.max_bulk_length = 5;
  return limits;
}

// Whole-reply bounds out of the way, for rows about the per-aggregate and per-bulk ones.
ReaderLimits unlimited_reply() {
  ReaderLimits limits;
  limits.max_reply_elements = std::numeric_limits<std::int64_t>::max();
  limits.max_reply_bytes = std::numeric_limits<std::int64_t>::max();
  return limits;
}

ReaderLimits unlimited_elements() {
  ReaderLimits limits = unlimited_reply();
  limits.max_elements = std::numeric_limits<std::int64_t>::max();
  return limits;
}

// The largest count whose elements' pointer array used to overflow size_t in hiredis
// (CVE-2021-32765 regression input).
const std::string k_size_max_over_8_plus_3 = std::to_string(SIZE_MAX / 8 + 3);

std::vector<Row> valid_rows() {
  return {
      {"simple string", "+OK\r\n", {simple("OK")}},
      {"empty simple string", "+\r\n", {simple("")}},
      {"error", "-ERR unknown command 'foo'\r\n", {error("ERR unknown command 'foo'")}},
      {"integer", ":42\r\n", {integer(42)}},
      {"negative integer", ":-7\r\n", {integer(-7)}},
      {"zero", ":0\r\n", {integer(0)}},
      {"LLONG_MAX", ":9223372036854775807\r\n", {integer(INT64_MAX)}},
      {"LLONG_MIN", ":-9223372036854775808\r\n", {integer(INT64_MIN)}},
      {"bulk string", "$5\r\nhello\r\n", {bulk("hello")}},
      {"empty bulk string", "$0\r\n\r\n", {bulk("")}},
      {"binary bulk string", "$6\r\na\0\r\n\xff\n\r\n"s, {bulk("a\0\r\n\xff\n"s)}},
      {"RESP2 null bulk", "$-1\r\n", {Value::nil()}},
      {"RESP2 null array", "*-1\r\n", {Value::nil()}},
      {"RESP3 null", "_\r\n", {Value::nil()}},
      {"array", "*2\r\n$3\r\nfoo\r\n:42\r\n", {array({bulk("foo"), integer(42)})}},
      {"empty array", "*0\r\n", {array({})}},
      {"empty map", "%0\r\n", {map({})}},
      {"empty set", "~0\r\n", {set({})}},
      {"empty push", ">0\r\n", {push({})}},
      {"nested arrays",
       "*3\r\n*1\r\n+a\r\n*0\r\n*2\r\n*1\r\n:1\r\n$-1\r\n",
       {array({array({simple("a")}), array({}), array({array({integer(1)}), Value::nil()})})}},
      {"map", "%2\r\n+a\r\n:1\r\n$1\r\nb\r\n#t\r\n", {map({simple("a"), integer(1), bulk("b"), boolean(true)})}},
      {"map with aggregate key and value",
       "%1\r\n*1\r\n:1\r\n~1\r\n_\r\n",
       {map({array({integer(1)}), set({Value::nil()})})}},
      {"set", "~2\r\n+a\r\n+b\r\n", {set({simple("a"), simple("b")})}},
      {"push", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", {push({bulk("message"), bulk("ch"), bulk("hi")})}},
      {"true", "#t\r\n", {boolean(true)}},
      {"false", "#f\r\n", {boolean(false)}},
      {"double", ",3.14\r\n", {number(3.14)}},
      {"double with exponent", ",-2.5e10\r\n", {number(-2.5e10)}},
      {"double with negative exponent", ",1E-3\r\n", {number(1e-3)}},
      {"integral double", ",10\r\n", {number(10.0)}},
      {"double with plus sign (RESP3 spec)", ",+1.5\r\n", {number(1.5)}},
      {"+inf", ",+inf\r\n", {number(std::numeric_limits<double>::infinity())}},
      {"inf", ",inf\r\n", {number(std::numeric_limits<double>::infinity())}},
      {"-inf", ",-inf\r\n", {number(-std::numeric_limits<double>::infinity())}},
      {"nan", ",nan\r\n", {number(std::numeric_limits<double>::quiet_NaN())}},
      {"-nan", ",-nan\r\n", {number(-std::numeric_limits<double>::quiet_NaN())}},
      {"big number",
       "(3492890328409238509324850943850943825024385\r\n",
       {big("3492890328409238509324850943850943825024385")}},
      {"negative big number", "(-12\r\n", {big("-12")}},
      {"verbatim string", "=15\r\ntxt:Some string\r\n", {verbatim("txt", "Some string")}},
      {"empty verbatim string", "=4\r\nmkd:\r\n", {verbatim("mkd", "")}},
      {"bulk error", "!21\r\nSYNTAX invalid syntax\r\n", {error("SYNTAX invalid syntax")}},
      {"attribute then value",
       "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n"
       "*2\r\n:2039123\r\n:9543892\r\n",
       {array({integer(2039123), integer(9543892)})}},
      {"attribute inside an array", "*2\r\n|1\r\n+ttl\r\n:3600\r\n+a\r\n+b\r\n", {array({simple("a"), simple("b")})}},
      {"attribute annotating a nested aggregate",
       "*1\r\n|1\r\n+k\r\n+v\r\n*1\r\n:1\r\n",
       {array({array({integer(1)})})}},
      {"empty attribute", "|0\r\n:1\r\n", {integer(1)}},
      {"replies back to back",
       "+OK\r\n:1\r\n$1\r\nx\r\n*1\r\n_\r\n%0\r\n",
       {simple("OK"), integer(1), bulk("x"), array({Value::nil()}), map({})}},
      {"push between replies",
       "+OK\r\n>2\r\n+invalidate\r\n*1\r\n$3\r\nkey\r\n:5\r\n",
       {simple("OK"), push({simple("invalidate"), array({bulk("key")})}), integer(5)}},
      {"nesting at the default limit",
       repeat("*1\r\n", k_default_max_depth) + ":1\r\n",
       {nest(integer(1), k_default_max_depth)}},
      {"line at k_max_line_length",
       "+" + std::string(k_max_line_length, 'a') + "\r\n",
       {simple(std::string(k_max_line_length, 'a'))}},
  };
}

std::vector<Row> limit_rows() {
  const auto small = small_limits();
  ReaderLimits depth_one;
  depth_one.max_depth = 1;
  ReaderLimits no_elements;
  no_elements.max_elements = 0;
  // Whole-reply bounds: elements announced by every aggregate of one reply, and its bytes
  // plus k_element_overhead per announced element.
  ReaderLimits four_elements;
  four_elements.max_reply_elements = 4;
  ReaderLimits bulk_bytes;
  bulk_bytes.max_reply_bytes = 11;  // "$5\r\nhello\r\n"
  ReaderLimits bulk_bytes_short = bulk_bytes;
  bulk_bytes_short.max_reply_bytes = 10;
  ReaderLimits array_bytes;
  array_bytes.max_reply_bytes = 8 + k_element_overhead;  // "*1\r\n:1\r\n"
  ReaderLimits array_bytes_short = array_bytes;
  array_bytes_short.max_reply_bytes = 7 + k_element_overhead;
  return {
      {"reply elements at limit, nested",
       "*2\r\n*2\r\n:1\r\n:2\r\n:3\r\n",
       {array({array({integer(1), integer(2)}), integer(3)})},
       "",
       four_elements},
      {"reply elements over limit, nested", "*2\r\n*3\r\n", {}, "reply too large: more than 4 elements", four_elements},
      {"reply element bound is per reply",
       "*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n%2\r\n:1\r\n:2\r\n:3\r\n:4\r\n",
       {array({integer(1), integer(2), integer(3), integer(4)}), map({integer(1), integer(2), integer(3), integer(4)})},
       "",
       four_elements},
      {"map pairs count twice towards the reply", "%3\r\n", {}, "more than 4 elements", four_elements},
      {"reply bytes at limit", "$5\r\nhello\r\n", {bulk("hello")}, "", bulk_bytes},
      {"reply bytes over limit", "$5\r\n", {}, "reply too large: more than 10 bytes", bulk_bytes_short},
      {"element overhead at limit", "*1\r\n:1\r\n", {array({integer(1)})}, "", array_bytes},
      {"element overhead over limit", "*1\r\n:1\r\n", {}, "reply too large", array_bytes_short},
      {"depth at limit", "*1\r\n*1\r\n:1\r\n", {array({array({integer(1)})})}, "", small},
      {"depth over limit", "*1\r\n*1\r\n*1\r\n:1\r\n", {}, "nesting too deep", small},
      {"empty aggregate counts as a level", "*1\r\n%0\r\n", {}, "nesting too deep", depth_one},
      {"attribute counts as a level", "*1\r\n|1\r\n+k\r\n+v\r\n:1\r\n", {}, "nesting too deep", depth_one},
      {"array at max_elements", "*3\r\n:1\r\n:2\r\n:3\r\n", {array({integer(1), integer(2), integer(3)})}, "", small},
      {"array over max_elements", "*4\r\n", {}, "array length out of range", small},
      {"set over max_elements", "~4\r\n", {}, "set length out of range", small},
      {"push over max_elements", ">4\r\n", {}, "push length out of range", small},
      {"map pairs at max_elements",
       "%3\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n",
       {map({integer(1), integer(2), integer(3), integer(4), integer(5), integer(6)})},
       "",
       small},
      {"map pairs over max_elements", "%4\r\n", {}, "map length out of range", small},
      {"attribute pairs over max_elements", "|4\r\n", {}, "attribute length out of range", small},
      {"max_elements 0 allows empty", "*0\r\n", {array({})}, "", no_elements},
      {"max_elements 0 rejects one", "*1\r\n", {}, "array length out of range", no_elements},
      {"bulk at max_bulk_length", "$5\r\nhello\r\n", {bulk("hello")}, "", small},
      {"bulk over max_bulk_length", "$6\r\n", {}, "bulk string length out of range", small},
      {"bulk error over max_bulk_length", "!6\r\n", {}, "error length out of range", small},
      {"verbatim at max_bulk_length", "=5\r\ntxt:x\r\n", {verbatim("txt", "x")}, "", small},
      {"verbatim over max_bulk_length", "=6\r\n", {}, "verbatim string length out of range", small},
      {"default max_elements", "*" + std::to_string(k_default_max_elements) + "\r\n", {}, "", unlimited_reply(), true},
      {"default max_reply_elements", "*" + std::to_string(k_default_max_reply_elements) + "\r\n", {}, "", {}, true},
      {"default max_reply_elements + 1",
       "*" + std::to_string(k_default_max_reply_elements + 1) + "\r\n",
       {},
       "reply too large: more than 2097152 elements"},
      {"default max_elements + 1",
       "*" + std::to_string(k_default_max_elements + 1) + "\r\n",
       {},
       "array length out of range"},
      {"default max_bulk_length", "$" + std::to_string(k_default_max_bulk_length) + "\r\nabc", {}, "", {}, true},
      {"default max_bulk_length + 1",
       "$" + std::to_string(k_default_max_bulk_length + 1) + "\r\n",
       {},
       "bulk string length out of range"},
      // With the element limit off, huge counts are legal: the reader must wait for the
      // elements without allocating for them.
      {"LLONG_MAX array count, no element limit", "*9223372036854775807\r\n:1\r\n", {}, "", unlimited_elements(), true},
      {"SIZE_MAX/8+3 array count, no element limit",
       "*" + k_size_max_over_8_plus_3 + "\r\n$1\r\nx\r\n",
       {},
       "",
       unlimited_elements(),
       true},
      {"map count LLONG_MAX/2, no element limit", "%4611686018427387903\r\n", {}, "", unlimited_elements(), true},
      {"map count LLONG_MAX/2 + 1, no element limit",
       "%4611686018427387904\r\n",
       {},
       "map length out of range",
       unlimited_elements()},
      {"map count LLONG_MAX, no element limit",
       "%9223372036854775807\r\n",
       {},
       "map length out of range",
       unlimited_elements()},
      {"attribute count LLONG_MAX/2 + 1, no element limit",
       "|4611686018427387904\r\n",
       {},
       "attribute length out of range",
       unlimited_elements()},
  };
}

std::vector<Row> malformed_rows() {
  return {
      // reliability-ux.md Table 1, cases 1-7.
      {"LLONG_MAX array count", "*9223372036854775807\r\n", {}, "array length out of range"},
      {"SIZE_MAX/8+3 array count", "*" + k_size_max_over_8_plus_3 + "\r\n", {}, "array length out of range"},
      {"bulk length -2", "$-2\r\n", {}, "bulk string length out of range"},
      {"array count -2", "*-2\r\n", {}, "array length out of range"},
      {"integer LLONG_MAX + 1", ":9223372036854775808\r\n", {}, "bad integer value"},
      {"integer LLONG_MIN - 1", ":-9223372036854775809\r\n", {}, "bad integer value"},
      {"100000 nested arrays", repeat("*1\r\n", 100000) + "+OK\r\n", {}, "nesting too deep"},
      {"one level over the default depth",
       repeat("*1\r\n", k_default_max_depth + 1) + ":1\r\n",
       {},
       "nesting too deep"},
      {"map count over LLONG_MAX/2", "%4611686018427387904\r\n", {}, "map length out of range"},
      {"unknown type byte", "@foo\r\n", {}, "unknown reply type byte 0x40"},
      // Lengths and counts.
      {"array count overflow", "*9223372036854775808\r\n", {}, "array length out of range"},
      {"bulk length overflow", "$99999999999999999999\r\n", {}, "bulk string length out of range"},
      {"bulk length junk", "$abc\r\n", {}, "bad bulk string length"},
      {"bulk length empty", "$\r\n", {}, "bad bulk string length"},
      {"bulk length with plus", "$+1\r\nx\r\n", {}, "bad bulk string length"},
      {"array count with space", "* 1\r\n", {}, "bad array length"},
      {"map count -1", "%-1\r\n", {}, "map length out of range"},
      {"set count -1", "~-1\r\n", {}, "set length out of range"},
      {"push count -1", ">-1\r\n", {}, "push length out of range"},
      {"attribute count -1", "|-1\r\n", {}, "attribute length out of range"},
      {"bulk error length -1", "!-1\r\n", {}, "error length out of range"},
      {"verbatim length -1", "=-1\r\n", {}, "verbatim string length out of range"},
      // Scalars.
      {"empty integer", ":\r\n", {}, "bad integer value"},
      {"integer with plus", ":+1\r\n", {}, "bad integer value"},
      {"integer with leading space", ": 1\r\n", {}, "bad integer value"},
      {"integer with trailing space", ":1 \r\n", {}, "bad integer value"},
      {"integer with fraction", ":1.0\r\n", {}, "bad integer value"},
      {"lone minus", ":-\r\n", {}, "bad integer value"},
      {"empty double", ",\r\n", {}, "bad double value"},
      {"double junk", ",abc\r\n", {}, "bad double value"},
      {"double with trailing junk", ",3.14.1\r\n", {}, "bad double value"},
      {"double with comma", ",3,14\r\n", {}, "bad double value"},
      {"double with space", ", 1\r\n", {}, "bad double value"},
      {"double with two signs", ",+-1\r\n", {}, "bad double value"},
      {"double with plus only", ",+\r\n", {}, "bad double value"},
      {"double out of range", ",1e99999\r\n", {}, "bad double value"},
      {"empty boolean", "#\r\n", {}, "bad boolean value"},
      {"boolean junk", "#x\r\n", {}, "bad boolean value"},
      {"boolean too long", "#tt\r\n", {}, "bad boolean value"},
      {"null with text", "_x\r\n", {}, "bad null value"},
      {"empty big number", "(\r\n", {}, "bad big number value"},
      {"big number sign only", "(-\r\n", {}, "bad big number value"},
      {"big number junk", "(12a\r\n", {}, "bad big number value"},
      {"verbatim too short", "=3\r\ntxt\r\n", {}, "bad verbatim string format"},
      {"verbatim without colon", "=5\r\ntxtxy\r\n", {}, "bad verbatim string format"},
      // Terminators.
      {"bare LF", "+OK\n", {}, "line not terminated by CRLF"},
      {"CR then junk", "+OK\rX\r\n", {}, "line not terminated by CRLF"},
      {"bare LF in header", "$1\nx\r\n", {}, "line not terminated by CRLF"},
      {"bulk without CRLF", "$2\r\nabXY", {}, "bulk string not terminated by CRLF"},
      {"bulk with LF only", "$2\r\nab\n+OK\r\n", {}, "bulk string not terminated by CRLF"},
      {"bulk error without CRLF", "!2\r\nab\n\r", {}, "error not terminated by CRLF"},
      {"null followed by LF", "_\n", {}, "line not terminated by CRLF"},
      {"line over k_max_line_length", "+" + std::string(k_max_line_length + 1, 'a') + "\r\n", {}, "line too long"},
      {"endless line without CRLF", "+" + std::string(k_max_line_length + 100, 'a'), {}, "line too long"},
      {"endless header without CRLF", "*" + std::string(k_max_line_length + 1, '1'), {}, "line too long"},
      // Errors after good values, and inside aggregates.
      {"error after a value", "+OK\r\n:1\r\n@", {simple("OK"), integer(1)}, "unknown reply type byte 0x40"},
      {"bad element inside an array", "*2\r\n:1\r\n:x\r\n", {}, "bad integer value"},
      {"NUL type byte", "\0\r\n"s, {}, "unknown reply type byte 0x00"},
      {"inline command is not a reply", "PING\r\n", {}, "unknown reply type byte 0x50"},
  };
}

std::vector<Row> incomplete_rows() {
  return {
      {"bulk missing payload", "$5\r\nhel", {}, "", {}, true},
      {"bulk missing CRLF", "$5\r\nhello", {}, "", {}, true},
      {"bulk missing LF", "$5\r\nhello\r", {}, "", {}, true},
      {"array missing elements", "*3\r\n:1\r\n:2\r\n", {}, "", {}, true},
      {"nested array missing elements", "*2\r\n*2\r\n:1\r\n:2\r\n", {}, "", {}, true},
      {"attribute without its value", "|1\r\n+k\r\n+v\r\n", {}, "", {}, true},
      {"value then a partial one", "+OK\r\n*2\r\n:1\r\n", {simple("OK")}, "", {}, true},
      {"line without CRLF", "+OK", {}, "", {}, true},
  };
}

void check_outcome(const Row& row, const ReaderOutcome& got, const char* mode) {
  INFO("row: " << row.name << ", mode: " << mode);
  REQUIRE(got.values.size() == row.values.size());
  for (std::size_t i = 0; i < row.values.size(); ++i) {
    INFO("value " << i << ": got " << debug_string(got.values[i]) << ", want " << debug_string(row.values[i]));
    CHECK(same(got.values[i], row.values[i]));
  }
  if (row.error.empty()) {
    CHECK_FALSE(got.error.has_value());
    if (row.incomplete) {
      CHECK(got.buffered > 0);
    } else {
      CHECK(got.buffered == 0);
    }
  } else {
    REQUIRE(got.error.has_value());
    CHECK_THAT(*got.error, Catch::Contains(row.error));
  }
}

// Every position for short rows; for long ones the first k_all_splits_max positions (where
// headers and early errors sit) and 256 more spread over the rest.
std::vector<std::size_t> split_points(std::size_t size) {
  std::vector<std::size_t> points;
  const std::size_t dense = std::min(size, k_all_splits_max);
  for (std::size_t at = 0; at <= dense; ++at) points.push_back(at);
  for (std::size_t at = dense + 1; at < size; at += size / 256) points.push_back(at);
  if (dense < size) points.push_back(size);
  return points;
}

void run_row(const Row& row) {
  const std::string_view wire = row.wire;

  const ReaderOutcome whole = run_whole(wire, row.limits);
  check_outcome(row, whole, "whole");

  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < wire.size(); ++i) bytes.push_back(wire.substr(i, 1));
  const ReaderOutcome bytewise = run_chunks(bytes, row.limits);
  check_outcome(row, bytewise, "byte by byte");
  CHECK(bytewise.error == whole.error);

  for (const std::size_t at : split_points(wire.size())) {
    const ReaderOutcome split = run_chunks({wire.substr(0, at), wire.substr(at)}, row.limits);
    INFO("split at " << at);
    check_outcome(row, split, "split in two");
    CHECK(split.error == whole.error);
  }
}

}  // namespace

TEST_CASE("resp reader: valid replies, whole, byte by byte and split everywhere") {
  for (const auto& row : valid_rows()) run_row(row);
}

TEST_CASE("resp reader: limits at limit and limit + 1") {
  for (const auto& row : limit_rows()) run_row(row);
}

TEST_CASE("resp reader: malformed replies are protocol errors") {
  for (const auto& row : malformed_rows()) run_row(row);
}

TEST_CASE("resp reader: incomplete replies wait for more bytes") {
  for (const auto& row : incomplete_rows()) run_row(row);
}

TEST_CASE("resp reader: after an error every call returns the same error") {
  Reader reader;
  reader.feed("+OK\r\n@foo\r\n");
  auto first = reader.next();
  REQUIRE(std::holds_alternative<Value>(first));
  CHECK_FALSE(reader.failed());
  auto error = reader.next();
  REQUIRE(std::holds_alternative<ProtocolError>(error));
  CHECK(reader.failed());
  const std::string message = std::get<ProtocolError>(error).message;
  CHECK(message == "unknown reply type byte 0x40");
  reader.feed("+OK\r\n");  // a broken stream is never resynchronised
  for (int i = 0; i < 3; ++i) {
    auto again = reader.next();
    REQUIRE(std::holds_alternative<ProtocolError>(again));
    CHECK(std::get<ProtocolError>(again).message == message);
  }
}

TEST_CASE("resp reader: CRLF split across two feeds") {
  Reader reader;
  reader.feed("*1\r\n$3\r\nfoo\r");
  CHECK(std::holds_alternative<NeedMore>(reader.next()));
  reader.feed("\n+OK\r");
  auto array_reply = reader.next();
  REQUIRE(std::holds_alternative<Value>(array_reply));
  CHECK(same(std::get<Value>(array_reply), array({bulk("foo")})));
  CHECK(std::holds_alternative<NeedMore>(reader.next()));
  reader.feed("\n");
  auto ok = reader.next();
  REQUIRE(std::holds_alternative<Value>(ok));
  CHECK(same(std::get<Value>(ok), simple("OK")));
}

TEST_CASE("resp reader: doubles ignore the C locale") {
  // de_DE writes 3,14; strtod under it rejects "3.14". The reader must not care.
  const char* set = nullptr;
  for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "de_DE"}) {
    if ((set = std::setlocale(LC_ALL, name)) != nullptr) break;
  }
  if (set == nullptr) WARN("no de_DE locale installed: checking under the current locale only");
  const ReaderOutcome got = run_whole(",3.14\r\n,-1.5e3\r\n");
  std::setlocale(LC_ALL, "C");
  REQUIRE(got.values.size() == 2);
  CHECK(got.values[0].type == Type::double_number);
  CHECK(got.values[0].number == 3.14);
  CHECK(got.values[1].number == -1500.0);
  CHECK_FALSE(got.error.has_value());
}

TEST_CASE("resp reader: a 1,000,000-element array fed in 4 KiB chunks") {
  constexpr std::size_t k_count = 1000000;
  const std::string wire = "*" + std::to_string(k_count) + "\r\n" + repeat(":1\r\n", k_count);
  Reader reader;
  std::optional<Value> got;
  for (std::size_t at = 0; at < wire.size(); at += 4096) {
    reader.feed(std::string_view(wire).substr(at, 4096));
    auto result = reader.next();
    REQUIRE_FALSE(std::holds_alternative<ProtocolError>(result));
    if (auto* v = std::get_if<Value>(&result)) {
      REQUIRE(at + 4096 >= wire.size());  // complete only once the last chunk is in
      got = std::move(*v);
    }
  }
  REQUIRE(got.has_value());
  REQUIRE(got->elements.size() == k_count);
  CHECK(std::all_of(got->elements.begin(), got->elements.end(),
                    [](const Value& v) { return v.type == Type::integer && v.integer == 1; }));
  CHECK(reader.buffered() == 0);
}

TEST_CASE("resp reader: buffered() counts bytes of a value still being built") {
  Reader reader;
  CHECK(reader.buffered() == 0);
  reader.feed("+OK\r\n*2\r\n:1\r\n");
  REQUIRE(std::holds_alternative<Value>(reader.next()));
  CHECK(std::holds_alternative<NeedMore>(reader.next()));
  CHECK(reader.buffered() == 8);  // "*2\r\n:1\r\n" is consumed into the open array, not yet a value
  reader.feed(":2\r\n+PA");
  REQUIRE(std::holds_alternative<Value>(reader.next()));
  CHECK(reader.buffered() == 3);
}

TEST_CASE("resp reader: many replies across buffer compaction") {
  // Enough bytes that the consumed prefix is compacted many times, with replies and open
  // aggregates straddling every compaction, at several chunk sizes.
  const std::string one = "+OK\r\n*2\r\n$5\r\nhello\r\n%1\r\n:1\r\n,2.5\r\n$-1\r\n";
  const Value first = simple("OK");
  const Value second = array({bulk("hello"), map({integer(1), number(2.5)})});
  constexpr std::size_t k_rounds = 20000;
  const std::string wire = repeat(one, k_rounds);
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{100000}}) {
    INFO("chunk size " << chunk);
    std::vector<std::string_view> chunks;
    for (std::size_t at = 0; at < wire.size(); at += chunk) chunks.push_back(std::string_view(wire).substr(at, chunk));
    const ReaderOutcome got = run_chunks(chunks);
    CHECK_FALSE(got.error.has_value());
    CHECK(got.buffered == 0);
    REQUIRE(got.values.size() == 3 * k_rounds);
    bool all_same = true;
    for (std::size_t i = 0; i < got.values.size(); i += 3) {
      all_same =
          all_same && same(got.values[i], first) && same(got.values[i + 1], second) && got.values[i + 2].is_null();
    }
    CHECK(all_same);
  }
}
