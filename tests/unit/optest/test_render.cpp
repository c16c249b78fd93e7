// rctl test: the JSON contract and the table of a synthetic report.

#include "optest/optest.hpp"
#include "optest/render.hpp"
#include "output/printer.hpp"

#include <catch2/catch.hpp>

using namespace rctl;

namespace {

optest::TestReport sample_report() {
  optest::TestReport r;
  r.target = "redis://127.0.0.1:6379";
  r.run_id = "k3j9x2ab0q";
  r.options.groups = {optest::TestGroup::strings, optest::TestGroup::scripting, optest::TestGroup::pipelining};
  r.options.iterations = 3;
  r.duration_ms = 12.3456;
  auto& n = r.nodes.emplace_back();
  n.address = "127.0.0.1:6379";
  n.key_namespace = "rctl:test:{k3j9x2ab0q}:";
  n.slot = 1234;
  n.protocol = 3;
  n.server.version = "7.0.15";
  n.server.maxmemory_bytes = 0;
  n.server.databases = 16;
  n.cleanup.keys_removed = 42;

  optest::GroupResult strings{optest::TestGroup::strings};
  optest::OperationResult set_get{"set_get", {"SET", "GET"}};
  set_get.samples_ms = {0.2, 0.1, 0.3};
  set_get.detail = "round trip";
  strings.operations.push_back(set_get);
  n.groups.push_back(strings);

  optest::GroupResult scripting{optest::TestGroup::scripting};
  optest::OperationResult eval{"eval", {"EVAL"}};
  eval.outcome = optest::Outcome::unsupported;
  eval.command = "EVAL";
  eval.reason = "ERR unknown command 'EVAL'\x1b[31m\xff";
  scripting.operations.push_back(eval);
  optest::OperationResult fcall{"fcall", {"FCALL"}};
  fcall.outcome = optest::Outcome::skipped;
  fcall.reason = "FUNCTION LOAD did not pass";
  scripting.operations.push_back(fcall);
  n.groups.push_back(scripting);

  optest::GroupResult pipelining{optest::TestGroup::pipelining};
  optest::OperationResult incr{"pipeline_incr", {"INCR"}};
  incr.samples_ms = {2.0};
  incr.ops_per_sec = 500000.4;
  pipelining.operations.push_back(incr);
  n.groups.push_back(pipelining);
  return r;
}

}  // namespace

TEST_CASE("ops optest render: JSON fields") {
  auto r = sample_report();
  auto doc = optest::render_test_report(r);
  const auto& j = doc.json;
  CHECK(j["target"] == "redis://127.0.0.1:6379");
  CHECK(j["mode"] == "standalone");
  CHECK(j["run_id"] == "k3j9x2ab0q");
  CHECK(j["verdict"] == "unsupported");
  CHECK(j["success"] == true);
  CHECK(j["strict"] == false);
  CHECK(j["interrupted"] == false);
  CHECK(j["iterations"] == 3);
  CHECK(j["groups_selected"] == nlohmann::ordered_json{"strings", "scripting", "pipelining"});
  CHECK(j["duration_ms"] == 12.346);

  REQUIRE(j["groups"].size() == 3);
  CHECK(j["groups"][0]["name"] == "strings");
  CHECK(j["groups"][0]["verdict"] == "pass");
  CHECK(j["groups"][0]["problems"].empty());
  const auto& scripting = j["groups"][1];
  CHECK(scripting["verdict"] == "unsupported");
  REQUIRE(scripting["problems"].size() == 1);  // skipped operations are not problems
  CHECK(scripting["problems"][0]["node"] == "127.0.0.1:6379");
  CHECK(scripting["problems"][0]["operation"] == "eval");
  CHECK(scripting["problems"][0]["outcome"] == "unsupported");
  CHECK(scripting["problems"][0]["command"] == "EVAL");
  // The reason is not valid UTF-8: it comes as base64, never as raw bytes.
  CHECK(scripting["problems"][0]["reason"].contains("base64"));

  const auto& node = j["nodes"][0];
  CHECK(node["address"] == "127.0.0.1:6379");
  CHECK(node["namespace"] == "rctl:test:{k3j9x2ab0q}:");
  CHECK(node["slot"] == 1234);
  CHECK(node["protocol"] == 3);
  CHECK(node["tls"] == false);
  CHECK(node["verdict"] == "unsupported");
  CHECK(node["error"].is_null());
  CHECK(node["server"]["version"] == "7.0.15");
  CHECK(node["server"]["maxmemory_bytes"] == 0);
  CHECK(node["server"]["databases"] == 16);
  CHECK(node["server"]["maxmemory_policy"].is_null());
  CHECK(node["server"]["clock_offset_ms"].is_null());
  CHECK(node["cleanup"]["kept"] == false);
  CHECK(node["cleanup"]["keys_removed"] == 42);
  CHECK(node["cleanup"]["stray_keys_removed"] == 0);
  CHECK(node["cleanup"]["error"].is_null());

  const auto& set_get = node["groups"][0]["operations"][0];
  CHECK(set_get["name"] == "set_get");
  CHECK(set_get["commands"] == nlohmann::ordered_json{"SET", "GET"});
  CHECK(set_get["outcome"] == "pass");
  CHECK(set_get["command"].is_null());
  CHECK(set_get["reason"].is_null());
  CHECK(set_get["detail"] == "round trip");
  CHECK(set_get["latency_ms"]["samples"] == 3);
  CHECK(set_get["latency_ms"]["min"] == 0.1);
  CHECK(set_get["latency_ms"]["p50"] == 0.2);
  CHECK(set_get["latency_ms"]["p99"] == 0.3);
  CHECK(set_get["latency_ms"]["max"] == 0.3);
  CHECK(set_get["ops_per_sec"].is_null());

  const auto& fcall = node["groups"][1]["operations"][1];
  CHECK(fcall["outcome"] == "skipped");
  CHECK(fcall["latency_ms"].is_null());
  CHECK(node["groups"][2]["operations"][0]["ops_per_sec"] == 500000);
  // Valid JSON even with invalid UTF-8 inside.
  CHECK_NOTHROW(nlohmann::json::parse(output::render_json(j)));
}

TEST_CASE("ops optest render: strict and failures change success, not the labels") {
  auto r = sample_report();
  r.options.strict = true;
  auto j = optest::render_test_report(r).json;
  CHECK(j["verdict"] == "unsupported");
  CHECK(j["success"] == false);
  r.options.strict = false;
  r.nodes[0].groups[0].operations[0].outcome = optest::Outcome::fail;
  j = optest::render_test_report(r).json;
  CHECK(j["verdict"] == "fail");
  CHECK(j["success"] == false);
  CHECK(j["groups"][0]["verdict"] == "fail");
}

TEST_CASE("ops optest render: the table escapes what the server sent") {
  auto text = output::render_table(optest::render_test_report(sample_report()), false);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK_THAT(text, Catch::Contains("\\x1b[31m"));
  CHECK_THAT(text, Catch::Contains("set_get"));
  CHECK_THAT(text, Catch::Contains("FUNCTION LOAD did not pass"));
  CHECK_THAT(text, Catch::Contains("Verdict per group"));
  CHECK_THAT(text, Catch::Contains("42 keys removed"));
}
