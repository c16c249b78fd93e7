// Before any group: does this node take writes? A replica answers every write with READONLY
// and a read-only user with NOPERM; running the suite there reported some sixty refusals,
// then a cleanup that could not delete what was never written.

#include "optest/runner.hpp"

#include "client/server_error.hpp"
#include "server/info.hpp"

#include <fmt/format.h>

namespace rctl::optest {

namespace {

// A replica with replica-read-only on (the default; assumed when CONFIG is refused).
std::optional<ReadOnlyTarget> read_only_replica(NodeRunner& r) {
  auto info = r.call_allowing_error(client::cmd({"INFO", "replication"})).value();
  if (!info.is_string()) return std::nullopt;  // INFO refused: the write probe decides
  auto parsed = server::Info::parse(info.str);
  if (parsed.get_or("role", "") != "slave") return std::nullopt;
  auto setting = r.call_allowing_error(client::cmd({"CONFIG", "GET", "replica-read-only"})).value();
  if ((setting.is_list() || setting.is_map()) && setting.elements.size() == 2 && setting.elements[1].str == "no")
    return std::nullopt;
  auto host = parsed.get_or("master_host", "");
  auto port = parsed.get_or("master_port", "");
  if (host.empty()) return ReadOnlyTarget{"the server is a read-only replica", "run rctl test against its primary"};
  return ReadOnlyTarget{fmt::format("the server is a read-only replica of {}:{}", host, port),
                        fmt::format("run rctl test against the primary, {}:{}", host, port)};
}

// One SET in the namespace: refused with NOPERM, the user may not write there. The key is
// remembered for cleanup only once it was written.
std::optional<ReadOnlyTarget> read_only_user(NodeRunner& r) {
  auto key = r.unregistered_key("write_probe");
  auto reply = r.call_allowing_error(client::cmd({"SET", key, "1", "PX", "600000"}).key(1)).value();
  if (!reply.is_error()) {
    r.key("write_probe");
    return std::nullopt;
  }
  auto kind = client::classify(reply.str);
  if (kind == client::ServerErrorKind::read_only)
    return ReadOnlyTarget{fmt::format("the server takes no writes ({})", reply.str),
                          "run rctl test against the primary"};
  if (kind == client::ServerErrorKind::no_perm)
    return ReadOnlyTarget{fmt::format("this user may not write keys here ({})", reply.str),
                          "run rctl test as a user that may write keys matching rctl:test:*"};
  return std::nullopt;  // any other error is the strings group's to report
}

}  // namespace

std::optional<ReadOnlyTarget> find_read_only(NodeRunner& r) {
  if (auto replica = read_only_replica(r)) return replica;
  return read_only_user(r);
}

}  // namespace rctl::optest
