#pragma once
// CLIENT LIST text (https://redis.io/commands/client-list/) parsed into records, and the
// --filter expressions of `rctl clients` matched against them. Pure: no I/O.

#include "util/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::clients {

// Bounds: CLIENT LIST is untrusted input like any reply.
inline constexpr std::size_t k_max_clients = 250'000;  // lines per node; more is a protocol error
inline constexpr std::size_t k_max_value_bytes = 4096;  // longer field values are cut

// One connection as CLIENT LIST describes it. Numbers a server did not send stay -1 (an
// older server has no ssub, lib-name, tot-mem...); `has_lib` says whether lib-name was there.
struct ClientInfo {
  std::string node;  // address label of the node that listed it
  std::int64_t id = -1;
  std::string addr, laddr, name, user, flags, cmd, lib_name, lib_ver, events;
  bool has_lib = false;
  std::int64_t age_s = -1, idle_s = -1, db = -1, sub = -1, psub = -1, ssub = -1, multi = -1;
  std::int64_t qbuf = -1, qbuf_free = -1, argv_mem = -1, obl = -1, oll = -1, omem = -1, tot_mem = -1, resp = -1;

  // The address without its port ("10.0.0.5" from "10.0.0.5:51234", "::1" from "[::1]:6379"
  // style and "::1:6379" alike); unix sockets are "/path:0" and keep their path.
  std::string host() const;
  bool has_flag(char flag) const { return flags.find(flag) != std::string::npos; }
  bool pubsub() const { return has_flag('P') || sub > 0 || psub > 0 || ssub > 0; }
  bool blocked() const { return has_flag('b'); }
  // A replica's or primary's replication link (flags S or M): never killed by rctl.
  bool replication_link() const { return has_flag('S') || has_flag('M'); }
};

// Parses CLIENT LIST text; fields a line lacks keep their defaults, unknown ones are ignored.
// Fails with ErrorKind::protocol on a line without id= or with more than k_max_clients lines.
Expected<std::vector<ClientInfo>> parse_client_list(std::string_view text, const std::string& node);

// One --filter condition.
struct Condition {
  enum class Field { addr, name, user, lib_name, cmd, flags, idle_over, idle_under };
  Field field = Field::addr;
  std::string pattern;  // glob (* and ?) for addr/name/user/lib-name/cmd; letters for flags
  std::int64_t ms = 0;  // idle>DUR / idle<DUR
};

// Parses "addr=10.0.0.5", "name=worker-*", "user=app", "lib-name=redis-py", "cmd=blpop",
// "flags=P", "idle>5m", "idle<10s". ErrorKind::usage naming the expression when invalid.
Expected<Condition> parse_condition(std::string_view text);

// True when `client` meets every condition (no conditions: every client). addr= matches the
// whole address or the host alone.
bool matches(const ClientInfo& client, const std::vector<Condition>& conditions);

// Glob matching with * (any run of bytes) and ? (one byte); every other byte is literal.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace rctl::clients
