// Sidekiq's job payload: what rctl pushes against what Sidekiq 6.4.1's Client.push wrote to
// Redis (captured from Debian's ruby-sidekiq), and how payloads from the retry set read.

#include "job/sidekiq/job.hpp"

#include <catch2/catch.hpp>

#include <regex>

using namespace rctl::job::sidekiq;

namespace {

// Sidekiq::Client.push("class" => "HardWorker", "args" => [1, "a", {"k" => 2}]), with
// enqueued_at set equal to created_at (rctl stamps both with one clock reading).
const std::string k_ruby_pushed =
    R"J({"retry":true,"queue":"default","class":"HardWorker","args":[1,"a",{"k":2}],"jid":"0c1393684371b1600bc9c4bb","created_at":1796572556.4334805,"enqueued_at":1796572556.4334805})J";

// A payload Sidekiq's JobRetry wrote to the retry set after a second failure.
const std::string k_retried =
    R"J({"retry":true,"queue":"mail","class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","wrapped":"SendMail","args":[{"job_class":"SendMail"}],"jid":"8f2c1d0e9b7a6f5e4d3c2b1a","created_at":1796572556.5,"enqueued_at":1796572560.25,"error_message":"timeout talking to smtp","error_class":"Net::ReadTimeout","failed_at":1796572557.0,"retry_count":1,"retried_at":1796572590.75})J";

}  // namespace

TEST_CASE("sidekiq encode_push writes what Client.push writes", "[job][sidekiq]") {
  PushRequest r;
  r.klass = "HardWorker";
  r.args = Json::array({1, "a", Json{{"k", 2}}});
  CHECK(encode_push(r, "0c1393684371b1600bc9c4bb", 1796572556.4334805) == k_ruby_pushed);
  r.queue = "crit";
  r.args = Json::array({"é", nullptr, 2.5, true});
  CHECK(
      encode_push(r, "0c1393684371b1600bc9c4bb", 1796572556.0) ==
      R"J({"retry":true,"queue":"crit","class":"HardWorker","args":["é",null,2.5,true],"jid":"0c1393684371b1600bc9c4bb","created_at":1796572556.0,"enqueued_at":1796572556.0})J");
}

TEST_CASE("sidekiq new_jid is SecureRandom.hex(12)'s shape", "[job][sidekiq]") {
  const auto a = new_jid(), b = new_jid();
  CHECK(std::regex_match(a, std::regex("[0-9a-f]{24}")));
  CHECK(a != b);
}

TEST_CASE("sidekiq args: positionals, then key=value arguments as one trailing hash", "[job][sidekiq]") {
  auto parsed = rctl::job::rq::parse_job_arguments({"a", ":1", "k=v", "n:=2"});
  REQUIRE(parsed);
  CHECK(sidekiq_args(*parsed).dump() == R"(["a",1,{"k":"v","n":2}])");
  auto plain = rctl::job::rq::parse_job_arguments({":[1]"});
  REQUIRE(plain);
  CHECK(sidekiq_args(*plain).dump() == "[[1]]");
}

TEST_CASE("sidekiq decode_job reads a retried ActiveJob payload", "[job][sidekiq]") {
  auto j = decode_job(k_retried);
  REQUIRE(j.valid);
  CHECK(j.jid == "8f2c1d0e9b7a6f5e4d3c2b1a");
  CHECK(j.wrapped == "SendMail");
  CHECK(j.queue == "mail");
  CHECK(j.retry_count == 1);
  CHECK(j.error_class == "Net::ReadTimeout");
  CHECK(j.enqueued_at == 1796572560.25);
  CHECK(matches_filter(j, "SendMail"));  // the wrapped class
  CHECK(matches_filter(j, "smtp"));  // part of the message
  CHECK(matches_filter(j, "ReadTimeout"));
  CHECK_FALSE(matches_filter(j, "Send"));  // a class name must match whole
  CHECK(matches_filter(j, ""));

  auto bad = decode_job("{not json");
  CHECK_FALSE(bad.valid);
  CHECK_FALSE(bad.problem.empty());
  CHECK(bad.raw == "{not json");
  CHECK_FALSE(decode_job("[1]").valid);
  CHECK(decode_job(R"({"class":"A"})").problem == "no jid");
}

TEST_CASE("sidekiq requeue_payload does what SortedEntry#retry does", "[job][sidekiq]") {
  auto j = decode_job(k_retried);
  const auto moved = requeue_payload(j.payload, 1796572999.5, true);
  auto back = decode_job(moved);
  CHECK(back.retry_count == 0);
  CHECK(back.enqueued_at == 1796572999.5);
  CHECK(back.jid == j.jid);
  // Every key keeps its place (only values change).
  std::vector<std::string> before, after;
  for (const auto& [k, v] : j.payload.items()) before.push_back(k);
  for (const auto& [k, v] : back.payload.items()) after.push_back(k);
  CHECK(before == after);
  // Dead and scheduled jobs go back as #add_to_queue does: retry_count unchanged.
  CHECK(decode_job(requeue_payload(j.payload, 1.0, false)).retry_count == 1);
  // A payload without retry_count gets none.
  CHECK_FALSE(decode_job(requeue_payload(Json{{"jid", "x"}}, 1.0, true)).payload.contains("retry_count"));
}
