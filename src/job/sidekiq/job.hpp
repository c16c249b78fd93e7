#pragma once
// Sidekiq 6.x's job payload as its client writes it (lib/sidekiq/client.rb raw_push /
// atomic_push, job_util.rb normalize_item) and as its retry code extends it
// (job_retry.rb: error_class, error_message, retry_count, failed_at, retried_at). The same
// JSON object sits in the `queue:<name>` lists, the `schedule`/`retry`/`dead` sorted sets
// and, as a string, in a process's `<identity>:workers` hash. Reads never run anything.

#include "job/rq/args.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rctl::job::sidekiq {

using Json = nlohmann::ordered_json;

// Sidekiq's own key names (no namespace: redis-namespace support went away in 6.0).
inline constexpr std::string_view k_queues_key = "queues";  // SET of queue names
inline constexpr std::string_view k_processes_key = "processes";  // SET of process identities
inline constexpr std::string_view k_schedule_key = "schedule";  // ZSET, score = run at
inline constexpr std::string_view k_retry_key = "retry";  // ZSET, score = retry at
inline constexpr std::string_view k_dead_key = "dead";  // ZSET, score = died at
inline constexpr std::string_view k_queue_prefix = "queue:";  // LIST, LPUSH in, BRPOP out
inline constexpr std::string_view k_default_queue = "default";
// A process refreshes its heartbeat every 5 s and its key expires after 60 s.
inline constexpr double k_stale_heartbeat_s = 60.0;

// "queue:<name>".
std::string queue_key(std::string_view queue);

// One payload read back. Never fails: what cannot be read says why in `problem`.
struct SidekiqJob {
  bool valid = false;  // parsed as a JSON object
  std::string problem;
  std::string raw;  // the stored bytes (the member to ZREM/LREM)
  Json payload;  // the whole object, in stored order
  std::string jid, klass, wrapped, queue;  // wrapped: ActiveJob's job class
  Json args = Json::array();
  std::optional<double> created_at, enqueued_at, failed_at, retried_at;
  std::optional<std::int64_t> retry_count;
  Json retry;  // true/false/an integer (max attempts), null when absent
  std::string error_class, error_message;
};

SidekiqJob decode_job(std::string_view raw);

// A new jid: 24 lowercase hex digits, as SecureRandom.hex(12).
std::string new_jid();

// What `job enqueue --system sidekiq` pushes.
struct PushRequest {
  std::string klass;
  std::string queue = std::string(k_default_queue);
  Json args = Json::array();
};

// The payload byte for byte as Sidekiq::Client.push({"class"=>..., "args"=>[...]}) writes
// it with the default worker options: {"retry":true,"queue":Q,"class":C,"args":[...],
// "jid":J,"created_at":T,"enqueued_at":T} (floats in Ruby's shortest round-trip form).
std::string encode_push(const PushRequest& request, const std::string& jid, double now_s);

// Sidekiq's args from rq-style command-line arguments: positionals in order; key=value /
// key:=json arguments become one trailing JSON object (a Ruby Hash argument), since
// Sidekiq's args are a JSON array and have no keyword arguments.
Json sidekiq_args(const rq::JobArguments& parsed);

// The payload SortedEntry#retry / #add_to_queue pushes back: `payload` with retry_count
// decremented when `decrement` (retry, so the next failure counts the same attempt again)
// and enqueued_at set to `now_s`; every other key kept in place.
std::string requeue_payload(const Json& payload, double now_s, bool decrement);

// `filter` equals the class (or wrapped class) or occurs in error_class/error_message.
bool matches_filter(const SidekiqJob& job, std::string_view filter);

// Seconds since the epoch as a double (microsecond precision, as Ruby's Time.now.to_f).
double now_seconds();

}  // namespace rctl::job::sidekiq
