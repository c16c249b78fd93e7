// The pure parts of `rctl test`: group names and selection, verdicts, exit status, run ids
// and namespace hash tags.

#include "optest/optest.hpp"

#include "client/server_error.hpp"
#include "cluster/slot.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace rctl::optest {

namespace {

// Suffixes tried when looking for a hash tag on a given node: with N primaries each try fits
// with probability about 1/N, so running out means the predicate is broken.
constexpr int k_max_tag_suffix = 100000;

constexpr std::size_t k_run_id_length = 10;

std::string valid_names() {
  std::vector<std::string> names;
  for (const auto& g : test_groups()) names.emplace_back(g.name);
  return util::join(names, ", ");
}

// Parses one comma list into groups; `flag` names it in errors.
Expected<std::vector<TestGroup>> parse_group_list(std::string_view text, std::string_view flag) {
  std::vector<TestGroup> out;
  for (auto part : util::split(text, ',')) {
    auto name = util::to_lower(util::trim(part));
    if (name.empty())
      return fail(ErrorKind::usage, fmt::format("{}: empty group name in '{}'", flag, text),
                  "valid groups: " + valid_names());
    auto it = std::find_if(test_groups().begin(), test_groups().end(),
                           [&](const TestGroupInfo& g) { return g.name == name; });
    if (it == test_groups().end())
      return fail(ErrorKind::usage, fmt::format("{}: unknown group '{}'", flag, name),
                  "valid groups: " + valid_names());
    out.push_back(it->group);
  }
  return out;
}

bool contains(const std::vector<TestGroup>& groups, TestGroup g) {
  return std::find(groups.begin(), groups.end(), g) != groups.end();
}

}  // namespace

const std::vector<TestGroupInfo>& test_groups() {
  static const std::vector<TestGroupInfo> k_groups = {
      {TestGroup::connection, "connection", "PING, ECHO (binary), CLIENT INFO"},
      {TestGroup::strings, "strings",
       "SET/GET, SET NX PX, GETEX, INCR, APPEND, SETRANGE, MSET/MGET, binary and 1 MiB values"},
      {TestGroup::keys, "keys", "EXISTS, EXPIRE/PEXPIRE/TTL, expiry, PERSIST, TYPE, UNLINK, RENAME, SCAN"},
      {TestGroup::hashes, "hashes", "HSET/HGET/HMGET, HGETALL, HINCRBY, HDEL, HSCAN"},
      {TestGroup::lists, "lists", "push/pop, LRANGE/LTRIM/LSET, LMOVE, BLPOP wake-up and timeout"},
      {TestGroup::sets, "sets", "SADD/SMEMBERS/SISMEMBER, SINTER/SUNION/SDIFF, SPOP, SSCAN"},
      {TestGroup::sorted_sets, "sorted_sets", "ZADD/ZRANGE/ZSCORE/ZRANK, ZINCRBY, ZRANGEBYSCORE, ZPOPMIN/ZPOPMAX"},
      {TestGroup::streams, "streams", "XADD/XRANGE/XLEN, XREAD, consumer groups (XREADGROUP/XACK/XPENDING), XTRIM"},
      {TestGroup::transactions, "transactions", "MULTI/EXEC, DISCARD, WATCH with and without a conflicting write"},
      {TestGroup::scripting, "scripting", "EVAL, SCRIPT LOAD/EVALSHA, FUNCTION LOAD/FCALL/DELETE (Redis >= 7)"},
      {TestGroup::pubsub, "pubsub", "SUBSCRIBE and PSUBSCRIBE on a second connection receive what PUBLISH sends"},
      {TestGroup::pipelining, "pipelining", "1000 pipelined INCRs in order, 100 keys SET/GET in one write (ops/s)"},
      {TestGroup::server, "server", "INFO, CONFIG GET, TIME: version, mode, maxmemory policy, databases, clock"},
  };
  return k_groups;
}

std::string_view to_string(TestGroup group) {
  for (const auto& g : test_groups())
    if (g.group == group) return g.name;
  return "unknown";
}

