#include "job/rq/admin.hpp"

#include "decode/bytes.hpp"
#include "decode/zlib_inflate.hpp"
#include "job/rq/keys.hpp"
#include "job/replies.hpp"
#include "job/rq/write.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace rctl::job::rq {

namespace {

using client::keyed;
using Json = nlohmann::ordered_json;

// RQ 1.13 Queue.empty()'s script, with its job prefix filled in.
constexpr const char* k_empty_script = R"(
            local prefix = "rq:job:"
            local q = KEYS[1]
            local count = 0
            while true do
                local job_id = redis.call("lpop", q)
                if job_id == false then
                    break
                end

                -- Delete the relevant keys
                redis.call("del", prefix..job_id)
                redis.call("del", prefix..job_id..":dependents")
                count = count + 1
            end
            return count
        )";

// The job's origin, read before the transaction so that its keys can be watched.
std::optional<std::string> origin_of(cluster::Client& target, const std::string& id) {
  auto r = value_or_throw(target.exec_all({keyed({"EXISTS", job_key(id)}), keyed({"HGET", job_key(id), "origin"})}));
  throw_if_error(r[0], "EXISTS");
  if (r[0].integer == 0) return std::nullopt;
  throw_if_error(r[1], "HGET");
  return r[1].is_null() ? std::string{} : r[1].str;
}

// The registry Job._remove_from_registries takes a job out of, for its status.
std::optional<Registry> registry_for_status(std::string_view status) {
  if (status == "finished") return Registry::finished;
  if (status == "deferred") return Registry::deferred;
  if (status == "started") return Registry::started;
  if (status == "scheduled") return Registry::scheduled;
  if (status == "failed" || status == "stopped") return Registry::failed;
  if (status == "canceled") return Registry::canceled;
  return std::nullopt;
}

// RQ 2.x members "<id>:<execution>" of the started registry.
std::vector<std::string> started_members(cluster::Client& target, const std::string& queue, const std::string& id) {
  std::vector<std::string> out;
  std::string cursor = "0";
  do {
    auto page = reply_or_throw(target.exec(keyed({"ZSCAN", registry_key(Registry::started, queue), cursor, "MATCH",
                                                  util::escape_glob(id) + ":*", "COUNT", "1000"})),
                               "ZSCAN");
    if (page.elements.size() != 2) break;
    cursor = page.elements[0].str;
    for (std::size_t i = 0; i + 1 < page.elements[1].elements.size(); i += 2)
      out.push_back(page.elements[1].elements[i].str);
  } while (cursor != "0");
  return out;
}

JobAction not_found(const std::string& id) {
  return {id, "", "", ActionOutcome::not_found, "no such job (its hash may have expired)"};
}

}  // namespace

JobAction requeue_job(cluster::Client& target, const std::string& id, QueueEnd end, Apply apply, SystemTime now) {
  require_standalone(target, "job requeue");
  auto origin = origin_of(target, id);
  if (!origin) return not_found(id);
  if (origin->empty()) return {id, "", "", ActionOutcome::refused, "the job has no origin queue"};
  JobAction action{id, *origin, "", ActionOutcome::done, ""};
  const std::string jkey = job_key(id), qkey = queue_key(*origin), fkey = registry_key(Registry::failed, *origin);
  watched_transaction(
      target, {jkey, fkey, qkey, std::string(k_rq_queues_key)},
      {keyed({"HMGET", jkey, "origin", "status", "timeout", "ttl"}), keyed({"ZSCORE", fkey, id}), keyed({"TYPE", qkey}),
       keyed({"TYPE", k_rq_queues_key})},
      [&](const std::vector<resp::Value>& r) -> std::vector<client::Command> {
        auto v = hmget_reply(r[0], "HMGET");
        v.resize(4);
        throw_if_error(r[1], "ZSCORE");
        action.previous_status = v[1];
        if (v[0] != *origin)
          throw Failure(ErrorKind::server, fmt::format("job {} changed while being requeued", id), "try again");
        if (r[1].is_null()) {
          action.outcome = ActionOutcome::refused;
          action.message = fmt::format("not in the failed registry of queue '{}' (status {})", *origin,
                                       v[1].empty() ? "unknown" : v[1]);
          return {};
        }
        require_type(r[2], qkey, "list");
        require_type(r[3], k_rq_queues_key, "set");
        if (apply == Apply::dry_run) {
          action.outcome = ActionOutcome::would_do;
          return {};
        }
        std::vector<client::Command> w;
        w.push_back(keyed({"ZREM", fkey, id}));
        w.push_back(keyed({"SADD", k_rq_queues_key, qkey}));
        // job.save() after requeue() reset these; _exc_info = '' is saved as zlib('').
        std::vector<std::string> hset{"HSET",        jkey,
                                      "status",      "queued",
                                      "started_at",  "",
                                      "ended_at",    "",
                                      "exc_info",    decode::deflate(""),
                                      "origin",      *origin,
                                      "enqueued_at", rq_timestamp(now)};
        if (v[2].empty()) {
          hset.push_back("timeout");
          hset.push_back(std::to_string(k_rq_default_timeout_s));
        }
        w.push_back(client::cmd(std::move(hset)).key(1));
        if (auto ttl = util::parse_int(v[3]); ttl && *ttl > 0)
          w.push_back(keyed({"EXPIRE", jkey, std::to_string(*ttl)}));
        w.push_back(keyed({end == QueueEnd::front ? "LPUSH" : "RPUSH", qkey, id}));
        return w;
      },
      fmt::format("the requeue of job {}", id));
  return action;
}

