#pragma once
// The Lua scripts of job/bullmq/write.cpp and the EVALSHA/EVAL round trip they share.

#include "cluster/client.hpp"
#include "resp/value.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace rctl::job::bullmq {

struct BullScript {
  std::string_view name;
  std::string_view text;
  std::string sha1;
};

const BullScript& add_job_script();
const BullScript& retry_job_script();
const BullScript& purge_job_script();

// One call of a script: its KEYS (the first routes it on a cluster) and ARGV.
struct ScriptCall {
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

// Runs the calls pipelined as EVALSHA; those answered NOSCRIPT (not run) go again as EVAL.
// Error replies throw, naming the script; a lost connection is ErrorKind::outcome_unknown
// for the calls in flight (never resent).
std::vector<resp::Value> run_scripts(cluster::Client& target, const BullScript& script,
                                     const std::vector<ScriptCall>& calls);

}  // namespace rctl::job::bullmq
