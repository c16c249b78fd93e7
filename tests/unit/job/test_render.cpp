// The JSON contract and the escaped human form of `job status`.

#include "job/rq/read.hpp"
#include "job/render.hpp"
#include "output/printer.hpp"

#include <catch2/catch.hpp>

using namespace rctl;
using namespace rctl::job;
using namespace rctl::job::rq;
using Json = nlohmann::ordered_json;

namespace {

JobSnapshot finished_job() {
  JobSnapshot job;
  job.id = "j1";
  job.exists = true;
  job.status = "finished";
  job.origin = "default";
  job.fields = {{"status", "finished"},
                {"origin", "default"},
                {"description", "evil \x1b]0;x\x07 desc"},
                {"created_at", "2026-11-22T03:12:29.967737Z"},
                {"enqueued_at", "2026-11-22T03:12:29.967737Z"},
                {"started_at", ""},
                {"timeout", "180"},
                {"result_ttl", "-1"}};
  job.call.serializer = Serializer::pickle;
  job.call.func_name = "m.f";
  job.call.args = Json::array({1});
  job.registries = {Registry::finished};
  JobResult r;
  r.source = "stream";
  r.entry_id = "1795317149967-0";
  r.created_at_ms = 1795317149967;
  r.type_code = 1;
  r.type = "successful";
  r.return_value = decode::DecodedValue{decode::Format::pickle, Json{{"ok", true}}, false, ""};
  job.result = r;
  return job;
}

}  // namespace

TEST_CASE("job render: the JSON contract of job status", "[ops][job][render]") {
  const auto now = SystemTime(std::chrono::seconds(1795317200));
  auto doc = render_job(finished_job(), WaitInfo{}, now);
  const auto& j = doc.json;
  CHECK(j["id"] == "j1");
  CHECK(j["status"] == "finished");
  CHECK(j["ended"] == true);
  CHECK(j["func_name"] == "m.f");
  CHECK(j["args"] == Json::array({1}));
  CHECK(j["serializer"] == "pickle");
  CHECK(j["description"] == "evil \x1b]0;x\x07 desc");
  CHECK(j["started_at"].is_null());  // RQ's "" means unset
  CHECK(j["timeout_s"] == 180);
  CHECK(j["result_ttl_s"] == -1);
  CHECK(j["failure_ttl_s"].is_null());
  CHECK(j["registries"] == Json::array({"finished"}));
  CHECK(j["result"]["type"] == "successful");
  CHECK(j["result"]["return_value"] == Json{{"ok", true}});
  CHECK(j["result"]["current"] == true);
  CHECK_FALSE(j.contains("wait"));

  WaitInfo wait;
  wait.waited = true;
  wait.timed_out = true;
  wait.elapsed = std::chrono::milliseconds(1500);
  auto queued = finished_job();
  queued.status = "queued";
  auto waited = render_job(queued, wait, now).json;
  CHECK(waited["wait"] == Json{{"timed_out", true}, {"elapsed_ms", 1500}});
  CHECK(waited["result"]["current"] == false);  // a queued job's result is from an earlier run
}

TEST_CASE("job render: nothing from Redis reaches the terminal raw", "[ops][job][render]") {
  auto text = output::render_table(render_job(finished_job(), WaitInfo{}, SystemTime{}), false);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\x07') == std::string::npos);
  CHECK(text.find("evil \\x1b]0;x\\x07 desc") != std::string::npos);
  CHECK(text.find("m.f(1)") != std::string::npos);
  CHECK(text.find("-1 (kept forever)") != std::string::npos);
}
