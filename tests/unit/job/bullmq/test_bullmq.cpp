// BullMQ's pieces that need no server: the msgpack rctl hands its add-job script (what
// BullMQ's scripts unpack with cmsgpack), the opts Queue.add stores, the job hash decoder and
// the CLIENT LIST names Queue.getWorkers counts. The scripts themselves run against a real
// Worker in tests/integration/test_job_bullmq.py.

#include "decode/bytes.hpp"
#include "decode/msgpack_reader.hpp"
#include "job/bullmq/read.hpp"
#include "job/bullmq/write.hpp"

#include <catch2/catch.hpp>

using namespace rctl::job::bullmq;

TEST_CASE("bullmq msgpack_encode round-trips through a msgpack reader", "[job][bullmq]") {
  const Json values[] = {
      Json::parse(R"({"attempts":0,"delay":5000,"priority":3,"jobId":"nightly"})"),
      Json::parse(R"({"s":"é","l":[1,-1,-100,-70000,true,false,null,1.5],"big":5000000000,"u":18446744073709551615})"),
      Json(std::string(70000, 'x')),
      Json::array(),
      Json::object(),
  };
  for (const auto& v : values) {
    auto bytes = msgpack_encode(v);
    auto back = rctl::decode::read_msgpack(bytes);
    REQUIRE(back);
    CHECK(back->value == v);
  }
  // The small cases byte for byte (fixmap, fixstr, positive fixint, uint16).
  CHECK(rctl::decode::to_hex(msgpack_encode(Json::parse(R"({"attempts":0,"delay":5000})"))) ==
        "82a8617474656d70747300a564656c6179cd1388");
}

TEST_CASE("bullmq job_opts are Queue.add's, in its key order", "[job][bullmq]") {
  AddRequest r;
  CHECK(job_opts(r).dump() == R"({"attempts":0})");
  r.delay_ms = 60000;
  r.priority = 3;
  r.attempts = 2;
  r.job_id = "n2";
  CHECK(job_opts(r).dump() == R"({"attempts":2,"delay":60000,"priority":3,"jobId":"n2"})");
}

TEST_CASE("bullmq decode_job reads the fields BullMQ writes", "[job][bullmq]") {
  auto j = decode_job("7", {{"name", "mail"},
                            {"data", R"({"to":"a"})"},
                            {"opts", R"({"attempts":3})"},
                            {"timestamp", "1796572583657"},
                            {"delay", "0"},
                            {"priority", "0"},
                            {"atm", "2"},
                            {"ats", "2"},
                            {"failedReason", "boom"},
                            {"stacktrace", R"(["Error: boom\n    at x"])"},
                            {"returnvalue", "not json"}});
  CHECK(j.exists);
  CHECK(j.data == Json::parse(R"({"to":"a"})"));
  CHECK(j.timestamp == 1796572583657);
  CHECK(j.attempts_made == 2);
  CHECK(j.stacktrace.size() == 1);
  CHECK(j.returnvalue == Json("not json"));  // kept as text when it does not parse
  CHECK_FALSE(decode_job("8", {}).exists);
}

TEST_CASE("bullmq count_workers counts Queue.getWorkers' client names", "[job][bullmq]") {
  // "mail" is bWFpbA==, "a:b" is YTpi.
  const std::string list =
      "id=1 addr=127.0.0.1:1 name=bull:bWFpbA== db=0\n"
      "id=2 addr=127.0.0.1:2 name=bull:bWFpbA==:w:eu-1 db=0\n"
      "id=3 addr=127.0.0.1:3 name=bull:bWFpbA==:qe db=0\n"  // QueueEvents, not a worker
      "id=4 addr=127.0.0.1:4 name=other:bWFpbA== db=0\n"
      "id=5 addr=127.0.0.1:5 name= db=0\n"
      "id=6 addr=127.0.0.1:6 name=bull:YTpi db=0\n";
  auto counts = count_workers(list, "bull", {"mail", "a:b", "idle"});
  CHECK(counts["mail"] == 2);
  CHECK(counts["a:b"] == 1);
  CHECK(counts["idle"] == 0);
}
