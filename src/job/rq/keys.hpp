#pragma once
// RQ's key names (formats.md §1.1; RQ 1.13 job.py, queue.py, registry.py, results.py,
// worker_registration.py). None of them carries a hash tag, so on a cluster the keys of
// one job live in different slots.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rctl::job::rq {

// Key names and prefixes, as RQ spells them (rq:queues holds queue KEYS, not names).
inline constexpr std::string_view k_rq_job_prefix = "rq:job:";
inline constexpr std::string_view k_rq_queue_prefix = "rq:queue:";
inline constexpr std::string_view k_rq_queues_key = "rq:queues";
inline constexpr std::string_view k_rq_worker_prefix = "rq:worker:";
inline constexpr std::string_view k_rq_workers_key = "rq:workers";
inline constexpr std::string_view k_rq_results_prefix = "rq:results:";

// Queue.DEFAULT_TIMEOUT: the timeout a job gets when none is given (seconds).
inline constexpr std::int64_t k_rq_default_timeout_s = 180;
// DEFAULT_RESULT_TTL / DEFAULT_FAILURE_TTL (rq/defaults.py), used when a job has none.
inline constexpr std::int64_t k_rq_default_result_ttl_s = 500;
inline constexpr std::int64_t k_rq_default_failure_ttl_s = 31536000;

// The per-queue job registries (sorted sets of job ids).
enum class Registry { started, finished, failed, deferred, scheduled, canceled };

// Every registry, in the order rctl lists them.
inline constexpr std::array<Registry, 6> k_registries = {Registry::started,  Registry::finished,  Registry::failed,
                                                         Registry::deferred, Registry::scheduled, Registry::canceled};

// The job status a registry holds ("started", "finished", ...); also the CLI name.
inline const char* to_string(Registry r) {
  switch (r) {
    case Registry::started: return "started";
    case Registry::finished: return "finished";
    case Registry::failed: return "failed";
    case Registry::deferred: return "deferred";
    case Registry::scheduled: return "scheduled";
    case Registry::canceled: return "canceled";
  }
  return "started";
}

// The registry named `name` as to_string spells it; nullopt otherwise.
inline std::optional<Registry> parse_registry(std::string_view name) {
  for (auto r : k_registries)
    if (name == to_string(r)) return r;
  return std::nullopt;
}

// "rq:wip:<q>" (the started registry keeps RQ's old name), "rq:finished:<q>", ...
inline std::string registry_key(Registry r, std::string_view queue) {
  std::string_view prefix = r == Registry::started ? "rq:wip:" : "";
  std::string key = prefix.empty() ? std::string("rq:") + to_string(r) + ":" : std::string(prefix);
  return key.append(queue);
}

// rq:job:<id>, rq:queue:<q>, rq:results:<id>, rq:worker:<name>.
inline std::string job_key(std::string_view id) { return std::string(k_rq_job_prefix).append(id); }
inline std::string queue_key(std::string_view queue) { return std::string(k_rq_queue_prefix).append(queue); }
inline std::string results_key(std::string_view id) { return std::string(k_rq_results_prefix).append(id); }
inline std::string worker_key(std::string_view name) { return std::string(k_rq_worker_prefix).append(name); }
// "rq:workers:<q>": the workers listening on one queue.
inline std::string queue_workers_key(std::string_view queue) { return std::string("rq:workers:").append(queue); }

}  // namespace rctl::job::rq
