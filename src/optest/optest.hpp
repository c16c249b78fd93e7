#pragma once
// `rctl test`: operation tests that tell what this Redis can do, and how fast. Each group
// (strings, streams, scripting, pub/sub...) runs timed operations on a scratch namespace
// `rctl:test:{<run id>}:` and gets a verdict: pass, fail (a wrong result) or unsupported (the
// server refuses the command by design: disabled, renamed, ACL-denied, or too old). On a
// cluster the suite runs once per primary, in a namespace whose hash slot that primary
// serves. Every key the run creates is removed afterwards (also after a failure, a timeout
// or Ctrl-C) unless the caller asks to keep them; no other key is ever touched.
//
// Domain optest (namespace rctl::optest, library rctl_optest): may use server/ (INFO, latency
// summaries), cluster/, client/, resp/, decode/, util/; output/ only in its render*.cpp files
// (documents: optest/render.hpp). Never commands/ nor another domain: src/CMakeLists.txt links
// by that table and tests/docs/check_layers.py fails on a wrong-way include.

#include "cluster/client.hpp"
#include "server/latency.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::optest {

enum class TestGroup {
  connection,
  strings,
  keys,
  hashes,
  lists,
  sets,
  sorted_sets,
  streams,
  transactions,
  scripting,
  pubsub,
  pipelining,
  server,
};

struct TestGroupInfo {
  TestGroup group;
  std::string_view name;  // as given to --only/--skip and shown in reports
  std::string_view summary;  // one line for --help and the README
};

// Every group, in the order the suite runs them.
const std::vector<TestGroupInfo>& test_groups();

// The group's name ("sorted_sets").
std::string_view to_string(TestGroup group);

// The groups to run: all of them, or those named in `only`, minus those named in `skip`
// (comma-separated, blanks around names ignored, in suite order). Fails with ErrorKind::usage
// on an unknown or empty name (the message lists the valid ones) or when nothing is left.
Expected<std::vector<TestGroup>> select_test_groups(const std::optional<std::string>& only,
                                                    const std::optional<std::string>& skip);

// What one operation found. `skipped` means it was not run because an operation it needs
// (e.g. FUNCTION LOAD before FCALL) did not pass; it does not change the verdict.
enum class Outcome { pass, fail, unsupported, skipped };
const char* to_string(Outcome outcome);

// A group's (node's, run's) verdict, in increasing severity.
enum class Verdict { pass, unsupported, fail };
const char* to_string(Verdict verdict);

// Classifies an error reply met where a result was expected: `unsupported` when the server
// refuses by design (unknown or renamed command, ACL NOPERM), `fail` otherwise.
Outcome outcome_for_error_reply(std::string_view message);

struct OperationResult {
  std::string name;  // "set_get", "watch_abort", ...
  std::vector<std::string> commands;  // the commands it exercises: {"SET", "GET"}
  Outcome outcome = Outcome::pass;
  std::string command;  // the command that failed or was refused (else empty)
  std::string reason;  // the server's error, or what was wrong with the reply
  std::string detail;  // what was checked or measured, for people
  std::vector<double> samples_ms;  // one per completed iteration: time of its timed commands
  std::optional<double> ops_per_sec;  // pipelining: commands per second at the median sample
};

// Nearest-rank min/p50/p99/max of an operation's samples.
server::LatencyStats latency_of(const OperationResult& operation);

struct GroupResult {
  TestGroup group = TestGroup::connection;
  std::vector<OperationResult> operations;
  double duration_ms = 0;
};

// fail if any operation failed, else unsupported if any was refused, else pass.
Verdict verdict_of(const GroupResult& group);

// The worse of two verdicts.
Verdict worst(Verdict a, Verdict b);

// What the `server` group learnt about the node (fields stay empty when it did not run or
// the server refused the command that tells).
struct ServerFacts {
  std::string version;  // redis_version
  std::string mode;  // redis_mode: standalone / cluster
  std::optional<bool> cluster_enabled;
  std::optional<std::int64_t> maxmemory_bytes;  // 0 = no limit
  std::string maxmemory_policy;
  std::optional<std::int64_t> databases;  // CONFIG GET databases
  std::optional<double> clock_offset_ms;  // server TIME minus local time (RTT-corrected)
};

struct CleanupResult {
  bool kept = false;  // --keep: nothing was removed
  std::uint64_t keys_removed = 0;  // known keys that still existed and were unlinked
  std::uint64_t stray_keys_removed = 0;  // found only by the SCAN safety net
  std::uint64_t scan_calls = 0;
  bool function_library_removed = false;
  std::optional<Error> error;  // cleanup could not finish: keys may remain
};

// A node that takes no writes (a read-only replica, a user without write permission): the
// groups that write are not run but reported unsupported, with this reason said once.
struct ReadOnlyTarget {
  std::string reason;  // "the server is a read-only replica of 10.0.0.5:6379"
  std::string hint;  // "run rctl test against the primary, 10.0.0.5:6379"
};

// True for the groups whose operations write keys (all but connection, pubsub and server).
bool group_writes(TestGroup group);

struct NodeTestResult {
  std::string address;
  std::string key_namespace;  // "rctl:test:{k3j9x2ab0q.1}:"
  int slot = -1;  // hash slot of the namespace
  int protocol = 2;  // RESP version of the connection
  bool tls = false;
  std::vector<GroupResult> groups;
  std::optional<Error> error;  // the run on this node stopped early (connection lost)
  std::optional<ReadOnlyTarget> read_only;  // found before the groups ran
  ServerFacts server;
  CleanupResult cleanup;
};

// Worst group verdict; fail when the node's run stopped on an error.
Verdict verdict_of(const NodeTestResult& node);

struct TestOptions {
  std::vector<TestGroup> groups;  // from select_test_groups
  int iterations = 1;  // samples per operation (some run once: see README)
  bool keep = false;  // leave the keys for inspection
  bool strict = false;  // unsupported counts as failure (exit status only)
};

struct TestReport {
  std::string target;  // redacted URL
  bool cluster = false;
  std::string run_id;
  TestOptions options;
  std::vector<NodeTestResult> nodes;
  bool interrupted = false;  // Ctrl-C: the run stopped; cleanup still ran
  double duration_ms = 0;
};

Verdict verdict_of(const TestReport& report);

// True when some node's cleanup failed (keys may remain).
bool cleanup_failed(const TestReport& report);

// The exit status: 130 when interrupted; 1 on a failure, a failed cleanup, or (with strict)
// an unsupported group; 0 otherwise.
int test_exit_status(const TestReport& report);

// A random run id: 10 lowercase letters and digits.
std::string make_run_id();

// The hash tag for one node's namespace: `run_id` itself when `serves(slot of run_id)`, else
// the first "run_id.N" (N = 1, 2, ...) whose slot `serves` accepts. Fails (internal) when no
// N below 100000 fits, which means `serves` accepts almost no slot.
Expected<std::string> choose_hash_tag(std::string_view run_id, const std::function<bool(int)>& serves);

// Called before each operation (node address, group, operation) and after each iteration.
using TestProgress =
    std::function<void(const std::string& node, std::string_view group, std::string_view operation, int iteration)>;

// Runs the selected groups on every primary of `target`, one node after the other, then
// cleans up. Ctrl-C (util::interrupted) stops after the current iteration; the report says so.
TestReport run_operation_tests(cluster::Client& target, const TestOptions& options, const TestProgress& progress = {});

}  // namespace rctl::optest
