// Groups streams and transactions. Transactions are sent as one pipeline on this node's
// connection (MULTI ... EXEC in a single write), so a failure can never leave the
// connection inside a MULTI; WATCH conflicts come from a second connection.

#include "optest/runner.hpp"

#include <fmt/format.h>

namespace rctl::optest {

namespace {

using client::cmd;
using client::keyed;
using namespace std::string_view_literals;

struct Entry {
  std::string id;
  std::vector<std::string> fields;  // field, value, field, value...
};

// Entries of an XRANGE-style reply: [[id, [field, value, ...]], ...].
std::vector<Entry> entries(const Reply& reply) {
  std::vector<Entry> out;
  for (std::size_t i = 0; i < reply.list().size(); ++i) {
    auto e = reply.at(i);
    e.list(2);
    Entry entry{e.at(0).as_string(), {}};
    auto fields = e.at(1);
    for (std::size_t j = 0; j < fields.list().size(); ++j) entry.fields.push_back(fields.at(j).as_string());
    out.push_back(std::move(entry));
  }
  return out;
}

// The entries for `key` in an XREAD/XREADGROUP reply: a RESP3 map {key: entries} or a RESP2
// array [[key, entries], ...].
std::vector<Entry> read_entries(const Reply& reply, const std::string& key) {
  if (reply.value().is_map()) {
    if (reply.value().elements.size() != 2) reply.fail("expected one stream");
    reply.at(0).string(key);
    return entries(reply.at(1));
  }
  reply.list(1);
  auto stream = reply.at(0);
  stream.list(2);
  stream.at(0).string(key);
  return entries(stream.at(1));
}

void expect_entries(const Reply& reply, const std::vector<Entry>& got, const std::vector<Entry>& expected) {
  if (got.size() != expected.size()) reply.fail(fmt::format("expected {} entries", expected.size()));
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i].id != expected[i].id || got[i].fields != expected[i].fields)
      reply.fail(fmt::format("entry {} differs from what XADD wrote (id {})", i + 1, expected[i].id));
}

std::string xadd(NodeRunner& r, const std::string& key, const std::vector<std::string>& fields, bool timed) {
  std::vector<std::string> args{"XADD", key, "*"};
  args.insert(args.end(), fields.begin(), fields.end());
  auto c = cmd(args).key(1).unsafe_to_retry();
  auto id = (timed ? r.timed(c) : r.call(c));
  if (id.as_string().find('-') == std::string::npos) id.fail("expected an entry id like 1700000000000-0");
  return id.as_string();
}

// Checks the replies of a MULTI ... EXEC pipeline: OK, QUEUED per command, then EXEC's.
// Error replies (a refused command is refused when queued) end the operation.
const Reply& transaction(const std::vector<Reply>& replies, std::size_t queued) {
  for (const auto& reply : replies)
    if (reply.value().is_error()) NodeRunner::error_reply(reply.value(), reply.label());
  replies.front().ok();
  for (std::size_t i = 1; i <= queued; ++i) replies[i].string("QUEUED");
  return replies.back();
}

}  // namespace

