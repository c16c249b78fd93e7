#pragma once
// `rctl job retry|purge --system celery`. Failed tasks exist only in the Redis result
// backend (celery-task-meta-<id>, status FAILURE); with result_extended=True the meta also
// holds name, args, kwargs and queue, which is what a retry needs to send the task again.
// Waiting tasks are the messages of the queue's lists (priority 0 and kombu's 3, 6, 9).

#include "cluster/client.hpp"
#include "job/celery/broker.hpp"
#include "job/rq/admin.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rctl::job::celery {

// celery-task-meta-* keys one run reads (the SCAN stops there and says so); the waiting
// messages one purge reads per list.
inline constexpr std::size_t k_max_meta_scan = 100000;
inline constexpr std::size_t k_max_purge_messages = 100000;

// One FAILURE meta.
struct FailedTask {
  std::string id, name, queue, error;  // error: the stored traceback
  bool extended = false;  // name, args, kwargs and queue are stored (result_extended)
  Json args = Json::array(), kwargs = Json::object();
};

struct FailedSelection {
  std::int64_t scanned = 0;  // metas read
  bool capped = false;  // the SCAN stopped at k_max_meta_scan
  std::int64_t failed = 0;  // FAILURE metas among them (every queue)
  std::vector<FailedTask> tasks;  // of the queue, matching the filter
  std::int64_t not_retryable = 0;  // FAILURE matching the filter whose meta has no name/args/queue
  std::int64_t unreadable = 0;  // metas that are not JSON (another result_serializer): not read
};

// The FAILURE metas of `queue` whose task name equals `filter` or whose traceback contains
// it (every one when `filter` is empty). Metas without result_extended's fields cannot be
// told apart by queue: they are counted in not_retryable when the filter matches them.
FailedSelection select_failed(cluster::Client& target, const std::string& queue, const std::string& filter);

// Sends the task again (the same id, to its queue, on broker keys under `prefix`) and marks
// its meta RETRY - what Celery's own Task.retry stores, the last error kept - in one
// transaction that first checks the meta still says FAILURE: a second retry finds RETRY
// (or the new outcome) and sends nothing.
rq::JobAction retry_failed_task(cluster::Client& target, const FailedTask& task, const std::string& prefix,
                                rq::Apply apply);

// Deletes a meta that still says FAILURE.
rq::JobAction purge_failed_task(cluster::Client& target, const FailedTask& task, rq::Apply apply);

// One waiting message, as stored (LREM removes it by its exact bytes).
struct WaitingMessage {
  std::string list;  // the key: the queue's list or one of its priority lists
  std::string raw;
  TaskMessage message;
};

struct WaitingSelection {
  std::int64_t total = 0;  // messages in every list of the queue
  bool capped = false;
  std::vector<WaitingMessage> messages;  // matching the filter (task name)
};

WaitingSelection select_waiting(cluster::Client& target, const std::string& queue, const std::string& filter,
                                const std::string& prefix);

// LREM of that one message: refused when a worker took it meanwhile.
rq::JobAction purge_waiting_message(cluster::Client& target, const std::string& queue, const WaitingMessage& m,
                                    rq::Apply apply);

}  // namespace rctl::job::celery
