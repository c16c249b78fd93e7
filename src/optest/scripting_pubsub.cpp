// Groups scripting and pubsub. Scripts and functions run on this node (a cluster does not
// share them between shards); the function library is named after the run and deleted by
// the test itself or, failing that, by cleanup. Subscribers are connections of their own,
// closed when the group ends.

#include "optest/runner.hpp"

#include "client/server_error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace rctl::optest {

namespace {

using client::cmd;
using client::keyed;
using namespace std::string_view_literals;

// Returns its key and argument and what INCRBY made of them: checks KEYS, ARGV, redis.call
// and the conversion of a Lua table to an array reply.
constexpr std::string_view k_script = "return {KEYS[1], ARGV[1], redis.call('INCRBY', KEYS[1], ARGV[1])}";

// A message payload that is not text.
constexpr std::string_view k_message = "event\0\xff\r\n payload"sv;

void expect_script_result(const Reply& reply, const std::string& key) {
  reply.list(3);
  reply.at(0).string(key);
  reply.at(1).string("5");
  reply.at(2).integer(5);
}

// The next pub/sub message on `sub` (a RESP3 push or, in RESP2, a plain array). An error
// reply here is the server refusing the (P)SUBSCRIBE.
Reply next_message(NodeRunner& r, client::Connection& sub, std::string_view label) {
  auto message = sub.wait_push(sub.options().command_timeout);
  if (!message) {
    if (message.error().kind == ErrorKind::timeout)
      throw OpStop{Outcome::fail, std::string(label), message.error().message};
    r.transport_failure(message.error(), label);
  }
  if (message->is_error()) NodeRunner::error_reply(*message, label);
  return Reply(std::move(*message), std::string(label));
}

// Sends SUBSCRIBE/PSUBSCRIBE `target` on `sub` and checks the confirmation.
void subscribe(NodeRunner& r, client::Connection& sub, std::string_view command, const std::string& target) {
  auto c = cmd({command, target});
  c.reply_is_push = true;
  sub.send(std::move(c), [](Expected<resp::Value>) {});
  auto confirm = next_message(r, sub, command);
  confirm.list(3);
  confirm.at(0).string(util::to_lower(command));
  confirm.at(1).string(target);
  confirm.at(2).integer(1);
}

// PUBLISH `payload` on `channel`; at least our subscriber must receive it.
void publish(NodeRunner& r, const std::string& channel) {
  auto receivers = r.call(cmd({"PUBLISH", channel, k_message}).unsafe_to_retry());
  if (receivers.as_integer() < 1) receivers.fail("expected at least 1 receiver (our subscriber)");
}

}  // namespace

void run_scripting_group(NodeRunner& r) {
  r.op("eval", {"EVAL"}, [&] {
    auto k = r.key("script");
    del_keys(r, {k});
    expect_script_result(r.timed(cmd({"EVAL", k_script, "1", k, "5"}).key(3).unsafe_to_retry()), k);
  });
  r.op("evalsha", {"SCRIPT LOAD", "EVALSHA"}, [&] {
    auto k = r.key("script:sha");
    del_keys(r, {k});
    auto load = r.call(cmd({"SCRIPT", "LOAD", k_script}));
    auto sha = load.as_string();
    if (sha.size() != 40) load.fail("expected a 40-character SHA1");
    expect_script_result(r.timed(cmd({"EVALSHA", sha, "1", k, "5"}).key(3).unsafe_to_retry()), k);
    // An unknown SHA must be reported as NOSCRIPT (clients fall back to EVAL on it).
    auto missing = r.call_allowing_error(cmd({"EVALSHA", std::string(40, 'f'), "1", k, "5"}).key(3));
    if (!missing.value().is_error() || client::classify(missing.value().str) != client::ServerErrorKind::no_script) {
      if (missing.value().is_error() && outcome_for_error_reply(missing.value().str) == Outcome::unsupported)
        NodeRunner::error_reply(missing.value(), "EVALSHA");
      missing.fail("expected NOSCRIPT for an unknown SHA");
    }
  });

  std::string library;
  auto loaded = r.op("function_load", {"FUNCTION LOAD"}, [&] {
    library = r.function_library();
    auto code = fmt::format(
        "#!lua name={0}\nredis.register_function('{0}_incr', function(keys, args) "
        "return redis.call('INCRBY', keys[1], args[1]) end)",
        library);
    r.timed(cmd({"FUNCTION", "LOAD", "REPLACE", code})).string(library);
  });
  if (loaded == Outcome::pass) {
    r.op("fcall", {"FCALL"}, [&] {
      auto k = r.key("function");
      del_keys(r, {k});
      r.timed(cmd({"FCALL", library + "_incr", "1", k, "7"}).key(3).unsafe_to_retry()).integer(7);
    });
    r.op(
        "function_delete", {"FUNCTION DELETE", "FCALL"},
        [&] {
          r.timed(cmd({"FUNCTION", "DELETE", library})).ok();
          r.function_library_deleted();
          auto k = r.key("function");
          auto gone = r.call_allowing_error(cmd({"FCALL", library + "_incr", "1", k, "7"}).key(3));
          if (!gone.value().is_error()) gone.fail("expected an error calling a deleted function");
        },
        Repeat::once);
  } else if (loaded != Outcome::skipped) {
    r.skip("fcall", {"FCALL"}, "FUNCTION LOAD did not pass");
    r.skip("function_delete", {"FUNCTION DELETE"}, "FUNCTION LOAD did not pass");
  }
}

void run_pubsub_group(NodeRunner& r) {
  std::unique_ptr<client::Connection> sub;
  auto channel = r.channel("channel");
  auto subscribed = r.op("subscribe_publish", {"SUBSCRIBE", "PUBLISH"}, [&] {
    if (!sub) {
      sub = r.open_connection();
      subscribe(r, *sub, "SUBSCRIBE", channel);
    }
    r.time([&] {
      publish(r, channel);
      auto message = next_message(r, *sub, "SUBSCRIBE");
      message.list(3);
      message.at(0).string("message");
      message.at(1).string(channel);
      message.at(2).string(k_message);
    });
    r.detail("a subscriber on a second connection receives the published bytes (timed: publish to delivery)");
  });
  if (subscribed == Outcome::pass) {
    r.op(
        "unsubscribe", {"UNSUBSCRIBE", "PUBLISH"},
        [&] {
          auto c = cmd({"UNSUBSCRIBE", channel});
          c.reply_is_push = true;
          r.time([&] {
            sub->send(std::move(c), [](Expected<resp::Value>) {});
            auto confirm = next_message(r, *sub, "UNSUBSCRIBE");
            confirm.list(3);
            confirm.at(0).string("unsubscribe");
            confirm.at(2).integer(0);
          });
          r.call(cmd({"PUBLISH", channel, k_message}).unsafe_to_retry()).integer(0);
        },
        Repeat::once);
  }
  sub.reset();

  std::unique_ptr<client::Connection> psub;
  auto pattern = util::escape_glob(r.channel("events.")) + "*";
  r.op("psubscribe", {"PSUBSCRIBE", "PUBLISH"}, [&] {
    if (!psub) {
      psub = r.open_connection();
      subscribe(r, *psub, "PSUBSCRIBE", pattern);
    }
    auto target = r.channel("events.login");
    r.time([&] {
      publish(r, target);
      auto message = next_message(r, *psub, "PSUBSCRIBE");
      message.list(4);
      message.at(0).string("pmessage");
      message.at(1).string(pattern);
      message.at(2).string(target);
      message.at(3).string(k_message);
    });
  });
  psub.reset();
}

}  // namespace rctl::optest
