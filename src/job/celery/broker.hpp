#pragma once
// Celery on Redis: the kombu broker's keys (queue lists, `_kombu.binding.<exchange>` sets,
// `unacked` / `unacked_index`) and the Redis result backend's `celery-task-meta-<id>`
// strings. Reads never run anything a message holds; the one write is an enqueue.

#include "cluster/client.hpp"
#include "job/celery/message.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rctl::job::celery {

// `_kombu.binding.*` keys read by `job queues` (the keyspace walk stops here).
inline constexpr std::size_t k_max_binding_keys = 1000;
inline constexpr std::size_t k_default_list_limit = 50;
inline constexpr std::size_t k_max_list_limit = 10000;

// True when the database holds Celery's keys: the default queue's binding or list, a
// worker's remote-control binding (`_kombu.binding.celery.pidbox`) or `unacked_index`.
bool broker_present(cluster::Client& target);

struct QueueInfo {
  std::string name;
  std::int64_t depth = 0;  // messages waiting, every priority list together
  std::optional<TaskMessage> oldest;  // the next message a worker takes
};

struct QueuesReport {
  std::vector<QueueInfo> queues;
  std::int64_t unacked = 0;  // delivered to a worker, not yet acknowledged (HLEN unacked)
  std::int64_t unacked_index = 0;  // ZCARD unacked_index
};

// Queues named in `_kombu.binding.*` (standalone servers), the default queue and `only`
// (when given, only those).
QueuesReport read_queues(cluster::Client& target, const std::vector<std::string>& only);

struct QueueListing {
  std::string queue;
  std::int64_t total = 0;
  std::vector<TaskMessage> messages;  // oldest (next to run) first
};

// Up to `limit` messages of the queue's priority-0 list, oldest first.
QueueListing list_queue(cluster::Client& target, const std::string& queue, std::size_t limit);

// celery-task-meta-<id> as the Redis result backend stores it; nullopt when absent.
struct TaskResult {
  std::string id;
  std::string status;  // PENDING, STARTED, RETRY, SUCCESS, FAILURE, REVOKED
  Json result, traceback, date_done, children;
  std::optional<std::int64_t> ttl_ms;
};
std::optional<TaskResult> read_result(cluster::Client& target, const std::string& id);

// True for states Celery counts as ready (celery.states.READY_STATES).
bool result_ready(std::string_view status);

struct EnqueueOutcome {
  TaskRequest request;
  std::int64_t queue_length = 0;
};

// SADD the queue's binding (as kombu's queue declare does) and LPUSH the message, in one
// MULTI/EXEC on a standalone server. Fills the ids and origin.
EnqueueOutcome enqueue_task(cluster::Client& target, TaskRequest request);

}  // namespace rctl::job::celery
