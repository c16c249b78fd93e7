#pragma once
// Internal to `rctl test`: the toolkit the group files write their operations with. A
// NodeRunner runs operations on one primary: it repeats each body per iteration, times the
// commands marked as timed, turns error replies into `fail`/`unsupported`, remembers every
// key it hands out (for cleanup) and stops early on Ctrl-C or a lost connection.

#include "client/command.hpp"
#include "client/connection.hpp"
#include "cluster/client.hpp"
#include "optest/optest.hpp"
#include "resp/value.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rctl::optest {

// Thrown inside an operation body to end the iteration with a fail/unsupported outcome.
struct OpStop {
  Outcome outcome = Outcome::fail;
  std::string command;
  std::string reason;
};

// "FUNCTION LOAD" for container commands (CLIENT, FUNCTION, SCRIPT, CONFIG, XGROUP...),
// otherwise the upper-cased command name.
std::string command_label(const client::Command& command);

// A reply together with the command it answers, with checks that throw OpStop(fail)
// naming that command and showing what came back.
class Reply {
 public:
  Reply(resp::Value value, std::string label) : m_value(std::move(value)), m_label(std::move(label)) {}

  // Accessors into a temporary Reply (r.call(...).value(), reply.at(1).list()) return
  // copies, so that a range-for over them never reads a destroyed reply.
  const resp::Value& value() const& { return m_value; }
  resp::Value value() && { return std::move(m_value); }
  const std::string& label() const { return m_label; }

  // Fails the operation with "<what>; got <reply>".
  [[noreturn]] void fail(std::string_view what) const;

  // Ends the operation on an error reply (refusal -> unsupported, else fail).
  const Reply& no_error() const;
  const Reply& ok() const;  // +OK
  const Reply& integer(std::int64_t expected) const;
  const Reply& string(std::string_view expected) const;  // any string type, byte-exact
  const Reply& null() const;  // RESP3 null, RESP2 nil bulk or nil array
  const Reply& number(double expected) const;  // RESP3 double or a numeric string

  std::int64_t as_integer() const;
  std::string as_string() const;
  double as_number() const;  // RESP3 double or a numeric string
  // Elements of an array/set/push; fails on another type or (when given) another size.
  const std::vector<resp::Value>& list(std::optional<std::size_t> size = std::nullopt) const&;
  std::vector<resp::Value> list(std::optional<std::size_t> size = std::nullopt) &&;
  // Every element as a string, sorted (set-like replies).
  std::vector<std::string> sorted_strings() const;
  // A RESP3 map or a RESP2 flat array of pairs, as (key, value) strings.
  std::vector<std::pair<std::string, std::string>> pairs() const;
  // A nested element as a Reply for further checks.
  Reply at(std::size_t index) const;

 private:
  resp::Value m_value;
  std::string m_label;
};

enum class Repeat { each_iteration, once };

// Whether a round trip counts towards the operation's latency sample.
enum class Timing { untimed, timed };
// What an error reply does: fail the operation, or come back to the caller to inspect.
enum class ErrorReply { fails, returned };

class NodeRunner {
 public:
  NodeRunner(cluster::Client& client, cluster::Node node, NodeTestResult& out, std::string hash_tag, int iterations,
             const TestProgress& progress);
  ~NodeRunner();

  // Starts recording operations into a new group result.
  void begin_group(TestGroup group);
  void end_group();

  // Runs `body` once per iteration (or once) and records the operation. Returns its outcome;
  // `skipped` when the run was stopped before it started (then nothing is recorded).
  Outcome op(std::string name, std::vector<std::string> commands, const std::function<void()>& body,
             Repeat repeat = Repeat::each_iteration);
  // Records `group` as not run because the node takes no writes: one unsupported entry.
  void not_run(TestGroup group, std::string reason);
  // Records an operation that was not run because `reason`.
  void skip(std::string name, std::vector<std::string> commands, std::string reason);
  // Sets the current operation's detail line / throughput.
  void detail(std::string text);
  void ops_per_sec(double value);

  // True after Ctrl-C or when this node's connection failed: no more operations run.
  bool stopped() const;

