#include "job/celery/bulk.hpp"

#include "job/replies.hpp"
#include "job/repr.hpp"
#include "job/rq/enqueue.hpp"
#include "job/rq/write.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rctl::job::celery {

namespace {

using client::keyed;

constexpr std::size_t k_celery_bulk_batch = 500;

std::string celery_bulk_text(const Json& meta, const char* name) {
  auto it = meta.find(name);
  return it != meta.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

FailedTask failed_task_of(const std::string& id, const Json& meta) {
  FailedTask t;
  t.id = id;
  t.name = celery_bulk_text(meta, "name");
  t.queue = celery_bulk_text(meta, "queue");
  t.error = celery_bulk_text(meta, "traceback");
  auto args = meta.find("args");
  auto kwargs = meta.find("kwargs");
  t.extended = !t.name.empty() && !t.queue.empty() && args != meta.end() && args->is_array() && kwargs != meta.end() &&
               kwargs->is_object();
  if (t.extended) {
    t.args = *args;
    t.kwargs = *kwargs;
  }
  return t;
}

// The metas of `keys`, pipelined; FAILURE ones go to `sel`.
void celery_bulk_read_metas(cluster::Client& target, const std::vector<std::string>& keys, const std::string& queue,
                            const std::string& filter, FailedSelection& sel) {
  std::vector<client::Command> reads;
  for (const auto& k : keys) reads.push_back(keyed({"GET", k}));
  auto replies = value_or_throw(target.exec_all(std::move(reads)));
  constexpr std::string_view head = "celery-task-meta-";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!replies[i].is_string()) continue;  // expired meanwhile, or not a string
    auto meta = parse_meta(replies[i].str);
    if (!meta) ++sel.unreadable;
    if (!meta || celery_bulk_text(*meta, "status") != "FAILURE") continue;
    ++sel.failed;
    auto t = failed_task_of(keys[i].substr(head.size()), *meta);
    const bool match = filter.empty() || t.name == filter || t.error.find(filter) != std::string::npos;
    if (!match) continue;
    if (!t.extended) ++sel.not_retryable;
    else if (t.queue == queue) sel.tasks.push_back(std::move(t));
  }
}

}  // namespace

FailedSelection select_failed(cluster::Client& target, const std::string& queue, const std::string& filter) {
  if (target.is_cluster())
    throw Failure(ErrorKind::usage, "Celery's bulk commands need a standalone server",
                  "kombu's Redis transport does not run on Redis Cluster");
  FailedSelection sel;
  std::string cursor = "0";
  std::vector<std::string> batch;
  do {
    auto page = reply_or_throw(
        target.exec(client::cmd({"SCAN", cursor, "MATCH", "celery-task-meta-*", "COUNT", "1000"})), "SCAN");
    if (page.elements.size() != 2) break;
    cursor = page.elements[0].str;
    for (const auto& k : page.elements[1].elements) {
      if (static_cast<std::size_t>(sel.scanned) >= k_max_meta_scan) {
        sel.capped = true;
        break;
      }
      ++sel.scanned;
      batch.push_back(k.str);
      if (batch.size() >= k_celery_bulk_batch) {
        celery_bulk_read_metas(target, batch, queue, filter, sel);
        batch.clear();
      }
    }
  } while (cursor != "0" && !sel.capped);
  if (!batch.empty()) celery_bulk_read_metas(target, batch, queue, filter, sel);
  std::sort(sel.tasks.begin(), sel.tasks.end(), [](const FailedTask& a, const FailedTask& b) { return a.id < b.id; });
  return sel;
}

