// The exact MULTI an enqueue writes (formats.md §1.7; RQ 1.13 queue.py enqueue_job and
// schedule_job, job.py to_dict), for fixed jobs. Compressed bytes were checked against
// Python's zlib.compress of the same payload.

#include "job/rq/record.hpp"

#include "decode/bytes.hpp"
#include "decode/zlib_inflate.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace rctl;
using namespace rctl::job;
using namespace rctl::job::rq;
using Json = nlohmann::ordered_json;
using Args = std::vector<std::string>;

namespace {

// 2026-11-22T03:12:29.967737Z
SystemTime fixed_now() { return SystemTime(std::chrono::seconds(1795317149)) + std::chrono::microseconds(967737); }

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::vector<Args> args_of(const std::vector<rctl::client::Command>& commands) {
  std::vector<Args> out;
  for (const auto& c : commands) out.push_back(c.args);
  return out;
}

Args hset_prefix(const std::string& id) { return {"HSET", "rq:job:" + id}; }

}  // namespace

TEST_CASE("job record: a plain enqueue, byte for byte", "[ops][job][record]") {
  EnqueueRequest r;
  r.func = "rq_tasks.add";
  r.args = Json::array({1, 2});
  r.job_id = "fixed-id-1";
  auto job = build_job_record(r, fixed_now(), "unused");
  REQUIRE(job);
  const std::string ts = "2026-11-22T03:12:29.967737Z";
  // Python: zlib.compress(b'\x80\x02(X\x0c\x00\x00\x00rq_tasks.addN(J\x01\x00\x00\x00J\x02\x00\x00\x00t}t.')
  const std::string data = unhex("789c6b60d288e0616060282a8c2f492cce2ed64b4c49f1d3f062040a7931018992da123d00a2cc086e");
  Args hset = hset_prefix("fixed-id-1");
  for (const auto& s : Args{"status",
                            "queued",
                            "created_at",
                            ts,
                            "data",
                            data,
                            "success_callback_name",
                            "",
                            "failure_callback_name",
                            "",
                            "stopped_callback_name",
                            "",
                            "started_at",
                            "",
                            "ended_at",
                            "",
                            "last_heartbeat",
                            "",
                            "worker_name",
                            "",
                            "group_id",
                            "",
                            "origin",
                            "default",
                            "description",
                            "rq_tasks.add(1, 2)",
                            "enqueued_at",
                            ts,
                            "timeout",
                            "180"})
    hset.push_back(s);
  const std::vector<Args> expected = {
      {"MULTI"}, {"SADD", "rq:queues", "rq:queue:default"}, hset, {"RPUSH", "rq:queue:default", "fixed-id-1"}, {"EXEC"},
  };
  auto commands = enqueue_commands(*job);
  CHECK(args_of(commands) == expected);
  for (const auto& c : commands) CHECK_FALSE(c.retry_safe);
  // Keyed commands route by their key (index 1); MULTI/EXEC have none.
  CHECK(commands[1].routing_key() == "rq:queues");
  CHECK(commands[2].routing_key() == "rq:job:fixed-id-1");
  CHECK(commands[3].routing_key() == "rq:queue:default");
  CHECK_FALSE(commands[0].has_key());
}

TEST_CASE("job record: every option", "[ops][job][record]") {
  EnqueueRequest r;
  r.func = "rq_tasks.echo";
  r.args = Json::array({"x"});
  r.kwargs = Json{{"k", 1}};
  r.queue = "high";
  r.timeout_s = -1;
  r.result_ttl_s = 100;
  r.failure_ttl_s = 300;
  r.ttl_s = 600;
  r.description = "custom";
  r.at_front = true;
  r.meta = Json{{"a", 1}};
  auto job = build_job_record(r, fixed_now(), "0836feb6-11f7-4666-acc7-2d3de7620846");
  REQUIRE(job);
  CHECK(job->id == "0836feb6-11f7-4666-acc7-2d3de7620846");
  auto commands = args_of(enqueue_commands(*job));
  REQUIRE(commands.size() == 6);
  CHECK(commands[1] == Args{"SADD", "rq:queues", "rq:queue:high"});
  CHECK(commands[3] == Args{"EXPIRE", "rq:job:0836feb6-11f7-4666-acc7-2d3de7620846", "600"});
  CHECK(commands[4] == Args{"LPUSH", "rq:queue:high", "0836feb6-11f7-4666-acc7-2d3de7620846"});
  std::map<std::string, std::string> fields;
  for (std::size_t i = 2; i + 1 < commands[2].size(); i += 2) fields[commands[2][i]] = commands[2][i + 1];
  CHECK(fields["description"] == "custom");
  CHECK(fields["timeout"] == "-1");
  CHECK(fields["result_ttl"] == "100");
  CHECK(fields["failure_ttl"] == "300");
  CHECK(fields["ttl"] == "600");
  CHECK(fields["origin"] == "high");
  // meta: pickle protocol 2 of {'a': 1}, not compressed (RQ writes serializer.dumps(meta)).
  CHECK(fields["meta"] == std::string("\x80\x02}(X\x01\x00\x00\x00"
                                      "aJ\x01\x00\x00\x00u.",
                                      17));
  CHECK_FALSE(fields.contains("enqueue_at_front"));  // only scheduled jobs keep the wish
}

