#include "job/rq/read.hpp"

#include "client/server_error.hpp"
#include "job/replies.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rctl::job::rq {

namespace {

using client::keyed;

std::optional<std::int64_t> ttl_of(const resp::Value& pttl) {
  if (pttl.type == resp::Type::integer && pttl.integer >= 0) return pttl.integer;
  return std::nullopt;
}

// Where the job sits in its queue: LPOS, or a bounded walk on servers without it.
std::optional<std::int64_t> position_in_queue(cluster::Client& target, const std::string& queue, const std::string& id,
                                              const resp::Value& lpos, const resp::Value& llen) {
  if (lpos.type == resp::Type::integer) return lpos.integer;
  if (!lpos.is_error()) return std::nullopt;
  if (client::classify(lpos.str) != client::ServerErrorKind::unknown_command)
    throw Failure(client::to_error(lpos.str, "LPOS"));
  if (llen.type != resp::Type::integer || llen.integer > k_position_scan_limit) return std::nullopt;
  auto items = reply_or_throw(target.exec(keyed({"LRANGE", queue_key(queue), "0", "-1"})), "LRANGE");
  for (std::size_t i = 0; i < items.elements.size(); ++i)
    if (items.elements[i].str == id) return static_cast<std::int64_t>(i);
  return std::nullopt;
}

// RQ 2.x keeps "<id>:<execution id>" in the started registry; RQ 1.x the bare id.
std::vector<std::string> composite_members(cluster::Client& target, const std::string& key, const std::string& id) {
  std::vector<std::string> out;
  const std::string pattern = util::escape_glob(id) + ":*";
  std::string cursor = "0";
  do {
    auto page = reply_or_throw(target.exec(keyed({"ZSCAN", key, cursor, "MATCH", pattern, "COUNT", "1000"})), "ZSCAN");
    if (page.elements.size() != 2) break;
    cursor = page.elements[0].str;
    const auto& items = page.elements[1].elements;
    for (std::size_t i = 0; i + 1 < items.size(); i += 2) out.push_back(items[i].str.substr(id.size() + 1));
  } while (cursor != "0");
  return out;
}

}  // namespace

bool job_ended(std::string_view status) {
  return status == "finished" || status == "failed" || status == "stopped" || status == "canceled";
}

std::string JobSnapshot::field(const std::string& name) const {
  auto it = fields.find(name);
  return it == fields.end() ? std::string{} : it->second;
}

std::optional<std::string> read_job_status(cluster::Client& target, const std::string& id) {
  auto replies =
      value_or_throw(target.exec_all({keyed({"EXISTS", job_key(id)}), keyed({"HGET", job_key(id), "status"})}));
  if (replies[0].is_error()) throw Failure(client::to_error(replies[0].str, "EXISTS"));
  if (replies[0].integer == 0) return std::nullopt;
  if (replies[1].is_error()) throw Failure(client::to_error(replies[1].str, "HGET"));
  return replies[1].is_null() ? std::string{} : replies[1].str;
}

JobSnapshot read_job(cluster::Client& target, const std::string& id) {
  JobSnapshot job;
  job.id = id;
  auto first = value_or_throw(target.exec_all({
      keyed({"HGETALL", job_key(id)}),
      keyed({"PTTL", job_key(id)}),
      keyed({"XREVRANGE", results_key(id), "+", "-", "COUNT", "1"}),
      keyed({"PTTL", results_key(id)}),
  }));
  job.fields = hash_reply(first[0], "HGETALL");
  job.exists = !job.fields.empty();
  if (!job.exists) return job;
  job.status = job.field("status");
  job.origin = job.field("origin");
  job.key_ttl_ms = ttl_of(first[1]);
  job.call = decode_job_data(job.field("data"));
  const Serializer serializer = job.call.serializer.value_or(Serializer::pickle);
  // A server without streams (Redis < 5) answers XREVRANGE with an error: RQ then keeps
  // the outcome in the hash.
  if (!first[2].is_error() && !first[2].elements.empty()) {
    const auto& entry = first[2].elements.front();
    if (entry.elements.size() == 2)
      job.result = decode_result_entry(entry.elements[0].str, pairs_of(entry.elements[1]), serializer);
    job.results_ttl_ms = ttl_of(first[3]);
  }
  if (!job.result) job.result = decode_legacy_result(job.field("result"), job.field("exc_info"), serializer);
  if (!job.field("meta").empty()) job.meta = decode_serialized(job.field("meta"), serializer);
  if (job.origin.empty()) return job;

  std::vector<client::Command> where{keyed({"LPOS", queue_key(job.origin), id}),
                                     keyed({"LLEN", queue_key(job.origin)})};
  for (auto r : k_registries) where.push_back(keyed({"ZSCORE", registry_key(r, job.origin), id}));
  auto second = value_or_throw(target.exec_all(std::move(where)));
  job.position = position_in_queue(target, job.origin, id, second[0], second[1]);
  for (std::size_t i = 0; i < k_registries.size(); ++i) {
    const auto& score = second[2 + i];
    if (score.is_error()) throw Failure(client::to_error(score.str, "ZSCORE"));
    if (!score.is_null()) job.registries.push_back(k_registries[i]);
  }
  job.execution_ids = composite_members(target, registry_key(Registry::started, job.origin), id);
  if (!job.execution_ids.empty() &&
      std::find(job.registries.begin(), job.registries.end(), Registry::started) == job.registries.end())
    job.registries.insert(job.registries.begin(), Registry::started);
  return job;
}

}  // namespace rctl::job::rq
