#include "job/celery/broker.hpp"

#include "client/server_error.hpp"
#include "decode/json_reader.hpp"
#include "job/replies.hpp"
#include "job/rq/record.hpp"
#include "job/rq/write.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include <unistd.h>

namespace rctl::job::celery {

namespace {

using client::keyed;

constexpr std::string_view k_binding_prefix = "_kombu.binding.";
// kombu's PRIORITY_STEPS: priority 0 is the queue's own list, the others "<queue><sep><n>".
constexpr int k_priority_steps[] = {3, 6, 9};

std::string meta_key(const std::string& id) { return "celery-task-meta-" + id; }

std::int64_t int_reply(const resp::Value& v, std::string_view what) {
  throw_if_error(v, what);
  return v.type == resp::Type::integer ? v.integer : 0;
}

// Binding keys on a standalone server (SCAN is per node; kombu does not run on a cluster).
std::vector<std::string> binding_keys(cluster::Client& target) {
  std::vector<std::string> keys;
  if (target.is_cluster()) return keys;
  std::string cursor = "0";
  do {
    auto page = reply_or_throw(target.exec(client::cmd({"SCAN", cursor, "MATCH", "_kombu.binding.*", "COUNT", "1000"})),
                               "SCAN");
    if (page.elements.size() != 2) break;
    cursor = page.elements[0].str;
    for (const auto& k : page.elements[1].elements) {
      if (keys.size() >= k_max_binding_keys) return keys;
      keys.push_back(k.str);
    }
  } while (cursor != "0");
  return keys;
}

void require_celery_type(const resp::Value& type_reply, std::string_view key, std::string_view expected) {
  throw_if_error(type_reply, "TYPE");
  if (type_reply.str != "none" && type_reply.str != expected)
    throw Failure(
        ErrorKind::server,
        fmt::format("key '{}' is a {}, but kombu keeps a {} there; nothing was written", key, type_reply.str, expected),
        "another application uses this name; choose another --queue");
}

std::string origin_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("rctl{}@{}", static_cast<long>(getpid()), host);
}

}  // namespace

bool broker_present(cluster::Client& target) {
  // The default queue's binding and list, a running worker's remote-control binding, and
  // the unacked index: no SCAN, so detection costs the same on any keyspace size.
  auto r = value_or_throw(target.exec_all(
      {keyed({"EXISTS", std::string(k_binding_prefix) + "celery"}), keyed({"EXISTS", std::string(k_default_queue)}),
       keyed({"EXISTS", std::string(k_binding_prefix) + "celery.pidbox"}), keyed({"EXISTS", "unacked_index"})}));
  for (const auto& v : r)
    if (int_reply(v, "EXISTS") > 0) return true;
  return false;
}

QueuesReport read_queues(cluster::Client& target, const std::vector<std::string>& only) {
  std::set<std::string> names(only.begin(), only.end());
  if (only.empty()) {
    names.insert(std::string(k_default_queue));
    auto keys = binding_keys(target);
    std::vector<client::Command> reads;
    for (const auto& k : keys) reads.push_back(keyed({"SMEMBERS", k}));
    if (!reads.empty()) {
      auto replies = value_or_throw(target.exec_all(std::move(reads)));
      for (const auto& r : replies) {
        throw_if_error(r, "SMEMBERS");
        for (const auto& m : r.elements)
          if (auto q = binding_queue(m.str); !q.empty()) names.insert(q);
      }
    }
  }
  QueuesReport report;
  std::vector<client::Command> reads{keyed({"HLEN", "unacked"}), keyed({"ZCARD", "unacked_index"})};
  for (const auto& n : names) {
    reads.push_back(keyed({"LLEN", n}));
    for (int step : k_priority_steps) reads.push_back(keyed({"LLEN", n + std::string(k_sep) + std::to_string(step)}));
    reads.push_back(keyed({"LINDEX", n, "-1"}));  // kombu LPUSHes and BRPOPs: the oldest is last
  }
  auto r = value_or_throw(target.exec_all(std::move(reads)));
  report.unacked = int_reply(r[0], "HLEN");
  report.unacked_index = int_reply(r[1], "ZCARD");
  std::size_t i = 2;
  for (const auto& n : names) {
    QueueInfo q;
    q.name = n;
    for (int k = 0; k < 4; ++k) q.depth += int_reply(r[i++], "LLEN");
    const auto& oldest = r[i++];
    throw_if_error(oldest, "LINDEX");
    if (oldest.is_string()) q.oldest = decode_message(oldest.str);
    report.queues.push_back(std::move(q));
  }
  return report;
}

