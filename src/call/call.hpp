#pragma once
// `rctl call COMMAND [ARG...]`: any command, routed the way a cluster client routes it (by the
// slot of its keys, which the server names through COMMAND GETKEYS), or sent to one node, every
// primary or every node. The reply is kept as the RESP value it is; render.hpp turns it into a
// readable form, JSON that stays valid on binary data, or the exact bytes (--raw).
//
// Domain call (namespace rctl::call, library rctl_call): may use cluster/, client/, resp/,
// decode/, util/; output/ only in its render*.cpp files. Never commands/ nor another domain.

#include "cluster/client.hpp"
#include "resp/value.hpp"
#include "util/error.hpp"

#include <optional>
#include <string>
#include <vector>

namespace rctl::call {

// Where the command goes.
enum class Fanout { routed, node, primaries, all };

struct CallTarget {
  Fanout fanout = Fanout::routed;
  std::string node;  // "host:port" with Fanout::node
};

// One node's answer: a reply (error replies included) or why there is none.
struct NodeReply {
  std::string node;  // "host:port" (or "unix:/path")
  std::string role;  // "primary" or "replica"
  Expected<resp::Value> reply;
};

struct CallResult {
  bool fanned_out = false;  // --node/--all-primaries/--all-nodes: one entry per node
  bool keyless_on_cluster = false;  // routed without a key on a cluster: one primary of several answered
  std::vector<NodeReply> replies;  // exactly one when routed
};

// Why rctl refuses to send `args` (SUBSCRIBE, MONITOR...: commands whose replies never end
// or that turn the connection into something else), or nothing when it may be sent.
std::optional<Error> refusal(const std::vector<std::string>& args);

// The extra reply deadline a blocking command asks for with its own timeout argument (BLPOP k
// 5 waits up to 5 s more than --timeout); zero for every other command or a timeout of 0,
// which `refusal` already turned away.
std::chrono::milliseconds blocking_wait(const std::vector<std::string>& args);

// The slots of `keys`; fails with a usage error naming CROSSSLOT when they differ, since a
// cluster would refuse the command anyway and nothing should be sent.
Expected<int> common_slot(const std::vector<std::string>& keys);

// Sends `args` as is. Fails (usage) on a refused command, an unknown --node or keys in
// different slots; a routed command that got no reply fails with the connection's error.
CallResult run_call(cluster::Client& client, const std::vector<std::string>& args, const CallTarget& target);

}  // namespace rctl::call
