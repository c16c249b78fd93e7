// rctl test, pure parts: group selection, verdicts and exit status, error-reply
// classification, latency summaries, run ids and namespace hash tags.

#include "cluster/slot.hpp"
#include "optest/optest.hpp"
#include "optest/runner.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace rctl;
using optest::Outcome;
using optest::TestGroup;
using optest::Verdict;

namespace {

std::vector<std::string> names(const std::vector<TestGroup>& groups) {
  std::vector<std::string> out;
  for (auto g : groups) out.emplace_back(optest::to_string(g));
  return out;
}

optest::OperationResult op(Outcome outcome, std::vector<double> samples = {1.0}) {
  optest::OperationResult r;
  r.name = "x";
  r.outcome = outcome;
  r.samples_ms = std::move(samples);
  return r;
}

optest::GroupResult group(std::vector<Outcome> outcomes) {
  optest::GroupResult g;
  for (auto o : outcomes) g.operations.push_back(op(o));
  return g;
}

optest::TestReport report_with(std::vector<Outcome> outcomes) {
  optest::TestReport r;
  r.nodes.emplace_back();
  r.nodes.back().groups.push_back(group(std::move(outcomes)));
  return r;
}

}  // namespace

TEST_CASE("ops optest: every group has a unique name and runs in a fixed order") {
  std::set<std::string_view> seen;
  for (const auto& g : optest::test_groups()) {
    CHECK(seen.insert(g.name).second);
    CHECK(optest::to_string(g.group) == g.name);
    CHECK_FALSE(g.summary.empty());
  }
  CHECK(optest::test_groups().size() == 13);
  CHECK(optest::test_groups().front().name == "connection");
  CHECK(optest::test_groups().back().name == "server");
}

TEST_CASE("ops optest: group selection") {
  SECTION("nothing given selects every group in suite order") {
    auto all = optest::select_test_groups(std::nullopt, std::nullopt);
    REQUIRE(all);
    CHECK(all->size() == optest::test_groups().size());
    CHECK(names(*all).front() == "connection");
  }
  SECTION("--only keeps suite order whatever the order given, blanks and case ignored") {
    auto g = optest::select_test_groups(std::string(" Keys , strings,SCRIPTING "), std::nullopt);
    REQUIRE(g);
    CHECK(names(*g) == std::vector<std::string>{"strings", "keys", "scripting"});
  }
  SECTION("--skip removes groups; repeated names are harmless") {
    auto g = optest::select_test_groups(std::nullopt, std::string("server,pubsub,server"));
    REQUIRE(g);
    CHECK(g->size() == optest::test_groups().size() - 2);
    auto n = names(*g);
    CHECK(std::find(n.begin(), n.end(), "server") == n.end());
    CHECK(std::find(n.begin(), n.end(), "pubsub") == n.end());
  }
  SECTION("--only and --skip combine") {
    auto g = optest::select_test_groups(std::string("strings,lists,sets"), std::string("lists"));
    REQUIRE(g);
    CHECK(names(*g) == std::vector<std::string>{"strings", "sets"});
  }
  SECTION("an unknown name is a usage error listing the valid ones") {
    for (auto [only, skip] :
         {std::pair<std::optional<std::string>, std::optional<std::string>>{"strings,lits", std::nullopt},
          {std::nullopt, "zsets"}}) {
      auto g = optest::select_test_groups(only, skip);
      REQUIRE_FALSE(g);
      CHECK(g.error().kind == ErrorKind::usage);
      CHECK_THAT(g.error().message, Catch::Contains("unknown group"));
      CHECK_THAT(g.error().message, Catch::Contains(only ? "--only" : "--skip"));
      CHECK_THAT(g.error().hint, Catch::Contains("connection, strings, keys"));
      CHECK_THAT(g.error().hint, Catch::Contains("sorted_sets"));
    }
  }
  SECTION("empty names are usage errors") {
    for (const char* text : {"", "strings,,keys", " , "}) {
      INFO(text);
      auto g = optest::select_test_groups(std::string(text), std::nullopt);
      REQUIRE_FALSE(g);
      CHECK(g.error().kind == ErrorKind::usage);
      CHECK_THAT(g.error().message, Catch::Contains("empty group name"));
    }
  }
  SECTION("skipping everything selected leaves nothing: usage error") {
    auto g = optest::select_test_groups(std::string("strings"), std::string("strings"));
    REQUIRE_FALSE(g);
    CHECK(g.error().kind == ErrorKind::usage);
    CHECK_THAT(g.error().message, Catch::Contains("no test group left"));
  }
}

