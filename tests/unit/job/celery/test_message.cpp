// Celery's protocol 2 message codec, against messages Celery 5.2's apply_async() wrote to
// Redis (captured from Debian's python3-celery 5.2.6 / python3-kombu 5.2.4).

#include "decode/bytes.hpp"
#include "job/celery/message.hpp"

#include <catch2/catch.hpp>

using namespace rctl::job::celery;

namespace {

// add.apply_async((2, 'é')) as Celery wrote it (origin and reply_to as Celery's client sets them).
const std::string k_celery_written =
    R"J({"body": "W1syLCAiXHUwMGU5Il0sIHt9LCB7ImNhbGxiYWNrcyI6IG51bGwsICJlcnJiYWNrcyI6IG51bGwsICJjaGFpbiI6IG51bGwsICJjaG9yZCI6IG51bGx9XQ==", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "capp.add", "id": "1d5bc288-5500-4ae4-b577-bbed06b83d50", "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "1d5bc288-5500-4ae4-b577-bbed06b83d50", "parent_id": null, "argsrepr": "(2, '\u00e9')", "kwargsrepr": "{}", "origin": "gen8092@vm", "ignore_result": false}, "properties": {"correlation_id": "1d5bc288-5500-4ae4-b577-bbed06b83d50", "reply_to": "f386790c-9095-3771-821b-fe5182344bdc", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "celery"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "89576429-a260-4fe8-a648-77042af3a897"}})J";

}  // namespace

TEST_CASE("celery encode_message writes what Celery's client writes", "[job][celery]") {
  TaskRequest r;
  r.task = "capp.add";
  r.args = Json::array({2, "é"});
  r.id = "1d5bc288-5500-4ae4-b577-bbed06b83d50";
  r.delivery_tag = "89576429-a260-4fe8-a648-77042af3a897";
  r.origin = "gen8092@vm";
  std::string expected = k_celery_written;
  // The one field rctl leaves empty: Celery's app result-queue id (unused by the Redis backend).
  const std::string reply_to = R"("reply_to": "f386790c-9095-3771-821b-fe5182344bdc")";
  expected.replace(expected.find(reply_to), reply_to.size(), R"("reply_to": "")");
  CHECK(encode_message(r) == expected);
}

TEST_CASE("celery decode_message reads a protocol 2 JSON message", "[job][celery]") {
  auto m = decode_message(k_celery_written);
  REQUIRE(m.valid);
  REQUIRE(m.body_decoded);
  CHECK(m.id == "1d5bc288-5500-4ae4-b577-bbed06b83d50");
  CHECK(m.task == "capp.add");
  CHECK(m.args == Json::array({2, "é"}));
  CHECK(m.kwargs == Json::object());
  CHECK(m.retries == 0);
  CHECK(m.eta.is_null());
  CHECK(m.routing_key == "celery");
  CHECK(m.argsrepr == "(2, 'é')");
}

TEST_CASE("celery decode_message never decodes a pickle body", "[job][celery]") {
  const std::string pickled =
      R"({"body": ")" + rctl::decode::base64_encode("\x80\x04\x95...cos\nsystem\n") +
      R"J(", "content-type": "application/x-python-serialize", "content-encoding": "binary", "headers": {"task": "t.x", "id": "abc", "argsrepr": "(1,)", "kwargsrepr": "{}"}, "properties": {"body_encoding": "base64"}})J";
  auto m = decode_message(pickled);
  CHECK(m.valid);
  CHECK_FALSE(m.body_decoded);
  CHECK(m.task == "t.x");
  CHECK(m.argsrepr == "(1,)");
  CHECK(m.problem == "body is application/x-python-serialize, not decoded");
}

TEST_CASE("celery decode_message reports what it cannot read", "[job][celery]") {
  CHECK(decode_message("not json").problem == "not a kombu JSON message");
  CHECK(decode_message(R"({"body": "x"})").problem == "no headers (a protocol 1 message?)");
  auto bad = decode_message(
      R"({"body": "!!", "content-type": "application/json", "headers": {"id": "a"}, "properties": {"body_encoding": "base64"}})");
  CHECK(bad.valid);
  CHECK(bad.problem == "body is not valid base64");
  auto shape = decode_message(
      R"({"body": ")" + rctl::decode::base64_encode("[1, 2]") +
      R"(", "content-type": "application/json", "headers": {"id": "a"}, "properties": {"body_encoding": "base64"}})");
  CHECK(shape.problem == "body is not [args, kwargs, embed]");
}

TEST_CASE("celery argsrepr and kwargsrepr are Python's tuple and dict repr", "[job][celery]") {
  CHECK(args_repr(Json::array()) == "()");
  CHECK(args_repr(Json::array({1})) == "(1,)");
  CHECK(args_repr(Json::array({1, "a", nullptr, true, 2.5})) == "(1, 'a', None, True, 2.5)");
  CHECK(kwargs_repr(Json::object()) == "{}");
  CHECK(kwargs_repr(Json{{"k", "v"}, {"n", 1}}) == "{'k': 'v', 'n': 1}");
}

TEST_CASE("celery binding members name their queue", "[job][celery]") {
  CHECK(binding_queue(std::string("celery\x06\x16\x06\x16"
                                  "celery")) == "celery");
  CHECK(binding_queue(std::string("rk\x06\x16pat\x06\x16q1")) == "q1");
  CHECK(binding_queue("nosep") == "");
}
