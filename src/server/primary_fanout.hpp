#pragma once
// One task per primary, all at once on the client's event loop, with the 100 ms tick the
// long scans need for Ctrl-C and progress: the shared driver of cache invalidate, session
// scans and ratelimit list.

#include "cluster/client.hpp"
#include "util/error.hpp"

#include <functional>
#include <optional>
#include <vector>

namespace rctl::server {

// Starts the task of primary `index` (its position in target.primaries()); the task uses
// `connection` and calls `done` exactly once.
using PrimaryTask = std::function<void(std::size_t index, const cluster::Node& node, client::Connection& connection,
                                       std::function<void(Expected<void>)> done)>;

struct FanoutHooks {
  std::function<void()> interrupted;  // on the first tick after Ctrl-C: stop taking new work
  std::function<void()> tick;         // every 100 ms, after `interrupted` (progress)
};

// Runs `start` for every primary until all tasks are done. Returns, by index, the error of
// each primary whose task (or connection) failed.
std::vector<std::optional<Error>> run_on_primaries(cluster::Client& target, const PrimaryTask& start,
                                                   const FanoutHooks& hooks);

// Copies those errors into per-primary results (anything with an `error` member) that do not
// hold one of their own yet: a task's own, more precise error wins.
template <class NodeResult>
void keep_errors(std::vector<NodeResult>& nodes, const std::vector<std::optional<Error>>& errors) {
  for (std::size_t i = 0; i < errors.size() && i < nodes.size(); ++i)
    if (errors[i] && !nodes[i].error) nodes[i].error = errors[i];
}

}  // namespace rctl::server
