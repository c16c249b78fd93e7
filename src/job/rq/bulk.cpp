#include "job/rq/bulk.hpp"

#include "job/replies.hpp"
#include "job/rq/result.hpp"
#include "job/rq/write.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rctl::job::rq {

namespace {

using client::keyed;

// Removes ARGV[1] from the source (a list when ARGV[2] is "list", else a sorted set) and,
// only when it was there, deletes the job hash, its dependents set and its results stream
// (what Job.delete removes); returns 1, or 0 when the job had left the source.
constexpr const char* k_purge_script = R"(
local removed
if ARGV[2] == "list" then
  removed = redis.call("LREM", KEYS[1], 0, ARGV[1])
else
  removed = redis.call("ZREM", KEYS[1], ARGV[1])
end
if removed == 0 then return 0 end
redis.call("DEL", KEYS[2], KEYS[3], KEYS[4])
return 1
)";

bool rq_bulk_is_waiting(const std::string& state) { return state == "waiting" || state == "queued"; }

std::string rq_bulk_source_key(const std::string& queue, const std::string& state) {
  if (rq_bulk_is_waiting(state)) return queue_key(queue);
  auto r = parse_registry(state);
  if (!r || *r == Registry::started)
    throw Failure(ErrorKind::usage, fmt::format("RQ has no state '{}' to purge", state),
                  fmt::format("one of: {}", fmt::join(purge_state_names(), ", ")));
  return registry_key(*r, queue);
}

// Fills func and last_error of every candidate: HMGET data exc_info and the latest entry of
// the results stream, pipelined.
void rq_bulk_read_details(cluster::Client& target, std::vector<BulkCandidate>& jobs) {
  std::vector<client::Command> reads;
  for (const auto& j : jobs) {
    reads.push_back(keyed({"HMGET", job_key(j.id), "data", "exc_info", "status"}));
    reads.push_back(keyed({"XREVRANGE", results_key(j.id), "+", "-", "COUNT", "1"}));
  }
  auto replies = value_or_throw(target.exec_all(std::move(reads)));
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    auto v = hmget_reply(replies[2 * i], "HMGET");
    v.resize(3);
    auto& j = jobs[i];
    j.exists = std::any_of(v.begin(), v.end(), [](const std::string& s) { return !s.empty(); });
    if (!v[0].empty()) {
      auto call = decode_job_data(v[0]);
      if (call.problem.empty()) j.func = call.func_name;
    }
    // The stream (RQ >= 1.12 on Redis >= 5) holds the latest outcome; exc_info the legacy one.
    const auto& stream = replies[2 * i + 1];
    if (!stream.is_error() && !stream.elements.empty() && stream.elements[0].elements.size() == 2) {
      const auto& entry = stream.elements[0];
      auto result = decode_result_entry(entry.elements[0].str, pairs_of(entry.elements[1]), Serializer::pickle);
      if (result.exc_string) j.last_error = *result.exc_string;
    }
    if (j.last_error.empty() && !v[1].empty()) {
      std::vector<std::string> problems;
      j.last_error = traceback_text(v[1], problems);
    }
  }
}

}  // namespace

std::vector<std::string> purge_state_names() {
  return {"waiting", "failed", "finished", "scheduled", "deferred", "canceled"};
}

BulkSelection select_jobs(cluster::Client& target, const std::string& queue, const std::string& state,
                          const std::string& filter, SystemTime now) {
  BulkSelection s;
  s.queue = queue;
  s.state = state;
  const auto key = rq_bulk_source_key(queue, state);
  const bool list = rq_bulk_is_waiting(state);
  std::vector<std::string> ids;
  if (state == "failed") {
    ids = failed_job_ids(target, queue, now);
    s.total = static_cast<std::int64_t>(ids.size());
    if (ids.size() > k_max_bulk_jobs) {
      ids.resize(k_max_bulk_jobs);
      s.capped = true;
    }
  } else {
    const auto last = std::to_string(k_max_bulk_jobs - 1);
    auto r = value_or_throw(
        target.exec_all({keyed({list ? "LLEN" : "ZCARD", key}), keyed({list ? "LRANGE" : "ZRANGE", key, "0", last})}));
    throw_if_error(r[0], "LLEN/ZCARD");
    throw_if_error(r[1], "LRANGE/ZRANGE");
    s.total = r[0].integer;
    for (const auto& m : r[1].elements) ids.push_back(m.str);
    s.capped = s.total > static_cast<std::int64_t>(ids.size());
  }
  std::vector<BulkCandidate> jobs;
  jobs.reserve(ids.size());
  for (auto& id : ids) jobs.push_back({std::move(id), "", "", false});
  // Details in batches, so a long registry is not one giant pipeline reply.
  constexpr std::size_t batch = 500;
  for (std::size_t at = 0; at < jobs.size(); at += batch) {
    std::vector<BulkCandidate> part(jobs.begin() + static_cast<std::ptrdiff_t>(at),
                                    jobs.begin() + static_cast<std::ptrdiff_t>(std::min(jobs.size(), at + batch)));
    rq_bulk_read_details(target, part);
    for (auto& j : part)
      if (filter.empty() || j.func == filter || j.last_error.find(filter) != std::string::npos)
        s.jobs.push_back(std::move(j));
  }
  return s;
}

JobAction purge_job(cluster::Client& target, const std::string& queue, const std::string& state, const std::string& id,
                    Apply apply) {
  require_standalone(target, "job purge");
  JobAction action{id, queue, rq_bulk_is_waiting(state) ? "queued" : state, ActionOutcome::done, ""};
  if (apply == Apply::dry_run) {
    action.outcome = ActionOutcome::would_do;
    return action;
  }
  const auto source = rq_bulk_source_key(queue, state);
  auto command = client::cmd({"EVAL", k_purge_script, "4", source, job_key(id), job_key(id) + ":dependents",
                              results_key(id), id, rq_bulk_is_waiting(state) ? "list" : "zset"})
                     .key(3)
                     .key(4)
                     .key(5)
                     .key(6)
                     .unsafe_to_retry();
  auto reply = reply_or_throw(target.exec(std::move(command)), "EVAL");
  if (reply.integer == 0) {
    action.outcome = ActionOutcome::refused;
    action.message = fmt::format("no longer {} (a worker or RQ moved it meanwhile)", action.previous_status);
  }
  return action;
}

}  // namespace rctl::job::rq
