#pragma once
// The one polling loop behind every `--wait` of `rctl job` (RQ, Celery, Sidekiq, BullMQ).

#include "context.hpp"

#include "util/duration.hpp"

#include <functional>
#include <string_view>

namespace rctl::commands {

// Calls `step(elapsed)` (50 ms apart, doubling to 1 s) until it returns true, then returns
// true; returns false when `budget` has passed first (after one last step at the deadline).
// A long wait outlives brief outages (a failover, a restart): a step that loses its
// connection (connect or timeout errors) is noted on stderr as "<what>: <error>; retrying" and
// polling goes on until the deadline, where that error is thrown. Other errors end the wait.
// Ctrl-C throws ErrorKind::interrupted, naming `what` ("job 42").
bool poll_job(Context& ctx, std::string_view what, util::Millis budget,
              const std::function<bool(util::Millis elapsed)>& step);

}  // namespace rctl::commands
