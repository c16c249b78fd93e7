// run_operation_tests: one namespace per primary, the selected groups on each primary in
// turn, then cleanup of that primary before the next one starts.

#include "optest/optest.hpp"
#include "optest/runner.hpp"

#include "client/options.hpp"
#include "cluster/slot.hpp"
#include "util/interrupt.hpp"

namespace rctl::optest {

namespace {

void run_group(optest::NodeRunner& r, TestGroup group) {
  switch (group) {
    case TestGroup::connection: return optest::run_connection_group(r);
    case TestGroup::strings: return optest::run_strings_group(r);
    case TestGroup::keys: return optest::run_keys_group(r);
    case TestGroup::hashes: return optest::run_hashes_group(r);
    case TestGroup::lists: return optest::run_lists_group(r);
    case TestGroup::sets: return optest::run_sets_group(r);
    case TestGroup::sorted_sets: return optest::run_sorted_sets_group(r);
    case TestGroup::streams: return optest::run_streams_group(r);
    case TestGroup::transactions: return optest::run_transactions_group(r);
    case TestGroup::scripting: return optest::run_scripting_group(r);
    case TestGroup::pubsub: return optest::run_pubsub_group(r);
    case TestGroup::pipelining: return optest::run_pipelining_group(r);
    case TestGroup::server: return optest::run_server_group(r);
  }
}

void run_node(cluster::Client& target, const cluster::Node& node, NodeTestResult& out, const std::string& run_id,
              const TestOptions& options, const TestProgress& progress) {
  // The namespace's hash tag must hash to a slot this primary serves, so that every key of
  // the run lands here (and multi-key commands stay within one slot).
  auto tag = choose_hash_tag(run_id, [&](int slot) {
    if (!target.is_cluster()) return true;
    const auto* owner = target.topology().primary_for_slot(slot);
    return owner && owner->address == node.address;
  });
  if (!tag) {
    out.error = tag.error();
    return;
  }
  out.slot = cluster::key_slot(*tag);
  optest::NodeRunner runner(target, node, out, *tag, options.iterations, progress);
  auto conn = target.connection(node);
  if (!conn) {
    out.error = conn.error();  // nothing was written: there is nothing to clean up
    return;
  }
  out.protocol = (*conn)->report().protocol;
  out.tls = (*conn)->options().endpoint.transport == net::Transport::tls;
  try {
    out.read_only = find_read_only(runner);
  } catch (const optest::OpStop&) {
    // The connection failed (out.error says how): no group runs; cleanup still does.
  }
  for (auto group : options.groups) {
    if (runner.stopped()) break;
    if (out.read_only && group_writes(group)) {
      runner.not_run(group, "not run: this node takes no writes");
      continue;
    }
    runner.begin_group(group);
    try {
      run_group(runner, group);
    } catch (const optest::OpStop& stop) {
      // Only escapes when a group checks something outside an operation body (a bug): the
      // node's run ends, but its keys are still cleaned up below.
      out.error = Error{ErrorKind::internal, stop.command + ": " + stop.reason, {}};
    } catch (const std::exception& e) {
      out.error = Error{ErrorKind::internal, e.what(), {}};
    }
    runner.end_group();
  }
  if (options.keep) out.cleanup.kept = true;
  else runner.cleanup();
}

}  // namespace

TestReport run_operation_tests(cluster::Client& target, const TestOptions& options, const TestProgress& progress) {
  auto start = std::chrono::steady_clock::now();
  TestReport report;
  report.target = client::describe(target.seed_options());
  report.cluster = target.is_cluster();
  report.run_id = make_run_id();
  report.options = options;
  // Copies: a MOVED reply during the run rebuilds the client's slot map and frees its Nodes.
  std::vector<cluster::Node> primaries;
  for (const auto* n : target.primaries()) primaries.push_back(*n);
  report.nodes.reserve(primaries.size());
  for (const auto& node : primaries) {
    if (util::interrupted()) break;
    auto& out = report.nodes.emplace_back();
    out.address = target.label(node);
    run_node(target, node, out, report.run_id, options, progress);
  }
  report.interrupted = util::interrupted();
  report.duration_ms = optest::elapsed_ms(start);
  return report;
}

}  // namespace rctl::optest
