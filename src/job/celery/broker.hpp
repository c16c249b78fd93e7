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
// `unacked` entries read to count in-progress messages per queue (HSCAN stops here).
inline constexpr std::size_t k_max_unacked_read = 10000;
inline constexpr std::size_t k_default_list_limit = 50;
inline constexpr std::size_t k_max_list_limit = 10000;
// kombu's PRIORITY_STEPS: priority 0 is the queue's own list, the others "<queue><sep><n>".
inline constexpr int k_priority_steps[] = {3, 6, 9};

// True when the database holds Celery's keys: the default queue's binding or list, a
// worker's remote-control binding (`_kombu.binding.celery.pidbox`) or `unacked_index`.
// `prefix` is kombu's global_keyprefix transport option: it goes before every broker key
// (queue lists, bindings, unacked), not before the names inside them, and not before the
// result backend's keys (Celery 5.2 does not pass it there).
bool broker_present(cluster::Client& target, const std::string& prefix = "");

struct QueueInfo {
  std::string name;
  std::int64_t depth = 0;  // messages waiting, every priority list together
  std::optional<TaskMessage> oldest;  // the next message a worker takes
  // In `unacked` with this queue as routing key: taken by a worker and not acknowledged
  // (running, prefetched, or held for a later eta).
  std::int64_t unacked = 0;
};

struct QueuesReport {
  std::vector<QueueInfo> queues;
  std::int64_t unacked = 0;  // delivered to a worker, not yet acknowledged (HLEN unacked)
  std::int64_t unacked_index = 0;  // ZCARD unacked_index
  bool unacked_capped = false;  // more than k_max_unacked_read entries: per-queue counts partial
  // Nodenames of the workers whose remote-control queue `<nodename>.celery.pidbox` is bound
  // in `_kombu.binding.celery.pidbox`. A worker removes it when it stops; one killed with
  // SIGKILL stays listed (Celery keeps no heartbeat in Redis).
  std::vector<std::string> workers;
};

// Queues named in `_kombu.binding.*` (standalone servers; not the remote-control and event
// exchanges), the default queue and `only` (when given, only those).
QueuesReport read_queues(cluster::Client& target, const std::vector<std::string>& only, const std::string& prefix = "");

struct QueueListing {
  std::string queue;
  std::int64_t total = 0;
  std::vector<TaskMessage> messages;  // oldest (next to run) first
};

// Up to `limit` messages of the queue's priority-0 list, oldest first.
QueueListing list_queue(cluster::Client& target, const std::string& queue, std::size_t limit,
                        const std::string& prefix = "");

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
EnqueueOutcome enqueue_task(cluster::Client& target, TaskRequest request, const std::string& prefix = "");

// The writes that put one message in a queue as kombu's publish does (SADD the queue's
// binding, LPUSH the list), for a transaction of the caller's.
std::vector<client::Command> send_commands(const std::string& prefix, const std::string& queue,
                                           const std::string& message);

// headers.origin of a message rctl sends: "rctl<pid>@<host>", like Celery's anon_nodename().
std::string origin_name();

// Throws (ErrorKind::server) when `key` exists with another type than kombu keeps there.
void require_broker_type(const resp::Value& type_reply, std::string_view key, std::string_view expected);

// The queue's lists, priority 0 first, under `prefix`.
std::vector<std::string> queue_lists(const std::string& prefix, const std::string& queue);

// GET and parse celery-task-meta-<id> text (nullopt: not a JSON object).
std::optional<Json> parse_meta(std::string_view text);
std::string meta_key(const std::string& id);

}  // namespace rctl::job::celery
