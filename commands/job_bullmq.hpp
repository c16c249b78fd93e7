#pragma once
// BullMQ's entry points for `rctl job enqueue|status|list|queues` (job.cpp dispatches here on
// --system bullmq); retry and purge go through job_systems.hpp like every system's.

#include "context.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rctl::commands {

// What `job enqueue --system bullmq` takes.
struct BullmqEnqueueFlags {
  std::string name, queue, prefix, job_id, delay, wait;
  std::vector<std::string> args;  // key=value / key:=json: the job's data object
  std::optional<std::int64_t> priority, attempts;
};

int run_bullmq_enqueue(Context& ctx, const BullmqEnqueueFlags& f);
// BullMQ ids are per queue: `queue` is required (usage error without it).
int run_bullmq_status(Context& ctx, const std::string& id, const std::string& queue, const std::string& prefix,
                      const std::string& wait);
int run_bullmq_list(Context& ctx, const std::string& queue, const std::string& state, std::size_t limit,
                    const std::string& prefix);
int run_bullmq_queues(Context& ctx, const std::vector<std::string>& only, const std::string& prefix);

}  // namespace rctl::commands
