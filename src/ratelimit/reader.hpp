#pragma once
// Internal to ops/ratelimit*: reads the state of limiter keys in a few pipelined rounds
// (TYPE/PTTL/GET, then the window log, then an exact count when the log is longer than
// the limit), through a Sender so that one reader serves both a single routed key (show,
// reset) and a node's scan batch (list).

#include "client/connection.hpp"
#include "cluster/client.hpp"
#include "cluster/scan.hpp"
#include "ratelimit/ratelimit.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rctl::ratelimit {

// One reply per command sent, or the transport's error. (Structs rather than Expected here and
// below: GCC 12 misreads moves of std::expected<std::vector> through std::function as uses of
// uninitialised memory.)
struct Replies {
  std::optional<Error> error;
  std::vector<resp::Value> values;
};

// Sends a pipeline and calls back once with its replies.
using Sender = std::function<void(std::vector<client::Command>, std::function<void(Replies)>)>;

// A key to read, parsed once.
struct Subject {
  std::string key;  // the key to read (sliding: the current-window key)
  std::optional<LimitsKey> parsed;  // set for limits layouts
};

// Parses `key`; a limits ".../-1" key becomes its current-window partner.
Subject make_subject(std::string key);

enum class ReadStatus {
  ok,  // `limiter` is set
  missing,  // the key does not exist (any more)
  unsupported,  // it holds something that is no limiter layout (`why` says what)
  redirected,  // the node no longer serves its slot (MOVED/ASK): read it again, routed
};

struct ReadOutcome {
  ReadStatus status = ReadStatus::missing;
  std::optional<Limiter> limiter;
  std::string why;
};

// What a read gives: one outcome per subject, in order, or the first transport error or
// refusal (NOPERM...).
struct ReadResult {
  std::optional<Error> error;
  std::vector<ReadOutcome> outcomes;
};

// Reads `subjects` and calls `done` once. `now` is the Unix time the usage is computed for.
void read_limiters(std::vector<Subject> subjects, const ReadOptions& options, double now, Sender send,
                   std::function<void(ReadResult)> done);

// Reads `subjects` through routed_sender (synchronously); throws the read's error.
std::vector<ReadOutcome> read_routed(cluster::Client& target, std::vector<Subject> subjects,
                                     const ReadOptions& options);

// A Sender over Client::exec_all: routed per key, following redirects; runs synchronously.
Sender routed_sender(cluster::Client& target);

// A Sender that pipelines on the node of a scan page; replies arrive on the event loop.
Sender page_sender(cluster::Page page);

// The current Unix time in seconds.
double unix_now();

}  // namespace rctl::ratelimit