TEST_CASE("ops optest: group verdict is the worst operation outcome; skipped counts for nothing") {
  CHECK(optest::verdict_of(group({})) == Verdict::pass);
  CHECK(optest::verdict_of(group({Outcome::pass, Outcome::skipped})) == Verdict::pass);
  CHECK(optest::verdict_of(group({Outcome::pass, Outcome::unsupported, Outcome::skipped})) == Verdict::unsupported);
  CHECK(optest::verdict_of(group({Outcome::unsupported, Outcome::fail, Outcome::pass})) == Verdict::fail);
  CHECK(optest::worst(Verdict::pass, Verdict::unsupported) == Verdict::unsupported);
  CHECK(optest::worst(Verdict::fail, Verdict::unsupported) == Verdict::fail);
  CHECK(optest::worst(Verdict::pass, Verdict::pass) == Verdict::pass);
}

TEST_CASE("ops optest: node and run verdicts") {
  optest::NodeTestResult n;
  n.groups.push_back(group({Outcome::pass}));
  CHECK(optest::verdict_of(n) == Verdict::pass);
  n.groups.push_back(group({Outcome::unsupported}));
  CHECK(optest::verdict_of(n) == Verdict::unsupported);
  n.error = Error{ErrorKind::connect, "connection closed by server", {}};
  CHECK(optest::verdict_of(n) == Verdict::fail);  // a node whose run stopped cannot pass

  optest::TestReport r;
  r.nodes.resize(3);
  r.nodes[0].groups.push_back(group({Outcome::pass}));
  r.nodes[1].groups.push_back(group({Outcome::unsupported}));
  r.nodes[2].groups.push_back(group({Outcome::pass}));
  CHECK(optest::verdict_of(r) == Verdict::unsupported);
  r.nodes[2].groups.push_back(group({Outcome::fail}));
  CHECK(optest::verdict_of(r) == Verdict::fail);
}

TEST_CASE("ops optest: exit status") {
  auto pass = report_with({Outcome::pass, Outcome::skipped});
  CHECK(optest::test_exit_status(pass) == 0);
  pass.options.strict = true;
  CHECK(optest::test_exit_status(pass) == 0);

  auto unsupported = report_with({Outcome::pass, Outcome::unsupported});
  CHECK(optest::test_exit_status(unsupported) == 0);
  unsupported.options.strict = true;
  CHECK(optest::test_exit_status(unsupported) == 1);

  auto failed = report_with({Outcome::fail});
  CHECK(optest::test_exit_status(failed) == 1);

  auto dirty = report_with({Outcome::pass});
  dirty.nodes[0].cleanup.error = Error{ErrorKind::timeout, "no reply", {}};
  CHECK(optest::cleanup_failed(dirty));
  CHECK(optest::test_exit_status(dirty) == 1);  // keys may remain: never report success

  auto interrupted = report_with({Outcome::fail});
  interrupted.interrupted = true;
  CHECK(optest::test_exit_status(interrupted) == 130);
}

