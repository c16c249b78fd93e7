// Decoding RQ's stored outcomes: stream entries captured from a real RQ 1.13 worker (Debian
// python3-rq, Redis 7.0) running tests/integration/peers/rq_tasks.py, and the legacy hash
// fields. Nothing is unpickled by Python here: decode::read_pickle builds data only.

#include "job/rq/result.hpp"

#include "decode/zlib_inflate.hpp"

#include <catch2/catch.hpp>

using namespace rctl;
using namespace rctl::job;
using namespace rctl::job::rq;
using Json = nlohmann::ordered_json;
using Fields = std::vector<std::pair<std::string, std::string>>;

namespace {

// rq_tasks.nested_result() on the default (pickle protocol 5) serializer.
const Fields k_success = {
    {"type", "1"},
    {"return_value",
     "gAWVmwAAAAAAAAB9lCiMBG5hbWWUjAxyw6lzdW3DqSDinJOUjAFulEsqjANiaWeUigkAAAAAAAAAAECMBXJhdGlvlEc/"
     "0AAAAAAAAIwCb2uUiIwEbm9"
     "uZZROjAVpdGVtc5RdlChLAYwDdHdvlF2UKEdADAAAAAAAAIllZYwFaW5uZXKUfZSMBGRlZXCUfZQojARsaXN0lF2UjARkaWN0lH2UdXN1Lg=="}};

// rq_tasks.fail('bad ünïcode').
const Fields k_failure = {{"type", "2"},
                          {"exc_string",
                           "eJylkUFOwzAQRfc9xairpEpr2qoCKrGEEyCWrRx3UkxcO8xMCD0VF2DXi5E6oIaKBYi/8h/L/z/"
                           "b96QN5tqUkOwCCxAa9AJGOwdOs6TLAcCddQhDVTMp"
                           "Z3NV7eUx+LnaWJZx1Z7VW2RFz6oJVCJNqv0wA2c9wnS+"
                           "uM7AeqiQikC79VPI2zwAeoEbaM3kcyNJ4zhq1dcf2mPcqXp6edWvjvmMrpisCbl20gJ0Fl/R"
                           "1IJ9BPgZ5j84s+ki4nzVdc/wjaSovUlGcalpyxmMOlM2R3uGt/"
                           "qFTrTHn1GNjFsoVoIsrKwX3JIWG7yqEOkIvRbNJfewZxcRutDWdcDaMsKDdjXeEgVK"
                           "dsjc3jgdnGZLyPUGDu/+8GbCBgcfdl/GEg=="}};

// rq_tasks.echo('x', 2, k=[1, {'a': None}]) on a worker with -S rq.serializers.JSONSerializer.
const Fields k_json_success = {
    {"type", "1"}, {"return_value", "eyJhcmdzIjogWyJ4IiwgMl0sICJrd2FyZ3MiOiB7ImsiOiBbMSwgeyJhIjogbnVsbH1dfX0="}};

}  // namespace

TEST_CASE("job result: a pickled return value from a real worker", "[ops][job][result]") {
  auto r = decode_result_entry("1795325997211-0", k_success, Serializer::pickle);
  CHECK(r.source == "stream");
  CHECK(r.type_code == 1);
  CHECK(r.type == "successful");
  CHECK(r.created_at_ms == 1795325997211);
  CHECK(r.problems.empty());
  REQUIRE(r.return_value);
  CHECK(r.return_value->format == decode::Format::pickle);
  // 2**70 is beyond int64: the reader gives its decimal digits.
  CHECK(*r.return_value->data == Json::parse(R"({"name": "résumé ✓", "n": 42, "big": "1180591620717411303424",
      "ratio": 0.25, "ok": true, "none": null, "items": [1, "two", [3.5, false]],
      "inner": {"deep": {"list": [], "dict": {}}}})"));
  CHECK_FALSE(r.exc_string);
}

TEST_CASE("job result: a traceback from a real worker", "[ops][job][result]") {
  auto r = decode_result_entry("1795325997327-0", k_failure, Serializer::pickle);
  CHECK(r.type_code == 2);
  CHECK(r.type == "failed");
  CHECK_FALSE(r.return_value);
  REQUIRE(r.exc_string);
  CHECK_THAT(*r.exc_string, Catch::StartsWith("Traceback (most recent call last):\n"));
  CHECK_THAT(*r.exc_string, Catch::EndsWith("ValueError: bad ünïcode\n"));
  CHECK_THAT(*r.exc_string, Catch::Contains("raise ValueError(message)"));
}

TEST_CASE("job result: None is stored as no return_value at all", "[ops][job][result]") {
  auto r = decode_result_entry("1795325997415-0", {{"type", "1"}}, Serializer::pickle);
  CHECK(r.type == "successful");
  CHECK_FALSE(r.return_value);
  CHECK(r.problems.empty());
}

TEST_CASE("job result: JSON serializer", "[ops][job][result]") {
  auto r = decode_result_entry("1795326000359-0", k_json_success, Serializer::json);
  REQUIRE(r.return_value);
  CHECK(r.return_value->format == decode::Format::json);
  CHECK(*r.return_value->data == Json::parse(R"({"args": ["x", 2], "kwargs": {"k": [1, {"a": null}]}})"));
}