std::vector<std::string> failed_job_ids(cluster::Client& target, const std::string& queue, SystemTime now) {
  auto reply = reply_or_throw(
      target.exec(keyed({"ZRANGE", registry_key(Registry::failed, queue), "0", "-1", "WITHSCORES"})), "ZRANGE");
  const double now_s = static_cast<double>(unix_seconds(now));
  std::vector<std::string> ids;
  auto keep = [&](const std::string& id, double score) {
    if (score < 0 || score > now_s) ids.push_back(id);
  };
  if (!reply.elements.empty() && reply.elements[0].is_list()) {  // RESP3: [[member, score], ...]
    for (const auto& pair : reply.elements)
      if (pair.elements.size() == 2)
        keep(pair.elements[0].str, pair.elements[1].type == resp::Type::double_number
                                       ? pair.elements[1].number
                                       : util::parse_double(pair.elements[1].str).value_or(0));
  } else {
    for (const auto& [member, score] : pairs_of(reply)) keep(member, util::parse_double(score).value_or(0));
  }
  return ids;
}

JobAction cancel_job(cluster::Client& target, const std::string& id, Apply apply, SystemTime now) {
  require_standalone(target, "job cancel");
  auto origin = origin_of(target, id);
  if (!origin) return not_found(id);
  if (origin->empty()) return {id, "", "", ActionOutcome::refused, "the job has no origin queue"};
  JobAction action{id, *origin, "", ActionOutcome::done, ""};
  const std::string jkey = job_key(id), qkey = queue_key(*origin);
  const auto composite = started_members(target, *origin, id);
  std::vector<std::string> watch{jkey, qkey};
  for (auto r : k_registries) watch.push_back(registry_key(r, *origin));
  watched_transaction(
      target, watch, {keyed({"HMGET", jkey, "origin", "status"}), keyed({"TYPE", qkey})},
      [&](const std::vector<resp::Value>& r) -> std::vector<client::Command> {
        auto v = hmget_reply(r[0], "HMGET");
        v.resize(2);
        action.previous_status = v[1];
        if (v[0] != *origin)
          throw Failure(ErrorKind::server, fmt::format("job {} changed while being canceled", id), "try again");
        if (v[1] == "canceled") {
          action.outcome = ActionOutcome::refused;
          action.message = "already canceled";
          return {};
        }
        require_type(r[1], qkey, "list");
        if (v[1] == "started")
          action.message = "the job is running: canceling does not stop it (RQ's cancel only takes it off the books)";
        if (apply == Apply::dry_run) {
          action.outcome = ActionOutcome::would_do;
          return {};
        }
        std::vector<client::Command> w;
        w.push_back(keyed({"HSET", jkey, "status", "canceled"}));
        w.push_back(keyed({"LREM", qkey, "1", id}));
        if (auto reg = registry_for_status(v[1])) w.push_back(keyed({"ZREM", registry_key(*reg, *origin), id}));
        for (const auto& member : composite)
          w.push_back(keyed({"ZREM", registry_key(Registry::started, *origin), member}));
        w.push_back(keyed({"ZADD", registry_key(Registry::canceled, *origin), std::to_string(unix_seconds(now)), id}));
        return w;
      },
      fmt::format("the cancel of job {}", id));
  return action;
}

std::int64_t queue_length(cluster::Client& target, const std::string& queue) {
  auto n = reply_or_throw(target.exec(keyed({"LLEN", queue_key(queue)})), "LLEN");
  return n.integer;
}

std::int64_t empty_queue(cluster::Client& target, const std::string& queue) {
  require_standalone(target, "job empty");
  auto command = client::cmd({"EVAL", k_empty_script, "1", queue_key(queue)}).key(3).unsafe_to_retry();
  auto reply = reply_or_throw(target.exec(std::move(command)), "EVAL");
  return reply.integer;
}

}  // namespace rctl::job::rq
