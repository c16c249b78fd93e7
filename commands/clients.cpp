// rctl clients: who is connected to every node, summed up for an incident; and
// rctl clients kill: disconnect the clients a filter picks, exactly and never rctl itself.

#include "confirm.hpp"
#include "context.hpp"
#include "progress.hpp"

#include "client/options.hpp"
#include "clients/clients.hpp"
#include "clients/render.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace rctl::commands {

namespace {

struct ClientsFlags {
  std::vector<std::string> filters;
  bool dry_run = false, yes = false;
};

std::vector<clients::Condition> parse_filters(const std::vector<std::string>& texts) {
  std::vector<clients::Condition> out;
  for (const auto& t : texts) out.push_back(value_or_throw(clients::parse_condition(t)));
  return out;
}

// Nodes that could not be reached fail the command only when none could; the others are
// reported per node, and warned about here.
std::vector<clients::NodeClients> collect_clients(Context& ctx) {
  auto nodes = clients::collect(ctx.connect());
  if (clients::none_reachable(nodes)) throw Failure(*nodes.front().error);
  for (const auto& n : nodes) {
    if (n.error) ctx.printer().warning(fmt::format("{}: {}", n.address, n.error->message));
    else if (n.list_error)
      ctx.printer().warning(fmt::format("{}: {}; showing INFO clients instead", n.address, n.list_error->message));
  }
  return nodes;
}

int run_clients(Context& ctx, const ClientsFlags& f) {
  auto conditions = parse_filters(f.filters);
  auto nodes = collect_clients(ctx);
  auto summary = clients::summarize(nodes, conditions);
  ctx.printer().emit(
      clients::render_summary(client::describe(ctx.connect().seed_options()), nodes, summary, f.filters));
  return 0;
}

int run_clients_kill(Context& ctx, const ClientsFlags& f) {
  if (f.filters.empty())
    throw Failure(
        ErrorKind::usage, "clients kill needs at least one --filter",
        "for example --filter name=worker-* --filter idle>10m; see the list first with rctl clients --filter");
  auto conditions = parse_filters(f.filters);
  auto& printer = ctx.printer();
  auto nodes = collect_clients(ctx);
  auto plan = clients::plan_kill(nodes, conditions);
  auto target = client::describe(ctx.connect().seed_options());
  // No node listed its clients: nothing can be chosen, and that is the first node's refusal.
  if (std::all_of(plan.nodes.begin(), plan.nodes.end(), [](const clients::KillNode& k) { return k.error; }))
    throw Failure(*plan.nodes.front().error);
  if (f.dry_run || plan.targets.empty()) {
    printer.emit(clients::render_kill(target, plan, true, f.filters));
    if (plan.targets.empty()) printer.note("no client matches the filter; nothing to disconnect");
    return 0;
  }
  confirm_destructive(fmt::format("disconnect {} client(s) matching {} on {}", plan.targets.size(),
                                  fmt::join(f.filters, " and "), target),
                      f.yes);
  clients::kill(ctx.connect(), plan);
  printer.emit(clients::render_kill(target, plan, false, f.filters));
  for (const auto& k : plan.nodes)
    if (k.error && k.matched > 0)
      return failed_exit(printer, *k.error, fmt::format("{}: {}", k.address, k.error->message));
  return 0;
}

}  // namespace

void register_clients(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<ClientsFlags>();
  auto* cmd = app.add_subcommand(
      "clients", "Who is connected to every node: headroom, groups, idle times, buffers, blocked clients");
  const char* filter_help =
      "Only clients matching all of these: addr=HOST[:PORT], name=GLOB, user=GLOB, lib-name=GLOB, cmd=GLOB, "
      "flags=LETTERS, idle>DUR, idle<DUR (repeatable)";
  cmd->add_option("--filter", f->filters, filter_help)->type_name("EXPR")->allow_extra_args(false);
  cmd->callback([&ctx, f, cmd] {
    if (cmd->get_subcommands().empty()) ctx.run = [&ctx, f] { return run_clients(ctx, *f); };
  });
  auto k = std::make_shared<ClientsFlags>();
  auto* kill = cmd->add_subcommand("kill", "Disconnect the clients a filter picks (CLIENT KILL ID), never rctl's own");
  kill->add_option("--filter", k->filters, filter_help)->type_name("EXPR")->allow_extra_args(false);
  kill->add_flag("--dry-run", k->dry_run, "List who would be disconnected; disconnect nobody");
  kill->add_flag("-y,--yes", k->yes, "Do not ask for confirmation (required when stdin is not a terminal)");
  kill->callback([&ctx, k] { ctx.run = [&ctx, k] { return run_clients_kill(ctx, *k); }; });
}

}  // namespace rctl::commands