TEST_CASE("ops optest: refusals are unsupported, wrong results are failures") {
  struct Case {
    const char* reply;
    Outcome outcome;
  };
  const Case cases[] = {
      {"ERR unknown command 'EVAL', with args beginning with: 'return 1' '0' ", Outcome::unsupported},
      {"ERR unknown command `FUNCTION`, with args beginning with: `LOAD`, ", Outcome::unsupported},
      {"ERR unknown subcommand 'INFO'. Try CLIENT HELP.", Outcome::unsupported},
      {"NOPERM this user has no permissions to run the 'eval' command", Outcome::unsupported},
      {"NOPERM User limited has no permissions to run the 'subscribe' command", Outcome::unsupported},
      {"NOPERM No permissions to access a channel", Outcome::unsupported},
      {"WRONGTYPE Operation against a key holding the wrong kind of value", Outcome::fail},
      {"OOM command not allowed when used memory > 'maxmemory'.", Outcome::fail},
      {"ERR value is not an integer or out of range", Outcome::fail},
      {"READONLY You can't write against a read only replica.", Outcome::fail},
      {"MOVED 1234 127.0.0.1:7001", Outcome::fail},
      {"NOSCRIPT No matching script. Please use EVAL.", Outcome::fail},
  };
  for (const auto& c : cases) {
    INFO(c.reply);
    CHECK(optest::outcome_for_error_reply(c.reply) == c.outcome);
  }
}

TEST_CASE("ops optest: latency summary of an operation (nearest rank)") {
  CHECK(optest::latency_of(op(Outcome::pass, {})).samples == 0);
  auto five = optest::latency_of(op(Outcome::pass, {5, 1, 3, 2, 4}));
  CHECK(five.samples == 5);
  CHECK(five.min_ms == 1);
  CHECK(five.p50_ms == 3);
  CHECK(five.p99_ms == 5);
  CHECK(five.max_ms == 5);
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  auto h = optest::latency_of(op(Outcome::pass, hundred));
  CHECK(h.p50_ms == 50);
  CHECK(h.p99_ms == 99);
  CHECK(h.max_ms == 100);
}

TEST_CASE("ops optest: run ids are 10 lowercase letters and digits, different each time") {
  auto a = optest::make_run_id(), b = optest::make_run_id();
  CHECK(a != b);
  for (const auto& id : {a, b}) {
    CHECK(id.size() == 10);
    for (char c : id) CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')));
  }
}

TEST_CASE("ops optest: a namespace hash tag lands on the node's slots") {
  SECTION("standalone: the run id itself") {
    auto tag = optest::choose_hash_tag("k3j9x2ab0q", [](int) { return true; });
    REQUIRE(tag);
    CHECK(*tag == "k3j9x2ab0q");
  }
  SECTION("three primaries: each gets a tag in its own range, and it is the first that fits") {
    const std::pair<int, int> ranges[] = {{0, 5460}, {5461, 10922}, {10923, 16383}};
    std::set<std::string> tags;
    for (auto [first, last] : ranges) {
      auto serves = [first = first, last = last](int slot) { return slot >= first && slot <= last; };
      auto tag = optest::choose_hash_tag("k3j9x2ab0q", serves);
      REQUIRE(tag);
      CHECK(serves(cluster::key_slot(*tag)));
      CHECK(cluster::key_slot("rctl:test:{" + *tag + "}:string") == cluster::key_slot(*tag));
      tags.insert(*tag);
      // No earlier candidate fits: the choice is deterministic for a run id.
      auto dot = tag->find('.');
      int n = dot == std::string::npos ? 0 : std::stoi(tag->substr(dot + 1));
      for (int i = 0; i < n; ++i)
        CHECK_FALSE(serves(cluster::key_slot(i == 0 ? std::string("k3j9x2ab0q") : "k3j9x2ab0q." + std::to_string(i))));
    }
    CHECK(tags.size() == 3);
  }
  SECTION("a node serving one slot still gets one") {
    int target = cluster::key_slot("k3j9x2ab0q.7");
    auto tag = optest::choose_hash_tag("k3j9x2ab0q", [&](int slot) { return slot == target; });
    REQUIRE(tag);
    CHECK(cluster::key_slot(*tag) == target);
  }
  SECTION("a node serving nothing is an error, not an endless search") {
    auto tag = optest::choose_hash_tag("k3j9x2ab0q", [](int) { return false; });
    REQUIRE_FALSE(tag);
    CHECK(tag.error().kind == ErrorKind::internal);
  }
}

