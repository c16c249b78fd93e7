#pragma once
// `rctl ratelimit probe`: hit a limit with the same atomic Lua steps the application's limits
// library uses (ratelimit/scripts.hpp), from C connections at once, and check that
// exactly the limit got through. Hits run on a scratch key `rctl:probe:{<id>}:...` that is
// deleted afterwards (also after a failure or Ctrl-C), or on the application's own key,
// consuming its real budget.
//
// A hit is never sent twice: after a connection failure the hits it had in flight are
// "outcome unknown". NOSCRIPT (script cache flushed) and MOVED/ASK mean the script did not
// run, so those hits are sent again (EVAL; routed).

#include "cluster/client.hpp"
#include "ratelimit/spec.hpp"
#include "ratelimit/usage.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rctl::ratelimit {

inline constexpr int k_max_probe_concurrency = 1000;
inline constexpr std::int64_t k_max_probe_hits = 10'000'000;
// Hits one connection has in flight at most: bounds what a failure leaves "unknown" and
// lets Ctrl-C stop a long probe between hits.
inline constexpr std::size_t k_probe_in_flight = 32;

enum class ProbeStrategy { fixed, moving, sliding };

// "fixed", "moving", "sliding"; parse_probe_strategy is its inverse.
const char* to_string(ProbeStrategy strategy);
std::optional<ProbeStrategy> parse_probe_strategy(std::string_view name);

struct ProbeOptions {
  std::vector<LimitItem> limits;  // --limit (several only on scratch keys)
  std::optional<ProbeStrategy> strategy;  // --strategy (derived from --key when it can be)
  std::optional<std::string> key;  // --key: the application's key
  std::optional<std::int64_t> hits;  // default: twice the amount (at least amount + 1)
  int concurrency = 1;
  bool dry_run = false;
};

// What one probe will do, settled before anything is sent.
struct ProbePlan {
  LimitItem limit;
  ProbeStrategy strategy = ProbeStrategy::fixed;
  std::string key;  // counter, list, or the current-window key
  std::string previous_key;  // sliding only
  bool scratch = true;
  std::int64_t hits = 0;
};

// Validates the options against the target (TYPE of --key, the limit its name carries) and
// returns one plan per limit. Throws usage errors; writes nothing.
std::vector<ProbePlan> plan_probe(cluster::Client& target, const ProbeOptions& options);

enum class ProbeVerdict {
  pass,  // exactly the expected number got through
  too_many,  // more got through than the budget: the limiter is not atomic
  too_few,  // fewer got through
  inconclusive,  // the budget grew during the probe (a window passed): nothing proven
  unknown,  // a connection failed with hits in flight
  error,  // the server refused (scripting denied, OOM, ...)
  interrupted,  // Ctrl-C
  dry_run,  // computed, nothing sent
};

// "pass", "too_many", ...
const char* to_string(ProbeVerdict verdict);

struct ProbeResult {
  ProbePlan plan;
  std::string node;
  int connections = 0;  // connections the hits were spread over
  std::optional<std::int64_t> remaining_before;
  std::int64_t stable_ms = 0;  // how long the budget could not grow by itself
  std::int64_t expected_allowed = 0;
  std::int64_t allowed = 0, denied = 0;
  std::int64_t unknown = 0;  // may or may not have counted (connection lost, script failed)
  std::int64_t not_run = 0;  // never sent, or refused before running (NOPERM)
  std::int64_t resent_eval = 0;  // NOSCRIPT: sent again as EVAL
  std::int64_t rerouted = 0;  // MOVED/ASK: sent again, routed
  double elapsed_ms = 0;  // first hit sent to last reply
  std::optional<Usage> usage_after;  // the key read after the hits
  ProbeVerdict verdict = ProbeVerdict::pass;
  std::optional<Error> error;  // for unknown / error verdicts
  std::string cleanup;  // scratch: "deleted", or why not; else empty
};

// Sets r.verdict from the counts: any error or unknown hit first, then hits not run
// (interrupted), then allowed against expected. More than expected is "inconclusive" rather
// than "too_many" when the probe outlasted stable_ms (the budget may have grown by itself).
void judge_probe(ProbeResult& r);

struct ProbeReport {
  std::string target;
  std::vector<ProbeResult> probes;
  bool dry_run = false;
  bool interrupted = false;
  bool passed() const;  // every probe passed (or was a dry run)
  const Error* first_error() const;  // the error of the first unknown/error probe
};

// Runs the plans one after the other (Ctrl-C stops after the current one, which cleans up).
ProbeReport run_probe(cluster::Client& target, const std::vector<ProbePlan>& plans, const ProbeOptions& options);

}  // namespace rctl::ratelimit
