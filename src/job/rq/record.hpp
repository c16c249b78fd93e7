#pragma once
// The job an enqueue writes, as RQ 1.13's Queue.enqueue_call / enqueue_at write it
// (queue.py enqueue_job, schedule_job; job.py to_dict), and the one MULTI/EXEC that stores
// it (formats.md §1.7). Pure: time and id come in, commands go out.

#include "client/command.hpp"
#include "job/rq/time.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace rctl::job::rq {

// How `data`, `meta` and results are serialized: RQ's DefaultSerializer (pickle) or
// rq.serializers.JSONSerializer. Workers must be started with the same one.
enum class Serializer { pickle, json };

// "pickle" or "json".
const char* to_string(Serializer s);

// What the user asked for. Durations are whole seconds as RQ stores them.
struct EnqueueRequest {
  std::string func;  // dotted import path
  nlohmann::ordered_json args = nlohmann::ordered_json::array();  // positional arguments
  nlohmann::ordered_json kwargs = nlohmann::ordered_json::object();  // keyword arguments
  std::string queue = "default";
  std::optional<std::int64_t> timeout_s;  // nullopt: the queue default, 180; -1: none
  std::optional<std::int64_t> result_ttl_s;  // nullopt: the worker's default (500)
  std::optional<std::int64_t> failure_ttl_s;  // nullopt: a year
  std::optional<std::int64_t> ttl_s;  // discard the job if not started in time
  std::optional<std::string> description;  // empty or nullopt: RQ's call string
  std::optional<std::string> job_id;  // nullopt: a new uuid4
  bool at_front = false;
  nlohmann::ordered_json meta = nlohmann::ordered_json::object();
  std::optional<std::int64_t> schedule_at;  // unix seconds: scheduled, not queued
  Serializer serializer = Serializer::pickle;
};

// A job ready to write.
struct JobRecord {
  std::string id;
  std::string queue;
  bool scheduled = false;
  std::int64_t schedule_at = 0;  // when scheduled
  bool at_front = false;
  std::optional<std::int64_t> ttl_s;
  std::string description;
  // Hash fields in the order written (status first, then RQ's to_dict order).
  std::vector<std::pair<std::string, std::string>> fields;
};

// Checks `request` (ErrorKind::usage: empty function, a job id outside RQ 2.x's
// [A-Za-z0-9_-]+, timeout 0 or below -1, a TTL below -1, ttl <= 0, meta not an object, a
// value the serializer cannot write) and builds the record, created and enqueued at `now`.
// `new_id` gives the id when the request has none.
Expected<JobRecord> build_job_record(const EnqueueRequest& request, SystemTime now, const std::string& new_id);

// A random RFC 4122 version 4 UUID, as str(uuid4()) writes it.
std::string new_job_id();

// True for ids RQ 2.x accepts ([A-Za-z0-9_-]+).
bool valid_job_id(std::string_view id);

// MULTI, SADD rq:queues, HSET rq:job:<id> ..., [EXPIRE], RPUSH/LPUSH rq:queue:<q> (or ZADD
// rq:scheduled:<q> for a scheduled job), EXEC. The writes are marked unsafe to retry.
std::vector<client::Command> enqueue_commands(const JobRecord& record);

}  // namespace rctl::job::rq