TEST_CASE("ops optest: command labels name container commands by both words") {
  using client::cmd;
  CHECK(optest::command_label(cmd({"get", "k"})) == "GET");
  CHECK(optest::command_label(cmd({"FUNCTION", "load", "code"})) == "FUNCTION LOAD");
  CHECK(optest::command_label(cmd({"client", "info"})) == "CLIENT INFO");
  CHECK(optest::command_label(cmd({"XGROUP", "CREATE", "s", "g", "$"})) == "XGROUP CREATE");
  CHECK(optest::command_label(cmd({"SCRIPT"})) == "SCRIPT");
  CHECK(optest::command_label(cmd({"EVAL", "return 1", "0"})) == "EVAL");
}

TEST_CASE("ops optest: reply checks fail naming the command and what came back") {
  using optest::OpStop;
  using optest::Reply;
  auto stop_of = [](auto&& check) -> OpStop {
    try {
      check();
    } catch (const OpStop& s) {
      return s;
    }
    FAIL("no OpStop thrown");
    return {};
  };
  auto s = stop_of([] { Reply(resp::Value::integer_reply(12), "INCR").integer(11); });
  CHECK(s.outcome == Outcome::fail);
  CHECK(s.command == "INCR");
  CHECK_THAT(s.reason, Catch::Contains("expected 11") && Catch::Contains("got 12"));

  s = stop_of([] { Reply(resp::Value::bulk(std::string(10, 'a')), "GET").string(std::string(11, 'a')); });
  CHECK_THAT(s.reason, Catch::Contains("expected 11 bytes back, got 10"));
  s = stop_of([] { Reply(resp::Value::bulk("abc"), "GET").string("abd"); });
  CHECK_THAT(s.reason, Catch::Contains("the bytes differ"));

  // Both protocols' shapes are accepted where they differ.
  resp::Value double_reply{resp::Type::double_number};
  double_reply.number = 2.5;
  CHECK_NOTHROW(Reply(double_reply, "ZSCORE").number(2.5));
  CHECK_NOTHROW(Reply(resp::Value::bulk("2.5"), "ZSCORE").number(2.5));
  resp::Value map{resp::Type::map};
  map.elements = {resp::Value::bulk("b"), resp::Value::bulk("2"), resp::Value::bulk("a"), resp::Value::bulk("1")};
  auto flat = resp::Value::list(
      {resp::Value::bulk("a"), resp::Value::bulk("1"), resp::Value::bulk("b"), resp::Value::bulk("2")});
  CHECK(Reply(map, "HGETALL").pairs() == Reply(flat, "HGETALL").pairs());
  CHECK_NOTHROW(Reply(resp::Value::nil(), "EXEC").null());
  s = stop_of([] { Reply(resp::Value::list({}), "EXEC").null(); });
  CHECK_THAT(s.reason, Catch::Contains("expected null"));
}

TEST_CASE("ops optest: a refused command found in an error reply is unsupported, naming it") {
  using optest::NodeRunner;
  using optest::OpStop;
  try {
    NodeRunner::error_reply(resp::Value::error_reply("NOPERM this user has no permissions to run the 'eval' command"),
                            "EVAL");
    FAIL("no OpStop thrown");
  } catch (const OpStop& s) {
    CHECK(s.outcome == Outcome::unsupported);
    CHECK(s.command == "EVAL");
    CHECK_THAT(s.reason, Catch::StartsWith("NOPERM"));
  }
}