void run_streams_group(NodeRunner& r) {
  const std::string awkward(std::string_view("bytes\0\xff\r\n"sv));
  r.op("xadd_xrange", {"XADD", "XLEN", "XRANGE", "XREVRANGE"}, [&] {
    auto s = r.key("stream");
    del_keys(r, {s});
    std::vector<Entry> written{{"", {"name", "ann", "n", "1"}}, {"", {"name", "bob"}}, {"", {"blob", awkward}}};
    for (auto& e : written) e.id = xadd(r, s, e.fields, true);
    r.call(keyed({"XLEN", s})).integer(3);
    auto range = r.timed(keyed({"XRANGE", s, "-", "+"}));
    expect_entries(range, entries(range), written);
    auto last = r.timed(keyed({"XREVRANGE", s, "+", "-", "COUNT", "1"}));
    expect_entries(last, entries(last), {written.back()});
  });
  r.op("xread", {"XREAD"}, [&] {
    auto s = r.key("stream:read");
    del_keys(r, {s});
    std::vector<Entry> written{{"", {"k", "v1"}}, {"", {"k", "v2"}}};
    for (auto& e : written) e.id = xadd(r, s, e.fields, false);
    auto reply = r.timed(cmd({"XREAD", "COUNT", "10", "STREAMS", s, "0-0"}).key(4));
    expect_entries(reply, read_entries(reply, s), written);
  });
  r.op("consumer_group", {"XGROUP CREATE", "XREADGROUP", "XPENDING", "XACK"}, [&] {
    auto s = r.key("stream:group");
    del_keys(r, {s});
    r.timed(cmd({"XGROUP", "CREATE", s, "workers", "$", "MKSTREAM"}).key(2)).ok();
    std::vector<Entry> written{{"", {"job", "1"}}, {"", {"job", "2"}}};
    for (auto& e : written) e.id = xadd(r, s, e.fields, false);
    auto read =
        cmd({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "STREAMS", s, ">"}).key(7).unsafe_to_retry();
    auto got = r.timed(read);
    expect_entries(got, read_entries(got, s), written);
    r.timed(read).null();  // nothing new for the group
    r.call(keyed({"XPENDING", s, "workers"})).at(0).integer(2);
    r.timed(keyed({"XACK", s, "workers", written[0].id, written[1].id})).integer(2);
    r.call(keyed({"XPENDING", s, "workers"})).at(0).integer(0);
    r.detail("2 entries delivered to consumer w1, pending, then acknowledged");
  });
  r.op("xtrim_xdel", {"XTRIM", "XDEL"}, [&] {
    auto s = r.key("stream:trim");
    del_keys(r, {s});
    std::string last;
    for (int i = 0; i < 5; ++i) last = xadd(r, s, {"i", std::to_string(i)}, false);
    r.timed(keyed({"XTRIM", s, "MAXLEN", "2"})).integer(3);
    r.call(keyed({"XLEN", s})).integer(2);
    r.timed(keyed({"XDEL", s, last})).integer(1);
    r.call(keyed({"XLEN", s})).integer(1);
  });
}

void run_transactions_group(NodeRunner& r) {
  r.op("multi_exec", {"MULTI", "EXEC"}, [&] {
    auto k = r.key("tx");
    del_keys(r, {k});
    auto replies = r.pipeline(
        {cmd({"MULTI"}), keyed({"SET", k, "1"}), keyed({"INCR", k}), keyed({"GET", k}), cmd({"EXEC"})}, Timing::timed);
    const auto& exec = transaction(replies, 3);
    exec.list(3);
    exec.at(0).ok();
    exec.at(1).integer(2);
    exec.at(2).string("2");
  });
  r.op("discard", {"MULTI", "DISCARD"}, [&] {
    auto k = r.key("tx:discard");
    r.call(keyed({"SET", k, "before"})).ok();
    auto replies = r.pipeline({cmd({"MULTI"}), keyed({"SET", k, "after"}), cmd({"DISCARD"})}, Timing::timed);
    transaction(replies, 1).ok();
    r.call(keyed({"GET", k})).string("before");
  });
  r.op("watch_abort", {"WATCH", "MULTI", "EXEC"}, [&] {
    auto k = r.key("tx:watched");
    r.pipeline({cmd({"UNWATCH"})}, Timing::untimed);  // a WATCH left by a failed iteration would abort EXEC
    r.call(keyed({"SET", k, "start"})).ok();
    r.pipeline({keyed({"WATCH", k})}, Timing::timed).front().no_error().ok();
    // Another client changes the key between WATCH and EXEC: the transaction must not run.
    auto other = r.second_connection().exec(keyed({"SET", k, "theirs"}));
    if (!other) r.transport_failure(other.error(), "SET");
    Reply(*other, "SET").ok();
    auto replies = r.pipeline({cmd({"MULTI"}), keyed({"SET", k, "ours"}), cmd({"EXEC"})}, Timing::timed);
    transaction(replies, 1).null();
    r.call(keyed({"GET", k})).string("theirs");
    r.detail("EXEC returned null after a second connection wrote the watched key");
  });
  r.op("watch_commit", {"WATCH", "MULTI", "EXEC"}, [&] {
    auto k = r.key("tx:watched");
    r.pipeline({cmd({"UNWATCH"})}, Timing::untimed);  // a WATCH left by a failed iteration would abort EXEC
    r.call(keyed({"SET", k, "start"})).ok();
    r.pipeline({keyed({"WATCH", k})}, Timing::timed).front().no_error().ok();
    auto replies = r.pipeline({cmd({"MULTI"}), keyed({"SET", k, "ours"}), cmd({"EXEC"})}, Timing::timed);
    auto& exec = transaction(replies, 1);
    exec.list(1);
    exec.at(0).ok();
    r.call(keyed({"GET", k})).string("ours");
  });
}

}  // namespace rctl::optest