TEST_CASE("job result: RQ 2.x extra fields and unknown types are kept", "[ops][job][result]") {
  auto r =
      decode_result_entry("1-0", {{"type", "5"}, {"worker_name", "w1"}, {"execution_id", "abc"}}, Serializer::pickle);
  CHECK(r.type == "max_retries_exceeded");
  CHECK(r.extra == Fields{{"worker_name", "w1"}, {"execution_id", "abc"}});
  auto odd = decode_result_entry("2-0", {{"type", "9"}}, Serializer::pickle);
  CHECK(odd.type == "unknown");
}

TEST_CASE("job result: damaged entries are reported, not fatal", "[ops][job][result]") {
  auto r = decode_result_entry("x", {{"type", "2"}, {"exc_string", "%%%"}, {"return_value", "bm90IGEgcGlja2xl"}},
                               Serializer::pickle);
  CHECK_FALSE(r.created_at_ms);
  REQUIRE(r.problems.size() == 1);
  CHECK_THAT(r.problems[0], Catch::Contains("exc_string: not base64"));
  REQUIRE(r.return_value);  // "not a pickle": shown as what it is, with the reason
  CHECK(r.return_value->format == decode::Format::utf8_text);
  CHECK_THAT(r.return_value->note, Catch::Contains("not pickle"));
  auto missing = decode_result_entry("1-0", {}, Serializer::pickle);
  CHECK(missing.type == "unknown");
  CHECK(missing.problems.size() == 1);
}

TEST_CASE("job result: legacy hash fields (Redis < 5)", "[ops][job][result]") {
  auto ok = decode_legacy_result(std::string("\x80\x02K\x07.", 5), "", Serializer::pickle);
  REQUIRE(ok);
  CHECK(ok->source == "hash");
  CHECK(ok->type == "successful");
  CHECK(*ok->return_value->data == 7);
  auto failed = decode_legacy_result("", decode::deflate("Traceback...\nKeyError: 'x'\n"), Serializer::pickle);
  REQUIRE(failed);
  CHECK(failed->type == "failed");
  CHECK(*failed->exc_string == "Traceback...\nKeyError: 'x'\n");
  // RQ's requeue saves exc_info = zlib.compress(b''): that is no outcome.
  CHECK_FALSE(decode_legacy_result("", decode::deflate(""), Serializer::pickle));
  CHECK_FALSE(decode_legacy_result("", "", Serializer::pickle));
  // Uncompressed exc_info is read as it is, as RQ falls back to.
  CHECK(*decode_legacy_result("", "plain text", Serializer::pickle)->exc_string == "plain text");
}

TEST_CASE("job result: job data, pickle and JSON", "[ops][job][result]") {
  static const char bytes[] = "\x80\x02(X\x0c\x00\x00\x00rq_tasks.addN(J\x01\x00\x00\x00J\x02\x00\x00\x00t}t.";
  const std::string pickled(bytes, sizeof bytes - 1);
  for (const auto& data : {pickled, decode::deflate(pickled)}) {
    auto call = decode_job_data(data);
    CHECK(call.problem.empty());
    CHECK(call.serializer == Serializer::pickle);
    CHECK(call.func_name == "rq_tasks.add");
    CHECK(call.instance.is_null());
    CHECK(call.args == Json::array({1, 2}));
    CHECK(call.kwargs == Json::object());
  }
  auto json = decode_job_data(decode::deflate(R"(["m.f", null, ["a"], {"k": 1}])"));
  CHECK(json.serializer == Serializer::json);
  CHECK(json.kwargs == Json{{"k", 1}});
  CHECK_THAT(decode_job_data("").problem, Catch::Contains("neither"));
  CHECK_THAT(decode_job_data(decode::deflate("[1, 2]")).problem, Catch::Contains("tuple"));
  // A bound-method "instance" that would run os.system('id') if unpickled: read as data only.
  static const char evil_bytes[] = "\x80\x02(X\x03\x00\x00\x00m.fcos\nsystem\n(X\x02\x00\x00\x00idtR(t}t.";
  auto evil = decode_job_data(std::string(evil_bytes, sizeof evil_bytes - 1));
  CHECK(evil.problem.empty());
  CHECK(evil.func_name == "m.f");
  CHECK(evil.instance["$pickle"] == "os.system");
  CHECK(evil.instance["args"] == Json::array({"id"}));
}

TEST_CASE("job result: zlib of an empty string matches Python's zlib.compress(b'')", "[ops][job][result]") {
  CHECK(decode::deflate("") == std::string("x\x9c\x03\x00\x00\x00\x00\x01", 8));
}

TEST_CASE("job result: inflation limits, at the limit and one past it", "[ops][job][result]") {
  std::vector<std::string> problems;
  const std::string at_limit(k_max_traceback_bytes, 'a');
  CHECK(traceback_text(decode::deflate(at_limit), problems) == at_limit);
  CHECK(problems.empty());
  CHECK(traceback_text(decode::deflate(at_limit + "a"), problems).empty());
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains("exceeds"));

  // Job data: a JSON job tuple padded to exactly the limit, then one byte more.
  const std::string head = R"(["m.f", null, [")";
  const std::string tail = R"("], {}])";
  const std::string data = head + std::string(k_max_job_data_bytes - head.size() - tail.size(), 'x') + tail;
  REQUIRE(data.size() == k_max_job_data_bytes);
  auto call = decode_job_data(decode::deflate(data));
  CHECK(call.problem.empty());
  CHECK(call.func_name == "m.f");
  const std::string over = head + std::string(k_max_job_data_bytes + 1 - head.size() - tail.size(), 'x') + tail;
  CHECK_THAT(decode_job_data(decode::deflate(over)).problem, Catch::Contains("exceeds"));
}
