#include "call/call.hpp"

#include "client/command.hpp"
#include "cluster/slot.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <memory>

namespace rctl::call {

namespace {

std::string upper_name(const std::string& word) {
  std::string s = word;
  std::ranges::transform(s, s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// A blocking command's own wait: which argument holds it and in which unit. Only the commands
// whose replies are bounded by that argument; a wait of 0 is "forever".
struct BlockingArg {
  std::string_view name;
  int index;  // from the start of args; -1 = the last argument
  bool seconds;  // else milliseconds
};

constexpr BlockingArg k_blocking_args[] = {
    {"BLPOP", -1, true},  {"BRPOP", -1, true}, {"BZPOPMIN", -1, true}, {"BZPOPMAX", -1, true}, {"BRPOPLPUSH", -1, true},
    {"BLMOVE", -1, true}, {"BLMPOP", 1, true}, {"BZMPOP", 1, true},    {"WAIT", 2, false},     {"WAITAOF", 3, false},
};

// The argument holding a blocking command's wait, or nothing for a command that does not
// block. XREAD and XREADGROUP block only with BLOCK ms.
std::optional<std::pair<std::string, bool>> blocking_argument(const std::vector<std::string>& args) {
  if (args.empty()) return std::nullopt;
  auto name = upper_name(args.front());
  if (name == "XREAD" || name == "XREADGROUP") {
    for (std::size_t i = 1; i + 1 < args.size(); ++i)
      if (upper_name(args[i]) == "BLOCK") return std::pair{args[i + 1], false};
    return std::nullopt;
  }
  for (const auto& b : k_blocking_args) {
    if (name != b.name) continue;
    auto index = b.index < 0 ? static_cast<int>(args.size()) - 1 : b.index;
    if (index <= 0 || static_cast<std::size_t>(index) >= args.size()) return std::nullopt;
    return std::pair{args[static_cast<std::size_t>(index)], b.seconds};
  }
  return std::nullopt;
}

// Arguments longer than this reach COMMAND GETKEYS as a short stand-in, so that a 100 MB SET
// is not sent twice. Where the keys are depends on the command's key specs and on short
// arguments (numkeys, keywords such as STREAMS), never on a long one's bytes; a stand-in the
// server names as a key is mapped back to the argument it stood for.
constexpr std::size_t k_getkeys_arg_bytes = 1024;

std::string getkeys_stand_in(std::size_t index) { return fmt::format("\x01rctl-arg-{}\x01", index); }

// The keys the server finds in `args`, or nothing when it cannot say (a keyless or unknown
// command, or COMMAND refused by ACL or provider); then MOVED routes the command.
std::vector<std::string> server_keys(cluster::Client& client, const std::vector<std::string>& args) {
  std::vector<std::string> getkeys{"COMMAND", "GETKEYS"};
  std::map<std::string, std::size_t> stood_for;  // stand-in -> index in args
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i == 0 || args[i].size() <= k_getkeys_arg_bytes) {
      getkeys.push_back(args[i]);
      continue;
    }
    auto stand_in = getkeys_stand_in(i);
    stood_for[stand_in] = i;
    getkeys.push_back(std::move(stand_in));
  }
  auto reply = client.exec(client::cmd(std::move(getkeys)));
  std::vector<std::string> keys;
  if (!reply || !reply->is_list()) return keys;
  for (const auto& k : reply->elements) {
    if (!k.is_string()) continue;
    auto it = stood_for.find(k.str);
    keys.push_back(it == stood_for.end() ? k.str : args[it->second]);
  }
  return keys;
}

NodeReply routed(cluster::Client& client, const std::vector<std::string>& args, client::Command command,
                 bool& keyless_on_cluster) {
  const cluster::Node* node = nullptr;
  if (client.is_cluster()) {
    auto keys = server_keys(client, args);
    keyless_on_cluster = keys.empty() && client.primaries().size() > 1;
    if (!keys.empty()) {
      auto slot = common_slot(keys);
      if (!slot) throw Failure(slot.error());
      auto at = std::find(args.begin() + 1, args.end(), keys.front());
      if (at != args.end()) command.key(static_cast<int>(at - args.begin()));
      node = client.topology().primary_for_slot(*slot);
    }
  }
  if (!node) {
    auto primaries = client.primaries();
    if (!primaries.empty()) node = primaries.front();
  }
  NodeReply out{node ? client.label(*node) : std::string{}, "primary", client.exec(std::move(command))};
  return out;
}

// On a cluster a replica serves reads only on a connection that sent READONLY; without it every
// keyed command sent there with --node or --all-nodes would just be a MOVED.
std::vector<client::Command> node_pipeline(const cluster::Client& client, const cluster::Node& node,
                                           const client::Command& command) {
  std::vector<client::Command> pipeline;
  if (client.is_cluster() && !node.primary) pipeline.push_back(client::cmd({"READONLY"}));
  pipeline.push_back(command);
  return pipeline;
}

std::vector<NodeReply> fan_out_call(cluster::Client& client, cluster::NodeSelection which,
                                    const client::Command& command) {
  std::map<const cluster::Node*, resp::Value> replies;
  auto results = client.run_on_nodes(
      which, [&](const cluster::Node& node, client::Connection& conn, std::function<void(Expected<void>)> done) {
        auto pipeline = node_pipeline(client, node, command);
        auto left = std::make_shared<std::size_t>(pipeline.size());
        auto finished = std::make_shared<bool>(false);
        auto once = std::make_shared<std::function<void(Expected<void>)>>(std::move(done));
        auto& slot = replies[&node];
        for (std::size_t i = 0; i < pipeline.size(); ++i) {
          bool last = i + 1 == pipeline.size();
          conn.send(pipeline[i], [&slot, last, left, finished, once](Expected<resp::Value> r) {
            if (*finished) return;
            if (!r) {
              *finished = true;
              return (*once)(std::unexpected(r.error()));
            }
            if (last) slot = std::move(*r);
            if (--*left == 0) {
              *finished = true;
              (*once)({});
            }
          });
        }
      });
  std::vector<NodeReply> out;
  for (auto& [node, result] : results) {
    Expected<resp::Value> reply =
        result ? Expected<resp::Value>(std::move(replies[node])) : std::unexpected(result.error());
    out.push_back({client.label(*node), node->primary ? "primary" : "replica", std::move(reply)});
  }
  return out;
}

}  // namespace

std::optional<Error> refusal(const std::vector<std::string>& args) {
  if (args.empty()) return Error{ErrorKind::usage, "missing COMMAND", "rctl call PING, rctl call GET key"};
  auto name = upper_name(args.front());
  static constexpr std::string_view k_streams[] = {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "SYNC", "PSYNC"};
  if (std::ranges::find(k_streams, name) != std::end(k_streams))
    return Error{ErrorKind::usage, fmt::format("rctl call does not run {}: its replies never end", name),
                 "use redis-cli for a subscription or MONITOR; rctl call sends one command and prints one reply"};
  if (auto wait = blocking_argument(args)) {
    auto value = util::parse_double(wait->first);
    if (value && *value == 0)
      return Error{ErrorKind::usage, fmt::format("{} with a timeout of 0 would wait forever", name),
                   "give the command a timeout (BLPOP key 5 waits up to 5 seconds)"};
  }
  return std::nullopt;
}

std::chrono::milliseconds blocking_wait(const std::vector<std::string>& args) {
  auto wait = blocking_argument(args);
  if (!wait) return std::chrono::milliseconds{0};
  auto value = util::parse_double(wait->first);
  // An unparsable or negative timeout is the server's to refuse; it answers at once.
  if (!value || !std::isfinite(*value) || *value <= 0 || *value > 1e9) return std::chrono::milliseconds{0};
  auto ms = wait->second ? *value * 1000.0 : *value;
  return std::chrono::milliseconds{static_cast<std::int64_t>(std::ceil(ms))};
}

Expected<int> common_slot(const std::vector<std::string>& keys) {
  if (keys.empty()) return fail(ErrorKind::internal, "no keys");
  int slot = cluster::key_slot(keys.front());
  for (const auto& k : keys) {
    if (cluster::key_slot(k) == slot) continue;
    return fail(ErrorKind::usage,
                fmt::format("CROSSSLOT: the keys of this command hash to different slots ({} and {}); nothing was sent",
                            slot, cluster::key_slot(k)),
                "a cluster runs a multi-key command only when all keys share a slot: give them one hash tag, "
                "as in {user:1}:a and {user:1}:b");
  }
  return slot;
}

CallResult run_call(cluster::Client& client, const std::vector<std::string>& args, const CallTarget& target) {
  if (auto refused = refusal(args)) throw Failure(*refused);
  // Any command may write: after a lost connection it is reported, never sent again.
  auto command = client::cmd(args).unsafe_to_retry().blocking(blocking_wait(args));
  CallResult result;
  if (target.fanout == Fanout::routed) {
    result.replies.push_back(routed(client, args, std::move(command), result.keyless_on_cluster));
    return result;
  }
  result.fanned_out = true;
  if (target.fanout == Fanout::node) {
    const cluster::Node* node = nullptr;
    std::vector<std::string> known;
    for (const auto* n : client.nodes()) {
      known.push_back(client.label(*n));
      if (known.back() == target.node) node = n;
    }
    if (!node)
      throw Failure(ErrorKind::usage, fmt::format("--node {}: no such node", target.node),
                    fmt::format("the nodes are: {}", fmt::join(known, ", ")));
    auto conn = client.connection(*node);
    auto replies = conn ? (*conn)->exec(node_pipeline(client, *node, command))
                        : Expected<std::vector<resp::Value>>(std::unexpected(conn.error()));
    Expected<resp::Value> reply =
        replies ? Expected<resp::Value>(std::move(replies->back())) : std::unexpected(replies.error());
    result.replies.push_back({client.label(*node), node->primary ? "primary" : "replica", std::move(reply)});
    return result;
  }
  auto which = target.fanout == Fanout::all ? cluster::NodeSelection::all : cluster::NodeSelection::primaries;
  result.replies = fan_out_call(client, which, command);
  return result;
}

}  // namespace rctl::call