rq::JobAction retry_failed_task(cluster::Client& target, const FailedTask& task, const std::string& prefix,
                                rq::Apply apply) {
  rq::JobAction action{task.id, task.queue, "FAILURE", rq::ActionOutcome::done, ""};
  const std::string key = meta_key(task.id);
  const auto lists = queue_lists(prefix, task.queue);
  const std::string binding = prefix + "_kombu.binding." + task.queue;
  rq::watched_transaction(
      target, {key, binding, lists.front()},
      {keyed({"GET", key}), keyed({"PTTL", key}), keyed({"TYPE", binding}), keyed({"TYPE", lists.front()})},
      [&](const std::vector<resp::Value>& r) -> std::vector<client::Command> {
        throw_if_error(r[0], "GET");
        auto meta = r[0].is_string() ? parse_meta(r[0].str) : std::nullopt;
        const std::string status = meta ? celery_bulk_text(*meta, "status") : std::string{};
        if (status != "FAILURE") {
          action.outcome = rq::ActionOutcome::refused;
          action.message = meta ? fmt::format("no longer failed (status {})", status) : "its result expired meanwhile";
          return {};
        }
        require_broker_type(r[2], binding, "set");
        require_broker_type(r[3], lists.front(), "list");
        if (apply == rq::Apply::dry_run) {
          action.outcome = rq::ActionOutcome::would_do;
          return {};
        }
        TaskRequest req;
        req.task = task.name;
        req.queue = task.queue;
        req.args = task.args;
        req.kwargs = task.kwargs;
        req.id = task.id;  // the same id: `job status` and AsyncResult follow the new run
        req.delivery_tag = rq::new_job_id();
        req.origin = origin_name();
        // What Task.retry stores (mark_as_retry): status RETRY, the exception and traceback
        // kept, not ready (no date_done). The worker overwrites it when the task runs.
        (*meta)["status"] = "RETRY";
        (*meta)["date_done"] = nullptr;
        std::vector<std::string> set{"SET", key, python_json_dumps(*meta)};
        if (r[1].type == resp::Type::integer && r[1].integer > 0) {
          set.push_back("PX");
          set.push_back(std::to_string(r[1].integer));
        }
        std::vector<client::Command> w{client::cmd(std::move(set)).key(1)};
        for (auto& c : send_commands(prefix, task.queue, encode_message(req))) w.push_back(std::move(c));
        return w;
      },
      fmt::format("the retry of task {}", task.id));
  return action;
}

rq::JobAction purge_failed_task(cluster::Client& target, const FailedTask& task, rq::Apply apply) {
  rq::JobAction action{task.id, task.queue, "FAILURE", rq::ActionOutcome::done, ""};
  const std::string key = meta_key(task.id);
  rq::watched_transaction(
      target, {key}, {keyed({"GET", key})},
      [&](const std::vector<resp::Value>& r) -> std::vector<client::Command> {
        throw_if_error(r[0], "GET");
        auto meta = r[0].is_string() ? parse_meta(r[0].str) : std::nullopt;
        if (!meta || celery_bulk_text(*meta, "status") != "FAILURE") {
          action.outcome = rq::ActionOutcome::refused;
          action.message = "no longer failed";
          return {};
        }
        if (apply == rq::Apply::dry_run) {
          action.outcome = rq::ActionOutcome::would_do;
          return {};
        }
        return {keyed({"DEL", key})};
      },
      fmt::format("the purge of task {}", task.id));
  return action;
}

WaitingSelection select_waiting(cluster::Client& target, const std::string& queue, const std::string& filter,
                                const std::string& prefix) {
  WaitingSelection sel;
  const auto lists = queue_lists(prefix, queue);
  std::vector<client::Command> reads;
  for (const auto& l : lists) {
    reads.push_back(keyed({"LLEN", l}));
    // The oldest (next to run) is last: read from the end, oldest first after reversing.
    reads.push_back(keyed({"LRANGE", l, std::to_string(-static_cast<long long>(k_max_purge_messages)), "-1"}));
  }
  auto r = value_or_throw(target.exec_all(std::move(reads)));
  for (std::size_t i = 0; i < lists.size(); ++i) {
    throw_if_error(r[2 * i], "LLEN");
    throw_if_error(r[2 * i + 1], "LRANGE");
    sel.total += r[2 * i].integer;
    if (r[2 * i].integer > static_cast<std::int64_t>(r[2 * i + 1].elements.size())) sel.capped = true;
    const auto& items = r[2 * i + 1].elements;
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
      WaitingMessage m{lists[i], it->str, decode_message(it->str)};
      if (filter.empty() || m.message.task == filter) sel.messages.push_back(std::move(m));
    }
  }
  return sel;
}

rq::JobAction purge_waiting_message(cluster::Client& target, const std::string& queue, const WaitingMessage& m,
                                    rq::Apply apply) {
  rq::JobAction action{m.message.id.empty() ? std::string("(no id)") : m.message.id, queue, "waiting",
                       rq::ActionOutcome::done, ""};
  if (apply == rq::Apply::dry_run) {
    action.outcome = rq::ActionOutcome::would_do;
    return action;
  }
  auto reply = reply_or_throw(target.exec(keyed({"LREM", m.list, "1", m.raw}).unsafe_to_retry()), "LREM");
  if (reply.integer == 0) {
    action.outcome = rq::ActionOutcome::refused;
    action.message = "no longer waiting (a worker took it)";
  }
  return action;
}

}  // namespace rctl::job::celery
