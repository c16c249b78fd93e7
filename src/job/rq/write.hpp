#pragma once
// Writing RQ's keys: the checks every write makes first and the WATCH/MULTI/EXEC round
// trips they share. RQ writes a job's keys (rq:job:<id>, rq:queue:<q>, rq:queues, the
// registries) in one transaction; they hash to different slots, so these writes need a
// standalone server - as RQ itself does (see require_standalone).

#include "client/command.hpp"
#include "cluster/client.hpp"
#include "resp/value.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::job::rq {

// How many times a transaction whose WATCHed keys changed is tried again.
inline constexpr int k_max_transaction_attempts = 5;

// Throws a usage Failure (exit 2) explaining why `action` cannot run on a cluster: RQ's
// transactions span slots (CROSSSLOT), and RQ's workers cannot use a cluster either.
void require_standalone(cluster::Client& target, std::string_view action);

// One optimistic transaction on the standalone server: `prepare` gets the replies of
// WATCH `watch` + `reads` and returns the commands to run between MULTI and EXEC (or throws
// to give up; an empty list means nothing to do). Runs again (up to
// k_max_transaction_attempts) when a watched key changed before EXEC. Returns the EXEC
// replies. A connection failure after MULTI was sent is ErrorKind::outcome_unknown, with
// `what` ("enqueue of job 1234") in the message; error replies inside EXEC throw.
using PrepareWrites = std::function<std::vector<client::Command>(const std::vector<resp::Value>& reads)>;
std::vector<resp::Value> watched_transaction(cluster::Client& target, const std::vector<std::string>& watch,
                                             const std::vector<client::Command>& reads, const PrepareWrites& prepare,
                                             std::string_view what);

// Checks a TYPE reply: throws (ErrorKind::server) when `key` exists with another type than
// `expected`, since RQ's commands on it would fail half-way through a transaction.
void require_type(const resp::Value& type_reply, std::string_view key, std::string_view expected);

}  // namespace rctl::job::rq
