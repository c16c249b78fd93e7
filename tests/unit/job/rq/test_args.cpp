// The `rq enqueue` argument grammar (RQ 1.13 rq/cli/helpers.py parse_function_arg) as
// `rctl job enqueue` reads it.

#include "job/rq/args.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace rctl;
using namespace rctl::job;
using namespace rctl::job::rq;
using Json = nlohmann::ordered_json;

namespace {

// A file reader over an in-memory map, so that tests touch no disk.
ArgumentFileReader files(std::map<std::string, std::string> contents) {
  return [contents](const std::string& path) -> Expected<std::string> {
    auto it = contents.find(path);
    if (it == contents.end()) return fail(ErrorKind::usage, "cannot read file '" + path + "'");
    return it->second;
  };
}

JobArguments parse(std::vector<std::string> argv, std::map<std::string, std::string> f = {}) {
  auto r = parse_job_arguments(argv, files(std::move(f)));
  INFO((r ? std::string("ok") : r.error().message));
  REQUIRE(r);
  return *r;
}

std::string args_error_of(std::vector<std::string> argv, std::map<std::string, std::string> f = {}) {
  auto r = parse_job_arguments(argv, files(std::move(f)));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::usage);
  return r.error().message;
}

}  // namespace

TEST_CASE("job args: positional and keyword, text and JSON", "[ops][job][args]") {
  auto a = parse({"hello", ":42", ":{\"a\": [1, null]}", "k=v", "n:=[1.5, true]", "empty=", ":\"s\""});
  CHECK(a.args == Json::parse(R"(["hello", 42, {"a": [1, null]}, "s"])"));
  CHECK(a.kwargs == Json::parse(R"({"k": "v", "n": [1.5, true], "empty": ""})"));
  CHECK(a.kwargs.begin().key() == "k");  // order as given
}

TEST_CASE("job args: RQ's rules for '=' and ':'", "[ops][job][args]") {
  // '=' first: not a keyword.
  CHECK(parse({"=x"}).args == Json::array({"=x"}));
  // ":=" counts only when the FIRST ':' sits right before the first '='.
  auto a = parse({"a:b=c", "url=http://h:1/x?y=z", "t=a:=b"});
  CHECK(a.kwargs == Json::parse(R"({"a:b": "c", "url": "http://h:1/x?y=z", "t": "a:=b"})"));
  // A positional text argument keeps ':' and '%' inside it.
  CHECK(parse({"ratio:50%", "-5"}).args == Json::array({"ratio:50%", "-5"}));
  // '%' not right before '=' is part of a text keyword.
  CHECK(parse({"a%b=1"}).kwargs == Json{{"a%b", "1"}});
}

TEST_CASE("job args: unicode and large integers", "[ops][job][args]") {
  auto a =
      parse({"héllo ✓", ":\"\\u00e9\\ud83d\\ude00\"", ":18446744073709551615", ":-9223372036854775808", ":2147483648"});
  CHECK(a.args[0] == "héllo ✓");
  CHECK(a.args[1] == "é\U0001F600");
  CHECK(a.args[2].get<std::uint64_t>() == 18446744073709551615ull);
  CHECK(a.args[3].get<std::int64_t>() == INT64_MIN);
  CHECK(a.args[4].get<std::int64_t>() == 2147483648);
  // Python's json.loads keeps these exact; rctl cannot, so it refuses instead of rounding.
  CHECK_THAT(args_error_of({":18446744073709551616"}),
             Catch::Contains("18446744073709551616") && Catch::Contains("outside"));
  CHECK_THAT(args_error_of({"k:=[1, -9223372036854775809]"}), Catch::Contains("keyword argument 'k'"));
  // Digits inside strings and floats are not integers.
  CHECK(parse({":\"123456789012345678901234567890\"", ":12345678901234567890123.5"}).args[0] ==
        "123456789012345678901234567890");
}

TEST_CASE("job args: files, as Python's text-mode open() reads them", "[ops][job][args]") {
  std::map<std::string, std::string> f = {{"body.txt", "line 1\r\nline 2\rend\n"}, {"data.json", "{\"x\": [1, 2]}\n"}};
  auto a = parse({"@body.txt", ":@data.json", "k=@body.txt", "j:=@data.json"}, f);
  CHECK(a.args == Json::array({"line 1\nline 2\nend\n", Json{{"x", {1, 2}}}}));
  CHECK(a.kwargs == Json{{"k", "line 1\nline 2\nend\n"}, {"j", Json{{"x", {1, 2}}}}});
  CHECK_THAT(args_error_of({"@missing.txt"}), Catch::Contains("cannot read file 'missing.txt'"));
  CHECK_THAT(args_error_of({"@bin"}, {{"bin", std::string("\xff\xfe", 2)}}), Catch::Contains("not UTF-8"));
  CHECK_THAT(args_error_of({":@bad.json"}, {{"bad.json", "{nope"}}), Catch::Contains("not valid JSON"));
}

TEST_CASE("job args: refusals", "[ops][job][args]") {
  CHECK_THAT(args_error_of({"%[1, 2]"}), Catch::Contains("Python literals"));
  CHECK_THAT(args_error_of({"k%=(1, 2)"}), Catch::Contains("Python literals"));
  CHECK_THAT(args_error_of({":{bad"}), Catch::Contains("argument 1") && Catch::Contains("not valid JSON"));
  CHECK_THAT(args_error_of({"x", ":"}), Catch::Contains("argument 2"));
  CHECK_THAT(args_error_of({"k=1", "k:=2"}), Catch::Contains("keyword argument 'k' is given more than once"));
  CHECK_THAT(args_error_of({std::string("\xc3", 1)}), Catch::Contains("not UTF-8"));
  CHECK_THAT(args_error_of({":NaN"}), Catch::Contains("not valid JSON"));
}

TEST_CASE("job args: --meta style JSON values", "[ops][job][args]") {
  CHECK(parse_json_argument(R"({"a": 1})", "--meta").value() == Json{{"a", 1}});
  auto bad = parse_json_argument("{", "--meta");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::StartsWith("--meta: not valid JSON"));
}
