// The NodeRunner toolkit: iterations, timing, reply checks, key bookkeeping and cleanup.

#include "optest/runner.hpp"

#include "client/server_error.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace rctl::optest {

namespace {

using Clock = std::chrono::steady_clock;

// Keys per UNLINK during cleanup, and SCAN COUNT for the safety net.
constexpr std::size_t k_cleanup_batch = 500;
constexpr std::size_t k_cleanup_scan_count = 1000;

// Commands whose second word names the operation ("FUNCTION LOAD", "CLIENT INFO").
constexpr std::array<std::string_view, 12> k_container_commands = {"ACL",    "CLIENT",   "CLUSTER", "COMMAND",
                                                                   "CONFIG", "FUNCTION", "MEMORY",  "OBJECT",
                                                                   "SCRIPT", "XGROUP",   "XINFO",   "LATENCY"};

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string command_label(const client::Command& command) {
  if (command.args.empty()) return {};
  auto name = upper(command.args.front());
  if (command.args.size() > 1 &&
      std::find(k_container_commands.begin(), k_container_commands.end(), name) != k_container_commands.end())
    return name + " " + upper(command.args[1]);
  return name;
}

// ---- Reply checks ----------------------------------------------------------------------

void Reply::fail(std::string_view what) const {
  throw OpStop{Outcome::fail, m_label, fmt::format("{}; got {}", what, resp::debug_string(m_value))};
}

const Reply& Reply::no_error() const {
  if (m_value.is_error()) NodeRunner::error_reply(m_value, m_label);
  return *this;
}

const Reply& Reply::ok() const {
  if (m_value.type != resp::Type::simple_string || m_value.str != "OK") fail("expected OK");
  return *this;
}

const Reply& Reply::integer(std::int64_t expected) const {
  if (m_value.type != resp::Type::integer || m_value.integer != expected) fail(fmt::format("expected {}", expected));
  return *this;
}

const Reply& Reply::string(std::string_view expected) const {
  if (!m_value.is_string() || m_value.str != expected) {
    if (m_value.is_string() && m_value.str.size() != expected.size())
      fail(fmt::format("expected {} bytes back, got {}", expected.size(), m_value.str.size()));
    if (m_value.is_string()) fail(fmt::format("expected the {} bytes written, the bytes differ", expected.size()));
    fail(fmt::format("expected {}", resp::debug_string(resp::Value::bulk(std::string(expected)))));
  }
  return *this;
}

const Reply& Reply::null() const {
  if (!m_value.is_null()) fail("expected null");
  return *this;
}

const Reply& Reply::number(double expected) const {
  if (as_number() != expected) fail(fmt::format("expected {}", expected));
  return *this;
}

std::int64_t Reply::as_integer() const {
  if (m_value.type != resp::Type::integer) fail("expected an integer");
  return m_value.integer;
}

std::string Reply::as_string() const {
  if (!m_value.is_string()) fail("expected a string");
  return m_value.str;
}

double Reply::as_number() const {
  if (m_value.type == resp::Type::double_number) return m_value.number;
  if (m_value.type == resp::Type::integer) return static_cast<double>(m_value.integer);
  if (m_value.is_string())
    if (auto d = util::parse_double(m_value.str)) return *d;
  fail("expected a number");
}

const std::vector<resp::Value>& Reply::list(std::optional<std::size_t> size) const& {
  if (!m_value.is_list()) fail("expected an array");
  if (size && m_value.elements.size() != *size) fail(fmt::format("expected {} elements", *size));
  return m_value.elements;
}

std::vector<resp::Value> Reply::list(std::optional<std::size_t> size) && {
  static_cast<const Reply&>(*this).list(size);
  return std::move(m_value.elements);
}

std::vector<std::string> Reply::sorted_strings() const {
  std::vector<std::string> out;
  for (const auto& e : list()) {
    if (!e.is_string()) fail("expected an array of strings");
    out.push_back(e.str);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, std::string>> Reply::pairs() const {
  if (!m_value.is_map() && !m_value.is_list()) fail("expected a map");
  const auto& e = m_value.elements;
  if (e.size() % 2 != 0) fail("expected field/value pairs");
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    if (!e[i].is_string() || !e[i + 1].is_string()) fail("expected string fields and values");
    out.emplace_back(e[i].str, e[i + 1].str);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Reply Reply::at(std::size_t index) const {
  if (!m_value.is_list() && !m_value.is_map()) fail("expected an array");
  if (index >= m_value.elements.size()) fail(fmt::format("expected at least {} elements", index + 1));
  return Reply(m_value.elements[index], m_label);
}

// ---- NodeRunner ------------------------------------------------------------------------

NodeRunner::NodeRunner(cluster::Client& client, cluster::Node node, NodeTestResult& out, std::string hash_tag,
                       int iterations, const TestProgress& progress)
    : m_client(client),
      m_node(std::move(node)),
      m_out(out),
      m_tag(std::move(hash_tag)),
      m_iterations(std::max(1, iterations)),
      m_progress(progress) {
  m_out.key_namespace = fmt::format("rctl:test:{{{}}}:", m_tag);
}

NodeRunner::~NodeRunner() = default;

void NodeRunner::begin_group(TestGroup group) {
  m_out.groups.push_back(GroupResult{group, {}, 0});
  m_group = &m_out.groups.back();
  m_group_start = Clock::now();
}

void NodeRunner::end_group() {
  if (!m_group) return;
  m_group->duration_ms = elapsed_ms(m_group_start);
  // A group stopped before its first operation (Ctrl-C) is not reported at all.
  if (m_group->operations.empty()) m_out.groups.pop_back();
  m_group = nullptr;
}

bool NodeRunner::stopped() const { return util::interrupted() || m_out.error.has_value(); }

Outcome NodeRunner::op(std::string name, std::vector<std::string> commands, const std::function<void()>& body,
                       Repeat repeat) {
  if (stopped() || !m_group) return Outcome::skipped;
  m_group->operations.push_back(OperationResult{std::move(name), std::move(commands)});
  auto& current = m_group->operations.back();
  m_current = &current;
  int runs = repeat == Repeat::once ? 1 : m_iterations;
  for (int i = 0; i < runs; ++i) {
    if (i > 0 && stopped()) break;
    if (m_progress) m_progress(m_out.address, to_string(m_group->group), current.name, i + 1);
    m_sample_ms = 0;
    try {
      body();
      current.samples_ms.push_back(m_sample_ms);
    } catch (const OpStop& stop) {
      current.outcome = stop.outcome;
      current.command = stop.command;
      current.reason = stop.reason;
      break;
    }
  }
  m_current = nullptr;
  return current.outcome;
}

void NodeRunner::not_run(TestGroup group, std::string reason) {
  begin_group(group);
  OperationResult r{"not_run", {}};
  r.outcome = Outcome::unsupported;
  r.reason = std::move(reason);
  m_group->operations.push_back(std::move(r));
  end_group();
}

void NodeRunner::skip(std::string name, std::vector<std::string> commands, std::string reason) {
  if (stopped() || !m_group) return;
  OperationResult r{std::move(name), std::move(commands)};
  r.outcome = Outcome::skipped;
  r.reason = std::move(reason);
  m_group->operations.push_back(std::move(r));
}

void NodeRunner::detail(std::string text) {
  if (m_current) m_current->detail = std::move(text);
}

void NodeRunner::ops_per_sec(double value) {
  if (m_current) m_current->ops_per_sec = value;
}

std::string NodeRunner::key(std::string_view name) {
  auto k = unregistered_key(name);
  m_keys.insert(k);
  return k;
}

std::string NodeRunner::unregistered_key(std::string_view name) const {
  return m_out.key_namespace + std::string(name);
}

std::string NodeRunner::channel(std::string_view name) const { return m_out.key_namespace + std::string(name); }

std::string NodeRunner::function_library() {
  m_library_loaded = true;
  auto name = "rctl_test_" + m_tag;
  std::replace(name.begin(), name.end(), '.', '_');  // library names are [A-Za-z0-9_]
  return name;
}

void NodeRunner::transport_failure(const Error& error, std::string_view label) {
  if (!m_out.error) m_out.error = error;
  throw OpStop{Outcome::fail, std::string(label), error.message};
}

void NodeRunner::error_reply(const resp::Value& reply, std::string_view label) {
  throw OpStop{outcome_for_error_reply(reply.str), std::string(label), reply.str};
}

client::Connection& NodeRunner::connection() {
  auto conn = m_client.connection(m_node);
  if (!conn) transport_failure(conn.error(), "connect");
  return **conn;
}

client::Connection& NodeRunner::second_connection() {
  if (!m_second || m_second->broken()) m_second = open_connection();
  return *m_second;
}

std::unique_ptr<client::Connection> NodeRunner::open_connection() {
  auto conn = m_client.open_connection(m_node);
  if (!conn) transport_failure(conn.error(), "connect");
  return std::move(*conn);
}

Reply NodeRunner::exec(client::Command command, Timing timing, ErrorReply on_error) {
  auto label = command_label(command);
  // Keyed commands go through the cluster client so that a slot moving mid-run is followed;
  // keyless ones (PING, SCRIPT LOAD, PUBLISH...) must reach this very node.
  auto start = Clock::now();
  auto reply = command.has_key() ? m_client.exec(std::move(command)) : connection().exec(std::move(command));
  if (timing == Timing::timed) m_sample_ms += elapsed_ms(start);
  if (!reply) transport_failure(reply.error(), label);
  if (reply->is_error() && on_error == ErrorReply::fails) error_reply(*reply, label);
  return Reply(std::move(*reply), label);
}

Reply NodeRunner::call(client::Command command) { return exec(std::move(command), Timing::untimed, ErrorReply::fails); }
Reply NodeRunner::timed(client::Command command) { return exec(std::move(command), Timing::timed, ErrorReply::fails); }
Reply NodeRunner::call_allowing_error(client::Command command) {
  return exec(std::move(command), Timing::untimed, ErrorReply::returned);
}

std::vector<Reply> NodeRunner::pipeline(std::vector<client::Command> commands, Timing timing) {
  std::vector<std::string> labels;
  for (const auto& c : commands) labels.push_back(command_label(c));
  auto& conn = connection();
  auto start = Clock::now();
  auto replies = conn.exec(std::move(commands));
  if (timing == Timing::timed) m_sample_ms += elapsed_ms(start);
  if (!replies) transport_failure(replies.error(), labels.empty() ? "pipeline" : labels.front());
  std::vector<Reply> out;
  for (std::size_t i = 0; i < replies->size(); ++i) out.emplace_back(std::move((*replies)[i]), labels[i]);
  return out;
}

void NodeRunner::time(const std::function<void()>& work) {
  auto start = Clock::now();
  try {
    work();
  } catch (...) {
    m_sample_ms += elapsed_ms(start);
    throw;
  }
  m_sample_ms += elapsed_ms(start);
}

void del_keys(NodeRunner& r, std::initializer_list<std::string_view> keys) {
  std::vector<std::string> args{"DEL"};
  args.insert(args.end(), keys.begin(), keys.end());
  r.call(client::cmd(args).key(1));
}

// ---- cleanup ---------------------------------------------------------------------------

namespace {

// UNLINK (DEL where UNLINK is unknown or denied) of `keys`, all in one slot; adds the count of
// keys that existed to `removed`.
Expected<void> unlink_keys(cluster::Client& client, std::vector<std::string> keys, std::uint64_t& removed) {
  for (std::size_t at = 0; at < keys.size(); at += k_cleanup_batch) {
    auto end = std::min(keys.size(), at + k_cleanup_batch);
    std::vector<std::string> args{"UNLINK"};
    args.insert(args.end(), keys.begin() + static_cast<std::ptrdiff_t>(at),
                keys.begin() + static_cast<std::ptrdiff_t>(end));
    auto reply = client.exec(client::cmd(args).key(1));
    if (reply && reply->is_error() && client::is_refusal(client::classify(reply->str))) {
      args.front() = "DEL";
      reply = client.exec(client::cmd(args).key(1));
    }
    if (!reply) return std::unexpected(reply.error());
    // A read-only replica accepted none of the run's writes: there is nothing to remove.
    if (reply->is_error() && client::classify(reply->str) == client::ServerErrorKind::read_only) return {};
    if (reply->is_error()) return std::unexpected(client::to_error(reply->str, args.front()));
    if (reply->type == resp::Type::integer) removed += static_cast<std::uint64_t>(reply->integer);
  }
  return {};
}

}  // namespace

void NodeRunner::cleanup() {
  auto& c = m_out.cleanup;
  m_second.reset();  // may be blocked or watching; closing it also ends its server state
  auto record = [&](Error e) {
    if (!c.error) c.error = std::move(e);
  };
  if (auto ok = unlink_keys(m_client, known_keys(), c.keys_removed); !ok) record(ok.error());

  // The safety net: anything else under the namespace (a key created by a command whose
  // reply never arrived) is found by SCAN and removed. Only keys that start with the
  // namespace byte for byte are deleted, whatever the server's glob matched.
  auto pattern = util::prefix_pattern(m_out.key_namespace);
  std::string cursor = "0";
  std::vector<std::string> stray;
  do {
    auto conn = m_client.connection(m_node);
    if (!conn) {
      record(conn.error());
      break;
    }
    auto reply =
        (*conn)->exec(client::cmd({"SCAN", cursor, "MATCH", pattern, "COUNT", std::to_string(k_cleanup_scan_count)}));
    if (!reply) {
      record(reply.error());
      break;
    }
    if (reply->is_error()) {
      record(client::to_error(reply->str, "SCAN"));
      break;
    }
    if (reply->elements.size() != 2 || !reply->elements[1].is_list()) {
      record({ErrorKind::protocol, "SCAN: unexpected reply shape", {}});
      break;
    }
    ++c.scan_calls;
    cursor = reply->elements[0].str;
    for (auto& k : reply->elements[1].elements)
      if (util::starts_with(k.str, m_out.key_namespace)) stray.push_back(std::move(k.str));
  } while (cursor != "0");
  std::sort(stray.begin(), stray.end());
  stray.erase(std::unique(stray.begin(), stray.end()), stray.end());
  if (auto ok = unlink_keys(m_client, stray, c.stray_keys_removed); !ok) record(ok.error());

  if (m_library_loaded) {
    auto conn = m_client.connection(m_node);
    auto reply = conn ? (*conn)->exec(client::cmd({"FUNCTION", "DELETE", function_library()}))
                      : Expected<resp::Value>(std::unexpected(conn.error()));
    if (!reply) {
      record(reply.error());
    } else if (!reply->is_error()) {
      c.function_library_removed = true;
      m_library_loaded = false;
    } else if (reply->str.find("not found") != std::string::npos || client::is_refusal(client::classify(reply->str))) {
      // Never loaded, already deleted by the test, or FUNCTION is refused: then FUNCTION
      // LOAD was refused too (same command, same ACL category).
      m_library_loaded = false;
    } else {
      record(client::to_error(reply->str, "FUNCTION DELETE"));
    }
  }
}

}  // namespace rctl::optest