QueueListing list_queue(cluster::Client& target, const std::string& queue, std::size_t limit) {
  QueueListing l;
  l.queue = queue;
  auto r = value_or_throw(target.exec_all(
      {keyed({"LLEN", queue}), keyed({"LRANGE", queue, std::to_string(-static_cast<long long>(limit)), "-1"})}));
  l.total = int_reply(r[0], "LLEN");
  throw_if_error(r[1], "LRANGE");
  for (auto it = r[1].elements.rbegin(); it != r[1].elements.rend(); ++it)
    l.messages.push_back(decode_message(it->str));
  return l;
}

std::optional<TaskResult> read_result(cluster::Client& target, const std::string& id) {
  auto r = value_or_throw(target.exec_all({keyed({"GET", meta_key(id)}), keyed({"PTTL", meta_key(id)})}));
  throw_if_error(r[0], "GET");
  if (!r[0].is_string()) return std::nullopt;
  TaskResult t;
  t.id = id;
  auto parsed = decode::read_json(r[0].str);
  if (!parsed || !parsed->is_object())
    throw Failure(ErrorKind::protocol, fmt::format("celery-task-meta-{} is not a JSON result", id),
                  "the result backend may use another serializer (result_serializer); only json is read");
  const Json& meta = *parsed;
  if (auto s = meta.find("status"); s != meta.end() && s->is_string()) t.status = s->get<std::string>();
  t.result = meta.value("result", Json(nullptr));
  t.traceback = meta.value("traceback", Json(nullptr));
  t.date_done = meta.value("date_done", Json(nullptr));
  t.children = meta.value("children", Json(nullptr));
  if (r[1].type == resp::Type::integer && r[1].integer >= 0) t.ttl_ms = r[1].integer;
  return t;
}

bool result_ready(std::string_view status) { return status == "SUCCESS" || status == "FAILURE" || status == "REVOKED"; }

EnqueueOutcome enqueue_task(cluster::Client& target, TaskRequest request) {
  if (request.task.empty()) throw Failure(ErrorKind::usage, "the task name is empty");
  if (request.queue.empty()) throw Failure(ErrorKind::usage, "the queue name is empty");
  if (target.is_cluster())
    throw Failure(ErrorKind::usage, "job enqueue --system celery needs a standalone server",
                  "kombu's Redis transport does not run on Redis Cluster");
  request.id = rq::new_job_id();
  request.delivery_tag = rq::new_job_id();
  request.origin = origin_name();
  EnqueueOutcome out;
  const std::string binding = std::string(k_binding_prefix) + request.queue;
  // Celery's own queue declare: the exchange named after the queue routes its name to it.
  const std::string member = request.queue + std::string(k_sep) + std::string(k_sep) + request.queue;
  const std::string message = encode_message(request);
  auto replies = rq::watched_transaction(
      target, {binding, request.queue}, {keyed({"TYPE", binding}), keyed({"TYPE", request.queue})},
      [&](const std::vector<resp::Value>& r) {
        require_celery_type(r[0], binding, "set");
        require_celery_type(r[1], request.queue, "list");
        return std::vector<client::Command>{keyed({"SADD", binding, member}), keyed({"LPUSH", request.queue, message})};
      },
      fmt::format("the enqueue of task {}", request.id));
  if (!replies.empty() && replies.back().type == resp::Type::integer) out.queue_length = replies.back().integer;
  out.request = std::move(request);
  return out;
}

}  // namespace rctl::job::celery
