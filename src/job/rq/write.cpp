#include "job/rq/write.hpp"

#include "client/server_error.hpp"

#include <fmt/format.h>

namespace rctl::job::rq {

namespace {

client::Connection& server_connection(cluster::Client& target) {
  auto primaries = target.primaries();
  if (primaries.empty()) throw Failure(ErrorKind::connect, "no server to write to");
  return *value_or_throw(target.connection(*primaries.front()));
}

void unwatch(client::Connection& conn) {
  if (!conn.broken()) (void)conn.exec(client::cmd({"UNWATCH"}));
}

}  // namespace

void require_standalone(cluster::Client& target, std::string_view action) {
  if (!target.is_cluster()) return;
  throw Failure(ErrorKind::usage, fmt::format("{} needs a standalone server: RQ cannot run on Redis Cluster", action),
                "RQ writes a job's keys (rq:job:<id>, rq:queue:<q>, rq:queues) in one MULTI across hash slots "
                "(CROSSSLOT on a cluster) and its workers cannot connect to one; point REDIS_QUEUE_URL or --url "
                "at the standalone server your workers use");
}

void require_type(const resp::Value& type_reply, std::string_view key, std::string_view expected) {
  if (type_reply.is_error()) throw Failure(client::to_error(type_reply.str, "TYPE"));
  if (type_reply.str != "none" && type_reply.str != expected)
    throw Failure(
        ErrorKind::server,
        fmt::format("key '{}' is a {}, but RQ keeps a {} there; nothing was written", key, type_reply.str, expected),
        "another application uses RQ's key names on this database");
}

std::vector<resp::Value> watched_transaction(cluster::Client& target, const std::vector<std::string>& watch,
                                             const std::vector<client::Command>& reads, const PrepareWrites& prepare,
                                             std::string_view what) {
  auto& conn = server_connection(target);
  for (int attempt = 1; attempt <= k_max_transaction_attempts; ++attempt) {
    std::vector<std::string> watch_args{"WATCH"};
    watch_args.insert(watch_args.end(), watch.begin(), watch.end());
    std::vector<client::Command> first{client::cmd(std::move(watch_args))};
    first.insert(first.end(), reads.begin(), reads.end());
    auto replies = value_or_throw(conn.exec(std::move(first)));
    if (replies.front().is_error()) throw Failure(client::to_error(replies.front().str, "WATCH"));
    std::vector<client::Command> writes;
    try {
      writes = prepare(std::vector<resp::Value>(replies.begin() + 1, replies.end()));
    } catch (...) {
      unwatch(conn);
      throw;
    }
    if (writes.empty()) {
      unwatch(conn);
      return {};
    }
    std::vector<client::Command> batch{client::cmd({"MULTI"})};
    for (auto& w : writes) batch.push_back(std::move(w));
    batch.push_back(client::cmd({"EXEC"}));
    for (auto& c : batch) c.unsafe_to_retry();
    if (conn.broken())
      throw Failure(ErrorKind::connect, fmt::format("{}: the connection was lost before writing", what));
    auto result = conn.exec(std::move(batch));
    if (!result)
      throw Failure(ErrorKind::outcome_unknown,
                    fmt::format("outcome unknown: the connection failed after the transaction for {} was sent ({})",
                                what, result.error().message),
                    "check the job with `rctl job status` before trying again; rctl does not send it twice");
    const auto& exec = result->back();
    for (std::size_t i = 0; i + 1 < result->size(); ++i)
      if ((*result)[i].is_error())
        throw Failure(ErrorKind::server,
                      fmt::format("{}: the server refused the transaction: {}", what, (*result)[i].str),
                      "nothing was written");
    if (exec.is_null()) continue;  // a watched key changed: read again
    if (exec.is_error()) throw Failure(client::to_error(exec.str, "EXEC"));
    for (const auto& r : exec.elements)
      if (r.is_error())
        throw Failure(ErrorKind::server, fmt::format("{}: a command inside the transaction failed: {}", what, r.str),
                      "the other commands of the transaction were applied; check the job with `rctl job status`");
    return exec.elements;
  }
  throw Failure(ErrorKind::server,
                fmt::format("{}: gave up after {} attempts, the keys kept changing", what, k_max_transaction_attempts),
                "workers are busy with this job or queue; try again");
}

}  // namespace rctl::job::rq