TEST_CASE("job record: a scheduled job goes to the scheduled registry, not the queue", "[ops][job][record]") {
  EnqueueRequest r;
  r.func = "os.getcwd";
  r.job_id = "later";
  r.schedule_at = 1795320000;
  r.at_front = true;
  r.ttl_s = 60;
  auto job = build_job_record(r, fixed_now(), "");
  REQUIRE(job);
  auto commands = args_of(enqueue_commands(*job));
  REQUIRE(commands.size() == 5);
  CHECK(commands[3] == Args{"ZADD", "rq:scheduled:default", "1795320000", "later"});
  std::map<std::string, std::string> fields;
  for (std::size_t i = 2; i + 1 < commands[2].size(); i += 2) fields[commands[2][i]] = commands[2][i + 1];
  CHECK(fields["status"] == "scheduled");
  CHECK_FALSE(fields.contains("enqueued_at"));  // schedule_job does not enqueue yet
  CHECK(fields["enqueue_at_front"] == "1");  // the scheduler LPUSHes it then
  CHECK(fields["ttl"] == "60");  // kept; the EXPIRE comes when it is enqueued
  CHECK(fields["description"] == "os.getcwd()");
}

TEST_CASE("job record: JSON serializer writes what RQ's JSONSerializer writes", "[ops][job][record]") {
  EnqueueRequest r;
  r.func = "rq_tasks.add";
  r.args = Json::array({1, "é"});
  r.kwargs = Json{{"k", Json::array({true})}};
  r.meta = Json{{"who", "ci"}};
  r.serializer = Serializer::json;
  auto job = build_job_record(r, fixed_now(), "id-1");
  REQUIRE(job);
  std::map<std::string, std::string> fields(job->fields.begin(), job->fields.end());
  // Python: zlib.compress(json.dumps(['rq_tasks.add', None, [1, 'é'], {'k': [True]}]).encode())
  CHECK(fields["data"] == unhex("789c8b562a2a8c2f492cce2ed64b4c4951d251c82bcdc9d1518836d451508a29353048b5548ad551a856"
                                "ca56b252882e292a4d8dad8d0500b17e101c"));
  CHECK(decode::inflate_capped(fields["data"], 1000).value() ==
        R"(["rq_tasks.add", null, [1, "\u00e9"], {"k": [true]}])");
  CHECK(fields["meta"] == R"({"who": "ci"})");
  CHECK(fields["description"] == "rq_tasks.add(1, 'é', k=[True])");
}

TEST_CASE("job record: bad requests are refused before anything is written", "[ops][job][record]") {
  auto refused = [](auto tweak) {
    EnqueueRequest r;
    r.func = "m.f";
    tweak(r);
    auto job = build_job_record(r, fixed_now(), "id");
    REQUIRE_FALSE(job);
    CHECK(job.error().kind == ErrorKind::usage);
    return job.error().message;
  };
  CHECK_THAT(refused([](EnqueueRequest& r) { r.func.clear(); }), Catch::Contains("empty"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.func = "f(1)"; }), Catch::Contains("import path"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.func = "print"; }), Catch::Contains("import path"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.func = "m..f"; }), Catch::Contains("import path"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.func = ".m.f"; }), Catch::Contains("import path"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.job_id = "has:colon"; }), Catch::Contains("A-Z"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.job_id = ""; }), Catch::Contains("--job-id"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.timeout_s = 0; }), Catch::Contains("--timeout"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.timeout_s = -2; }), Catch::Contains("--timeout"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.ttl_s = 0; }), Catch::Contains("--ttl"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.result_ttl_s = -5; }), Catch::Contains("--result-ttl"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.meta = Json::array(); }), Catch::Contains("--meta"));
  CHECK_THAT(refused([](EnqueueRequest& r) { r.args = Json::array({std::string("\xff", 1)}); }),
             Catch::Contains("serialize"));
}

TEST_CASE("job record: ids", "[ops][job][record]") {
  for (int i = 0; i < 20; ++i) {
    auto id = new_job_id();
    REQUIRE(id.size() == 36);
    CHECK(id[8] == '-');
    CHECK(id[14] == '4');  // version 4
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);  // RFC 4122 variant
    CHECK(valid_job_id(id));
  }
  CHECK(new_job_id() != new_job_id());
  CHECK(valid_job_id("A-z_09"));
  CHECK_FALSE(valid_job_id("a b"));
  CHECK_FALSE(valid_job_id("é"));
}
