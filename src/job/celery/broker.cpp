#include "job/celery/broker.hpp"

#include "client/server_error.hpp"
#include "decode/json_reader.hpp"
#include "job/replies.hpp"
#include "job/rq/record.hpp"
#include "job/rq/write.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include <unistd.h>

namespace rctl::job::celery {

namespace {

using client::keyed;

constexpr std::string_view k_binding_prefix = "_kombu.binding.";

std::int64_t int_reply(const resp::Value& v, std::string_view what) {
  throw_if_error(v, what);
  return v.type == resp::Type::integer ? v.integer : 0;
}

// The exchanges Celery binds for itself: remote control (workers), its replies, events.
constexpr std::string_view k_pidbox_exchange = "celery.pidbox";
constexpr std::string_view k_pidbox_suffix = ".celery.pidbox";
bool celery_internal_exchange(std::string_view exchange) {
  return exchange == k_pidbox_exchange || exchange == "reply.celery.pidbox" || exchange == "celeryev";
}

// Binding keys on a standalone server (SCAN is per node; kombu does not run on a cluster).
std::vector<std::string> binding_keys(cluster::Client& target, const std::string& prefix) {
  std::vector<std::string> keys;
  if (target.is_cluster()) return keys;
  const std::string pattern = util::escape_glob(prefix) + "_kombu.binding.*";
  std::string cursor = "0";
  do {
    auto page = reply_or_throw(target.exec(client::cmd({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"})), "SCAN");
    if (page.elements.size() != 2) break;
    cursor = page.elements[0].str;
    for (const auto& k : page.elements[1].elements) {
      if (keys.size() >= k_max_binding_keys) return keys;
      keys.push_back(k.str);
    }
  } while (cursor != "0");
  return keys;
}

}  // namespace

std::string origin_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("rctl{}@{}", static_cast<long>(getpid()), host);
}

namespace {

// Counts `unacked` entries per queue (their routing key): HSCAN, up to k_max_unacked_read.
void count_unacked(cluster::Client& target, const std::string& prefix, QueuesReport& report,
                   std::map<std::string, std::int64_t>& per_queue) {
  if (report.unacked == 0) return;
  std::size_t read = 0;
  std::string cursor = "0";
  do {
    auto page = reply_or_throw(target.exec(keyed({"HSCAN", prefix + "unacked", cursor, "COUNT", "1000"})), "HSCAN");
    if (page.elements.size() != 2) break;
    cursor = page.elements[0].str;
    for (const auto& [tag, value] : pairs_of(page.elements[1])) {
      if (++read > k_max_unacked_read) {
        report.unacked_capped = true;
        return;
      }
      // kombu's QoS.append: dumps([message, exchange, routing_key]).
      auto entry = decode::read_json(value);
      if (entry && entry->is_array() && entry->size() == 3 && (*entry)[2].is_string())
        ++per_queue[(*entry)[2].get<std::string>()];
    }
  } while (cursor != "0");
}

}  // namespace

void require_broker_type(const resp::Value& type_reply, std::string_view key, std::string_view expected) {
  throw_if_error(type_reply, "TYPE");
  if (type_reply.str != "none" && type_reply.str != expected)
    throw Failure(
        ErrorKind::server,
        fmt::format("key '{}' is a {}, but kombu keeps a {} there; nothing was written", key, type_reply.str, expected),
        "another application uses this name; choose another --queue");
}

std::vector<std::string> queue_lists(const std::string& prefix, const std::string& queue) {
  std::vector<std::string> lists{prefix + queue};
  for (int step : k_priority_steps) lists.push_back(prefix + queue + std::string(k_sep) + std::to_string(step));
  return lists;
}

std::string meta_key(const std::string& id) { return "celery-task-meta-" + id; }

std::optional<Json> parse_meta(std::string_view text) {
  auto parsed = decode::read_json(text);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  return std::move(*parsed);
}

bool broker_present(cluster::Client& target, const std::string& prefix) {
  // The default queue's binding and list, a running worker's remote-control binding, and
  // the unacked index: no SCAN, so detection costs the same on any keyspace size.
  auto r = value_or_throw(target.exec_all({keyed({"EXISTS", prefix + std::string(k_binding_prefix) + "celery"}),
                                           keyed({"EXISTS", prefix + std::string(k_default_queue)}),
                                           keyed({"EXISTS", prefix + std::string(k_binding_prefix) + "celery.pidbox"}),
                                           keyed({"EXISTS", prefix + "unacked_index"})}));
  for (const auto& v : r)
    if (int_reply(v, "EXISTS") > 0) return true;
  return false;
}

QueuesReport read_queues(cluster::Client& target, const std::vector<std::string>& only, const std::string& prefix) {
  QueuesReport report;
  std::set<std::string> names(only.begin(), only.end());
  std::set<std::string> workers;
  const std::string binding_head = prefix + std::string(k_binding_prefix);
  auto keys = binding_keys(target, prefix);
  std::vector<client::Command> reads;
  for (const auto& k : keys) reads.push_back(keyed({"SMEMBERS", k}));
  auto bound = value_or_throw(target.exec_all(std::move(reads)));
  for (std::size_t k = 0; k < bound.size(); ++k) {
    throw_if_error(bound[k], "SMEMBERS");
    const std::string_view exchange = std::string_view(keys[k]).substr(binding_head.size());
    for (const auto& m : bound[k].elements) {
      auto q = binding_queue(m.str);
      if (q.empty()) continue;
      if (exchange == k_pidbox_exchange && q.ends_with(k_pidbox_suffix))
        workers.insert(q.substr(0, q.size() - k_pidbox_suffix.size()));
      else if (only.empty() && !celery_internal_exchange(exchange)) names.insert(q);
    }
  }
  if (only.empty()) names.insert(std::string(k_default_queue));
  report.workers.assign(workers.begin(), workers.end());
  reads = {keyed({"HLEN", prefix + "unacked"}), keyed({"ZCARD", prefix + "unacked_index"})};
  for (const auto& n : names) {
    const std::string list = prefix + n;
    reads.push_back(keyed({"LLEN", list}));
    for (int step : k_priority_steps)
      reads.push_back(keyed({"LLEN", list + std::string(k_sep) + std::to_string(step)}));
    reads.push_back(keyed({"LINDEX", list, "-1"}));  // kombu LPUSHes and BRPOPs: the oldest is last
  }
  auto r = value_or_throw(target.exec_all(std::move(reads)));
  report.unacked = int_reply(r[0], "HLEN");
  report.unacked_index = int_reply(r[1], "ZCARD");
  std::map<std::string, std::int64_t> unacked_by_queue;
  count_unacked(target, prefix, report, unacked_by_queue);
  std::size_t i = 2;
  for (const auto& n : names) {
    QueueInfo q;
    q.name = n;
    q.unacked = unacked_by_queue[n];
    for (int k = 0; k < 4; ++k) q.depth += int_reply(r[i++], "LLEN");
    const auto& oldest = r[i++];
    throw_if_error(oldest, "LINDEX");
    if (oldest.is_string()) q.oldest = decode_message(oldest.str);
    report.queues.push_back(std::move(q));
  }
  return report;
}

QueueListing list_queue(cluster::Client& target, const std::string& queue, std::size_t limit,
                        const std::string& prefix) {
  QueueListing l;
  l.queue = queue;
  const std::string list = prefix + queue;
  auto r = value_or_throw(target.exec_all(
      {keyed({"LLEN", list}), keyed({"LRANGE", list, std::to_string(-static_cast<long long>(limit)), "-1"})}));
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
  auto parsed = parse_meta(r[0].str);
  if (!parsed)
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

std::vector<client::Command> send_commands(const std::string& prefix, const std::string& queue,
                                           const std::string& message) {
  // Celery's own queue declare: the exchange named after the queue routes its name to it.
  const std::string member = queue + std::string(k_sep) + std::string(k_sep) + queue;
  return {keyed({"SADD", prefix + std::string(k_binding_prefix) + queue, member}),
          keyed({"LPUSH", prefix + queue, message})};
}

EnqueueOutcome enqueue_task(cluster::Client& target, TaskRequest request, const std::string& prefix) {
  if (request.task.empty()) throw Failure(ErrorKind::usage, "the task name is empty");
  if (request.queue.empty()) throw Failure(ErrorKind::usage, "the queue name is empty");
  if (target.is_cluster())
    throw Failure(ErrorKind::usage, "job enqueue --system celery needs a standalone server",
                  "kombu's Redis transport does not run on Redis Cluster");
  request.id = rq::new_job_id();
  request.delivery_tag = rq::new_job_id();
  request.origin = origin_name();
  EnqueueOutcome out;
  const std::string binding = prefix + std::string(k_binding_prefix) + request.queue;
  const std::string list = prefix + request.queue;
  const std::string message = encode_message(request);
  auto replies = rq::watched_transaction(
      target, {binding, list}, {keyed({"TYPE", binding}), keyed({"TYPE", list})},
      [&](const std::vector<resp::Value>& r) {
        require_broker_type(r[0], binding, "set");
        require_broker_type(r[1], list, "list");
        return send_commands(prefix, request.queue, message);
      },
      fmt::format("the enqueue of task {}", request.id));
  if (!replies.empty() && replies.back().type == resp::Type::integer) out.queue_length = replies.back().integer;
  out.request = std::move(request);
  return out;
}

}  // namespace rctl::job::celery
