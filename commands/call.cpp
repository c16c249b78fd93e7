// rctl call: any command, routed like a cluster client, the reply shown readably, as JSON or raw.

#include "call.hpp"

#include "call/call.hpp"
#include "call/render.hpp"
#include "client/server_error.hpp"

#include <CLI/CLI.hpp>

#include <fmt/format.h>

namespace rctl::commands {

namespace {

call::CallTarget call_target(const CallFlags& f) {
  int chosen = (f.node.empty() ? 0 : 1) + (f.all_primaries ? 1 : 0) + (f.all_nodes ? 1 : 0);
  if (chosen > 1) throw Failure(ErrorKind::usage, "--node, --all-primaries and --all-nodes exclude each other");
  if (!f.node.empty()) return {call::Fanout::node, f.node};
  if (f.all_primaries) return {call::Fanout::primaries, {}};
  if (f.all_nodes) return {call::Fanout::all, {}};
  return {};
}

// The exit code of a reply: 0, or the code of its error (6; 4 for NOAUTH/WRONGPASS/NOPERM).
// The message names only the command, never its arguments (they may hold a password).
std::optional<Error> reply_error(const Expected<resp::Value>& reply, std::string_view command) {
  if (!reply) return reply.error();
  if (reply->is_error()) return client::to_error(reply->str, command);
  return std::nullopt;
}

}  // namespace

int run_call(Context& ctx, const CallFlags& f) {
  if (f.args.empty()) throw Failure(ErrorKind::usage, "missing COMMAND", "rctl call PING, rctl call GET key");
  auto target = call_target(f);
  if (f.raw && ctx.printer().format() == output::Format::json)
    throw Failure(ErrorKind::usage, "--raw and -o json exclude each other");
  if (f.raw && target.fanout != call::Fanout::routed)
    throw Failure(ErrorKind::usage, "--raw writes the bytes of one reply; it does not fan out",
                  "use -o json to tell the nodes' replies apart");
  if (auto refused = call::refusal(f.args)) throw Failure(*refused);
  auto command_name = client::cmd(f.args).name();
  auto result = call::run_call(ctx.connect(), f.args, target);
  if (!result.fanned_out) {
    // One reply: an error is the command's outcome, reported the way every error is (JSON
    // {"error": ...} on stdout under -o json).
    if (auto error = reply_error(result.replies.front().reply, command_name)) throw Failure(*error);
    // KEYS, DBSIZE, INFO...: a cluster has several answers; say whose this is.
    if (result.keyless_on_cluster)
      ctx.printer().note(fmt::format("{} names no key: {} answered; --all-primaries asks every primary", command_name,
                                     result.replies.front().node));
    if (f.raw) {
      output::Document doc;
      doc.blocks.emplace_back(output::RawBytes{call::reply_raw(*result.replies.front().reply)});
      ctx.printer().emit(doc);
      return 0;
    }
    ctx.printer().emit(call::render_call(result));
    return 0;
  }
  ctx.printer().emit(call::render_call(result));
  // Per node: the report shows every node; the exit code is the first failure's.
  for (const auto& r : result.replies) {
    if (auto error = reply_error(r.reply, command_name)) {
      ctx.printer().error_line(Error{error->kind, fmt::format("{}: {}", r.node, error->message), error->hint});
      return static_cast<int>(exit_code_for(error->kind));
    }
  }
  return 0;
}

void register_call(CLI::App& app, Context& ctx) {
  register_call(app, ctx, [](Context& c, const CallFlags& f) { return run_call(c, f); });
}

void register_call(CLI::App& app, Context& ctx, CallRun run) {
  auto f = std::make_shared<CallFlags>();
  auto* cmd = app.add_subcommand(
      "call", "Send any command (routed by key slot on a cluster) and print its reply; rctl's flags go before COMMAND");
  cmd->add_option("--node", f->node, "Send to this node only (host:port as rctl health lists it)")->type_name("ADDR");
  cmd->add_flag("--all-primaries", f->all_primaries, "Send to every primary; one reply per node");
  cmd->add_flag("--all-nodes", f->all_nodes, "Send to every node, replicas included; one reply per node");
  cmd->add_flag("--raw", f->raw, "Write the reply's exact bytes to stdout (aggregates: one element per line)");
  // Everything from COMMAND on is the server's, even words that look like flags (SET k -1,
  // GET --help): CLI11 stops parsing at the first positional word.
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->callback([&ctx, f, run, cmd] {
    f->args = cmd->remaining();
    ctx.run = [&ctx, f, run] { return run(ctx, *f); };
  });
}

}  // namespace rctl::commands
