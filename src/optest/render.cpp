// The two faces of an operation-test report: JSON (the contract, README "rctl test") and
// tables: a summary, one table of operations per node, and the verdict per group.

#include "optest/render.hpp"
#include "output/render_helpers.hpp"
#include "decode/bytes.hpp"
#include "optest/optest.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

#include <cmath>

namespace rctl::optest {

namespace {

using Json = nlohmann::ordered_json;

using output::round3;

using output::text_or_null;

template <class T>
Json optional_json(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json operation_json(const OperationResult& op) {
  auto l = latency_of(op);
  Json latency = nullptr;
  if (l.samples > 0)
    latency = {{"samples", l.samples},
               {"min", round3(l.min_ms)},
               {"p50", round3(l.p50_ms)},
               {"p99", round3(l.p99_ms)},
               {"max", round3(l.max_ms)}};
  return {
      {"name", op.name},
      {"commands", op.commands},
      {"outcome", to_string(op.outcome)},
      {"command", text_or_null(op.command)},
      {"reason", text_or_null(op.reason)},
      {"detail", text_or_null(op.detail)},
      {"latency_ms", latency},
      {"ops_per_sec", op.ops_per_sec ? Json(static_cast<std::int64_t>(std::llround(*op.ops_per_sec))) : Json(nullptr)}};
}

Json node_json(const NodeTestResult& n) {
  Json groups = Json::array();
  for (const auto& g : n.groups) {
    Json ops = Json::array();
    for (const auto& op : g.operations) ops.push_back(operation_json(op));
    groups.push_back({{"name", to_string(g.group)},
                      {"verdict", to_string(verdict_of(g))},
                      {"duration_ms", round3(g.duration_ms)},
                      {"operations", ops}});
  }
  const auto& s = n.server;
  const auto& c = n.cleanup;
  return {
      {"address", n.address},
      {"namespace", decode::json_bytes(n.key_namespace)},
      {"slot", n.slot},
      {"protocol", n.protocol},
      {"tls", n.tls},
      {"verdict", to_string(verdict_of(n))},
      {"error", output::error_or_null(n.error)},
      {"read_only", n.read_only ? Json{{"reason", n.read_only->reason}, {"hint", n.read_only->hint}} : Json(nullptr)},
      {"server",
       {{"version", text_or_null(s.version)},
        {"mode", text_or_null(s.mode)},
        {"cluster_enabled", optional_json(s.cluster_enabled)},
        {"maxmemory_bytes", optional_json(s.maxmemory_bytes)},
        {"maxmemory_policy", text_or_null(s.maxmemory_policy)},
        {"databases", optional_json(s.databases)},
        {"clock_offset_ms", s.clock_offset_ms ? Json(round3(*s.clock_offset_ms)) : Json(nullptr)}}},
      {"groups", groups},
      {"cleanup",
       {{"kept", c.kept},
        {"keys_removed", c.keys_removed},
        {"stray_keys_removed", c.stray_keys_removed},
        {"scan_calls", c.scan_calls},
        {"function_library_removed", c.function_library_removed},
        {"error", output::error_or_null(c.error)}}}};
}

// One problem (a failed or refused operation) in words: "EVAL: ERR unknown command ...".
std::string problem_text(const OperationResult& op) {
  if (op.command.empty()) return op.reason;
  return fmt::format("{}: {}", op.command, op.reason);
}

// The run-wide view of each group: worst verdict over the nodes and every problem.
struct GroupSummary {
  TestGroup group;
  Verdict verdict = Verdict::pass;
  std::vector<std::pair<const NodeTestResult*, const OperationResult*>> problems;
};

std::vector<GroupSummary> summarize_groups(const TestReport& r) {
  std::vector<GroupSummary> out;
  for (auto group : r.options.groups) {
    GroupSummary s{group};
    bool ran = false;
    for (const auto& n : r.nodes)
      for (const auto& g : n.groups) {
        if (g.group != group) continue;
        ran = true;
        s.verdict = worst(s.verdict, verdict_of(g));
        for (const auto& op : g.operations)
          if (op.outcome == Outcome::fail || op.outcome == Outcome::unsupported) s.problems.emplace_back(&n, &op);
      }
    if (ran) out.push_back(std::move(s));
  }
  return out;
}

output::Tone tone_for(Verdict v) {
  switch (v) {
    case Verdict::pass: return output::Tone::good;
    case Verdict::unsupported: return output::Tone::warn;
    case Verdict::fail: return output::Tone::bad;
  }
  return output::Tone::plain;
}

output::Tone tone_for(Outcome o) {
  switch (o) {
    case Outcome::pass: return output::Tone::good;
    case Outcome::unsupported: return output::Tone::warn;
    case Outcome::fail: return output::Tone::bad;
    case Outcome::skipped: return output::Tone::dim;
  }
  return output::Tone::plain;
}

std::string ms(double v) { return fmt::format("{:.3f}", v); }

output::Table node_table(const NodeTestResult& n) {
  output::Table t;
  t.title = fmt::format("{}  namespace {}  RESP{}{}", n.address, n.key_namespace, n.protocol, n.tls ? "  TLS" : "");
  t.columns = {"GROUP", "OPERATION", "RESULT", "RUNS", "P50 MS", "P99 MS", "MAX MS", "NOTE"};
  t.numeric = {false, false, false, true, true, true, true, false};
  for (const auto& g : n.groups)
    for (const auto& op : g.operations) {
      auto l = latency_of(op);
      bool timed = l.samples > 0;
      auto note = op.outcome == Outcome::pass      ? op.detail
                  : op.outcome == Outcome::skipped ? op.reason
                                                   : problem_text(op);
      t.rows.push_back({std::string(to_string(g.group)), op.name,
                        output::Cell(to_string(op.outcome), tone_for(op.outcome)), std::to_string(l.samples),
                        timed ? ms(l.p50_ms) : "-", timed ? ms(l.p99_ms) : "-", timed ? ms(l.max_ms) : "-", note});
    }
  return t;
}

std::string cleanup_text(const NodeTestResult& n) {
  const auto& c = n.cleanup;
  if (c.kept) return fmt::format("kept (--keep): remove with rctl cache invalidate '{}' --yes", n.key_namespace);
  if (c.error) return fmt::format("FAILED: {} (keys may remain under {})", c.error->message, n.key_namespace);
  return fmt::format("{} key{} removed{}{}", c.keys_removed, c.keys_removed == 1 ? "" : "s",
                     c.stray_keys_removed ? fmt::format(", {} more found by SCAN", c.stray_keys_removed) : "",
                     c.function_library_removed ? ", function library deleted" : "");
}

output::Fields server_fields(const NodeTestResult& n) {
  output::Fields f;
  f.title = "Server " + n.address;
  const auto& s = n.server;
  if (!s.version.empty()) f.add("version", s.version);
  if (!s.mode.empty()) f.add("mode", s.mode);
  if (s.maxmemory_bytes)
    f.add("maxmemory", *s.maxmemory_bytes > 0 ? util::format_bytes(*s.maxmemory_bytes) : std::string("unlimited"));
  if (!s.maxmemory_policy.empty()) f.add("maxmemory policy", s.maxmemory_policy);
  if (s.databases) f.add("databases", std::to_string(*s.databases));
  if (s.clock_offset_ms) f.add("clock offset", fmt::format("{:+.1f} ms", *s.clock_offset_ms));
  return f;
}

}  // namespace

output::Document render_test_report(const TestReport& r) {
  output::Document doc;
  auto verdict = verdict_of(r);
  auto groups = summarize_groups(r);
  bool success = test_exit_status(r) == 0;

  Json selected = Json::array();
  for (auto g : r.options.groups) selected.push_back(std::string(to_string(g)));
  Json group_json = Json::array();
  for (const auto& g : groups) {
    Json problems = Json::array();
    for (const auto& [node, op] : g.problems)
      problems.push_back({{"node", node->address},
                          {"operation", op->name},
                          {"outcome", to_string(op->outcome)},
                          {"command", text_or_null(op->command)},
                          {"reason", text_or_null(op->reason)}});
    group_json.push_back({{"name", to_string(g.group)}, {"verdict", to_string(g.verdict)}, {"problems", problems}});
  }
  Json nodes = Json::array();
  for (const auto& n : r.nodes) nodes.push_back(node_json(n));
  doc.json = {{"target", r.target},           {"mode", r.cluster ? "cluster" : "standalone"},
              {"run_id", r.run_id},           {"verdict", to_string(verdict)},
              {"success", success},           {"strict", r.options.strict},
              {"interrupted", r.interrupted}, {"iterations", r.options.iterations},
              {"groups_selected", selected},  {"duration_ms", round3(r.duration_ms)},
              {"groups", group_json},         {"nodes", nodes}};

  output::Fields summary;
  summary.add("target", r.target);
  summary.add("mode",
              r.cluster ? fmt::format("cluster, {} primar{} tested", r.nodes.size(), r.nodes.size() == 1 ? "y" : "ies")
                        : std::string("standalone"));
  summary.add("iterations", std::to_string(r.options.iterations));
  for (const auto& n : r.nodes) {
    auto label = r.nodes.size() == 1 ? std::string("cleanup") : "cleanup " + n.address;
    summary.add(label, output::Cell(cleanup_text(n), n.cleanup.error ? output::Tone::bad : output::Tone::plain));
    if (n.error) summary.add("stopped " + n.address, output::Cell(n.error->message, output::Tone::bad));
    if (n.read_only)
      summary.add(
          r.nodes.size() == 1 ? std::string("writes") : "writes " + n.address,
          output::Cell(fmt::format("not tested: {}; {}", n.read_only->reason, n.read_only->hint), output::Tone::warn));
  }
  summary.add("time", util::format_duration(util::Millis(static_cast<long>(r.duration_ms))));
  std::string verdict_text = to_string(verdict);
  if (verdict == Verdict::unsupported)
    verdict_text += r.options.strict ? " (a failure with --strict)" : " (exit 0; --strict makes it fail)";
  auto verdict_tone = success ? tone_for(verdict) : output::Tone::bad;
  if (r.interrupted) {
    verdict_text = "interrupted (partial results)";
    verdict_tone = output::Tone::warn;
  }
  summary.add("verdict", output::Cell(verdict_text, verdict_tone));
  doc.blocks.emplace_back(std::move(summary));

  for (const auto& n : r.nodes) {
    if (!n.groups.empty()) doc.blocks.emplace_back(node_table(n));
    auto facts = server_fields(n);
    if (!facts.items.empty()) doc.blocks.emplace_back(std::move(facts));
  }

  output::Table verdicts;
  verdicts.title = "Verdict per group";
  verdicts.columns = {"GROUP", "VERDICT", "NOTE"};
  for (const auto& g : groups) {
    std::string note;
    if (!g.problems.empty()) {
      const auto& [node, op] = g.problems.front();
      note = fmt::format("{}{}: {}", r.nodes.size() > 1 ? node->address + " " : "", op->name, problem_text(*op));
      if (g.problems.size() > 1) note += fmt::format(" (+{} more)", g.problems.size() - 1);
    }
    verdicts.rows.push_back(
        {std::string(to_string(g.group)), output::Cell(to_string(g.verdict), tone_for(g.verdict)), note});
  }
  if (!verdicts.rows.empty()) doc.blocks.emplace_back(std::move(verdicts));
  return doc;
}

}  // namespace rctl::optest