Expected<std::vector<TestGroup>> select_test_groups(const std::optional<std::string>& only,
                                                    const std::optional<std::string>& skip) {
  std::vector<TestGroup> wanted;
  if (only) {
    auto parsed = parse_group_list(*only, "--only");
    if (!parsed) return std::unexpected(parsed.error());
    wanted = std::move(*parsed);
  }
  std::vector<TestGroup> skipped;
  if (skip) {
    auto parsed = parse_group_list(*skip, "--skip");
    if (!parsed) return std::unexpected(parsed.error());
    skipped = std::move(*parsed);
  }
  std::vector<TestGroup> out;
  for (const auto& g : test_groups()) {
    if (only && !contains(wanted, g.group)) continue;
    if (contains(skipped, g.group)) continue;
    out.push_back(g.group);
  }
  if (out.empty()) return fail(ErrorKind::usage, "no test group left to run", "valid groups: " + valid_names());
  return out;
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::unsupported: return "unsupported";
    case Outcome::skipped: return "skipped";
  }
  return "unknown";
}

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass: return "pass";
    case Verdict::unsupported: return "unsupported";
    case Verdict::fail: return "fail";
  }
  return "unknown";
}

Outcome outcome_for_error_reply(std::string_view message) {
  return client::is_refusal(client::classify(message)) ? Outcome::unsupported : Outcome::fail;
}

server::LatencyStats latency_of(const OperationResult& operation) {
  return server::summarize_latency(operation.samples_ms);
}

Verdict worst(Verdict a, Verdict b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

bool group_writes(TestGroup group) {
  return group != TestGroup::connection && group != TestGroup::pubsub && group != TestGroup::server;
}

Verdict verdict_of(const GroupResult& group) {
  Verdict v = Verdict::pass;
  for (const auto& op : group.operations) {
    if (op.outcome == Outcome::fail) v = worst(v, Verdict::fail);
    else if (op.outcome == Outcome::unsupported) v = worst(v, Verdict::unsupported);
  }
  return v;
}

Verdict verdict_of(const NodeTestResult& node) {
  Verdict v = node.error ? Verdict::fail : Verdict::pass;
  for (const auto& g : node.groups) v = worst(v, verdict_of(g));
  return v;
}

Verdict verdict_of(const TestReport& report) {
  Verdict v = Verdict::pass;
  for (const auto& n : report.nodes) v = worst(v, verdict_of(n));
  return v;
}

bool cleanup_failed(const TestReport& report) {
  return std::any_of(report.nodes.begin(), report.nodes.end(),
                     [](const NodeTestResult& n) { return n.cleanup.error.has_value(); });
}

int test_exit_status(const TestReport& report) {
  if (report.interrupted) return static_cast<int>(ExitCode::interrupted);
  auto v = verdict_of(report);
  if (v == Verdict::fail || cleanup_failed(report)) return static_cast<int>(ExitCode::check_failed);
  if (v == Verdict::unsupported && report.options.strict) return static_cast<int>(ExitCode::check_failed);
  return 0;
}

std::string make_run_id() {
  static constexpr char k_alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device device;
  std::mt19937_64 rng((static_cast<std::uint64_t>(device()) << 32) ^ device());
  std::uniform_int_distribution<std::size_t> pick(0, sizeof k_alphabet - 2);
  std::string id;
  for (std::size_t i = 0; i < k_run_id_length; ++i) id.push_back(k_alphabet[pick(rng)]);
  return id;
}

Expected<std::string> choose_hash_tag(std::string_view run_id, const std::function<bool(int)>& serves) {
  for (int n = 0; n < k_max_tag_suffix; ++n) {
    auto tag = n == 0 ? std::string(run_id) : fmt::format("{}.{}", run_id, n);
    if (serves(cluster::key_slot(tag))) return tag;
  }
  return fail(ErrorKind::internal, "no hash tag found for a node's namespace",
              "the node serves almost no slot; check the cluster's slot coverage");
}

}  // namespace rctl::optest