  // A key in this node's namespace, remembered for cleanup.
  std::string key(std::string_view name);
  // The same key name, not remembered (for a write that may be refused).
  std::string unregistered_key(std::string_view name) const;
  // A pub/sub channel name in the namespace (channels are not keys: nothing to clean).
  std::string channel(std::string_view name) const;
  // A FUNCTION library name unique to this run and node; marks it for FUNCTION DELETE.
  std::string function_library();
  void function_library_deleted() { m_library_loaded = false; }

  // Sends one command (keyed commands are routed by slot, others go to this node) and
  // returns its reply. An error reply ends the operation: unsupported when the server
  // refuses the command, fail otherwise. A transport error fails it and stops the node.
  Reply call(client::Command command);
  // The same, adding the round trip to the iteration's sample.
  Reply timed(client::Command command);
  // The same, but an error reply is returned (for replies expected to be errors).
  Reply call_allowing_error(client::Command command);
  // Sends `commands` in one write on this node's connection; error replies are returned.
  // Timing::timed adds the round trip to the current sample.
  std::vector<Reply> pipeline(std::vector<client::Command> commands, Timing timing);
  // Runs `work` and adds its duration to the iteration's sample.
  void time(const std::function<void()>& work);

  // This node's connection (reopened if it broke).
  client::Connection& connection();
  // A second connection to this node, opened on first use and kept for the node's run.
  client::Connection& second_connection();
  // Closes the second connection (after a failure left a command pending on it).
  void drop_second_connection() { m_second.reset(); }
  // A new connection to this node owned by the caller (a subscriber).
  std::unique_ptr<client::Connection> open_connection();
  // Throws OpStop(fail) for `error` and stops the node when it is a transport error.
  [[noreturn]] void transport_failure(const Error& error, std::string_view label);
  // Throws OpStop for an error reply (refusal -> unsupported).
  [[noreturn]] static void error_reply(const resp::Value& reply, std::string_view label);

  const cluster::Node& node() const { return m_node; }
  NodeTestResult& result() { return m_out; }
  cluster::Client& client() { return m_client; }
  int protocol() { return connection().report().protocol; }

  // Removes every key handed out plus whatever a SCAN of the namespace finds, and the
  // function library. Runs even after Ctrl-C.
  void cleanup();

 private:
  Reply exec(client::Command command, Timing timing, ErrorReply on_error);
  std::vector<std::string> known_keys() const { return {m_keys.begin(), m_keys.end()}; }

  cluster::Client& m_client;
  // A copy: a MOVED reply makes the client rebuild its slot map, which frees its Nodes.
  cluster::Node m_node;
  NodeTestResult& m_out;
  std::string m_tag;
  int m_iterations;
  const TestProgress& m_progress;
  std::set<std::string> m_keys;
  bool m_library_loaded = false;
  std::unique_ptr<client::Connection> m_second;
  GroupResult* m_group = nullptr;
  OperationResult* m_current = nullptr;
  double m_sample_ms = 0;
  std::chrono::steady_clock::time_point m_group_start;
};

// Before any group: whether the node takes writes (preflight.cpp). Transport failures
// stop the node as in any operation (OpStop).
std::optional<ReadOnlyTarget> find_read_only(NodeRunner& r);

// DEL of `keys` (one slot): puts an operation's keys back to "absent" before it starts.
void del_keys(NodeRunner& r, std::initializer_list<std::string_view> keys);

// The operations of each group (basic.cpp, collections.cpp,
// streams_tx.cpp, scripting_pubsub.cpp, server.cpp).
void run_connection_group(NodeRunner& r);
void run_strings_group(NodeRunner& r);
void run_keys_group(NodeRunner& r);
void run_hashes_group(NodeRunner& r);
void run_lists_group(NodeRunner& r);
void run_sets_group(NodeRunner& r);
void run_sorted_sets_group(NodeRunner& r);
void run_streams_group(NodeRunner& r);
void run_transactions_group(NodeRunner& r);
void run_scripting_group(NodeRunner& r);
void run_pubsub_group(NodeRunner& r);
void run_pipelining_group(NodeRunner& r);
void run_server_group(NodeRunner& r);

// Milliseconds since `start`.
double elapsed_ms(std::chrono::steady_clock::time_point start);

}  // namespace rctl::optest
