#include "job/bullmq/scripts.hpp"

#include "client/server_error.hpp"
#include "util/sha1.hpp"

#include <fmt/format.h>

namespace rctl::job::bullmq {

namespace {

// addStandardJob-9 / addDelayedJob-6 / addPrioritizedJob-9 of BullMQ 5.x in one script,
// without parents, repeat and deduplication (rctl adds none of those). The opts are
// unpacked with cmsgpack and stored with cjson.encode, as BullMQ stores them, so that the
// "opts" field is byte-identical to Queue.add's for the same options.
// KEYS: wait paused meta id delayed prioritized active events marker pc
// ARGV: job key prefix, custom id or "", name, timestamp, data JSON, msgpacked opts
constexpr std::string_view k_add_job_lua = R"lua(
local rcall = redis.call
local opts = cmsgpack.unpack(ARGV[6])
local jobCounter = rcall("INCR", KEYS[4])
local maxEvents = rcall("HGET", KEYS[3], "opts.maxLenEvents")
if not maxEvents then
  maxEvents = 10000
  rcall("HSET", KEYS[3], "opts.maxLenEvents", maxEvents)
end
local jobId
if ARGV[2] == "" then
  jobId = jobCounter .. ""
else
  jobId = ARGV[2]
  if rcall("EXISTS", ARGV[1] .. jobId) == 1 then
    rcall("XADD", KEYS[8], "MAXLEN", "~", maxEvents, "*", "event", "duplicated", "jobId", jobId)
    return {jobId, "duplicated", cjson.encode(opts)}
  end
end
local jobKey = ARGV[1] .. jobId
local timestamp = ARGV[4]
local delay = opts['delay'] or 0
local priority = opts['priority'] or 0
local jsonOpts = cjson.encode(opts)
rcall("HMSET", jobKey, "name", ARGV[3], "data", ARGV[5], "opts", jsonOpts, "timestamp", timestamp,
      "delay", delay, "priority", priority)
rcall("XADD", KEYS[8], "*", "event", "added", "jobId", jobId, "name", ARGV[3])
local attrs = rcall("HMGET", KEYS[3], "paused", "concurrency")
local pausedOrMaxed = false
if attrs[1] then
  pausedOrMaxed = true
elseif attrs[2] then
  pausedOrMaxed = rcall("LLEN", KEYS[7]) >= tonumber(attrs[2])
end
if type(opts['delay']) == "number" and opts['delay'] > 0 then
  -- getDelayedScore: the id's order within one millisecond in the low 12 bits
  local delayedTimestamp = tonumber(timestamp) + tonumber(delay)
  local minScore = delayedTimestamp * 0x1000
  local maxScore = (delayedTimestamp + 1) * 0x1000 - 1
  local score = minScore
  local result = rcall("ZREVRANGEBYSCORE", KEYS[5], maxScore, minScore, "WITHSCORES", "LIMIT", 0, 1)
  local current = tonumber(result[2])
  if current ~= nil then
    if current >= maxScore then score = maxScore else score = current + 1 end
  end
  rcall("ZADD", KEYS[5], score, jobId)
  rcall("XADD", KEYS[8], "MAXLEN", "~", maxEvents, "*", "event", "delayed", "jobId", jobId,
        "delay", delayedTimestamp)
  local first = rcall("ZRANGE", KEYS[5], 0, 0, "WITHSCORES")
  local nextTimestamp = tonumber(first[2])
  if nextTimestamp ~= nil then rcall("ZADD", KEYS[9], nextTimestamp / 0x1000, "1") end
  return {jobId, "delayed", jsonOpts}
end
local state = "waiting"
if opts['priority'] and opts['priority'] ~= 0 then
  local counter = rcall("INCR", KEYS[10])
  rcall("ZADD", KEYS[6], priority * 0x100000000 + counter % 0x100000000, jobId)
  state = "prioritized"
else
  local target = KEYS[1]
  if attrs[1] then target = KEYS[2] end
  if opts['lifo'] then rcall("RPUSH", target, jobId) else rcall("LPUSH", target, jobId) end
end
if not pausedOrMaxed then rcall("ZADD", KEYS[9], 0, "0") end
rcall("XADD", KEYS[8], "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", jobId)
return {jobId, state, jsonOpts}
)lua";

// reprocessJob-8 (Job.retry('failed') with its default options): a job not in failed any
// more is left alone (0), a job hash that is gone too (-1).
// KEYS: job key, events, failed, wait, meta, paused, active, marker   ARGV: job id
constexpr std::string_view k_retry_job_lua = R"lua(
local rcall = redis.call
local jobKey = KEYS[1]
local jobId = ARGV[1]
if rcall("EXISTS", jobKey) ~= 1 then return -1 end
if rcall("ZREM", KEYS[3], jobId) ~= 1 then return 0 end
rcall("HDEL", jobKey, "finishedOn", "processedOn", "failedReason")
local attrs = rcall("HMGET", KEYS[5], "paused", "concurrency")
local target = KEYS[4]
local pausedOrMaxed = false
if attrs[1] then
  target = KEYS[6]
  pausedOrMaxed = true
elseif attrs[2] then
  pausedOrMaxed = rcall("LLEN", KEYS[7]) >= tonumber(attrs[2])
end
local opts = rcall("HGET", jobKey, "opts")
if opts and string.find(opts, '"lifo":true', 1, true) then
  rcall("RPUSH", target, jobId)
else
  rcall("LPUSH", target, jobId)
end
if not pausedOrMaxed then rcall("ZADD", KEYS[8], 0, "0") end
local parentKey = rcall("HGET", jobKey, "parentKey")
if parentKey and rcall("EXISTS", parentKey) == 1 then
  if rcall("ZREM", parentKey .. ":unsuccessful", jobKey) == 1 or rcall("HDEL", parentKey .. ":failed", jobKey) == 1 then
    rcall("SADD", parentKey .. ":dependencies", jobKey)
  end
end
local maxEvents = rcall("HGET", KEYS[5], "opts.maxLenEvents")
if not maxEvents then
  maxEvents = 10000
  rcall("HSET", KEYS[5], "opts.maxLenEvents", maxEvents)
end
rcall("XADD", KEYS[2], "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", jobId, "prev", "failed")
return 1
)lua";

// removeJob as drain/clean use it, for one job still in its state: 1 deleted, 0 not there.
// KEYS: state key, second list (paused, for waiting) or the same key, job key, its :logs,
//       :dependencies, :processed, :failed, :unsuccessful
// ARGV: job id, "list" or "zset", the queue's job key prefix (for the deduplication key)
constexpr std::string_view k_purge_job_lua = R"lua(
local rcall = redis.call
local jobId = ARGV[1]
local removed = 0
if ARGV[2] == "list" then
  removed = rcall("LREM", KEYS[1], -1, jobId)
  if removed == 0 and KEYS[2] ~= KEYS[1] then removed = rcall("LREM", KEYS[2], -1, jobId) end
else
  removed = rcall("ZREM", KEYS[1], jobId)
end
if removed == 0 then return 0 end
local deid = rcall("HGET", KEYS[3], "deid")
if deid then
  local dedupKey = ARGV[3] .. "de:" .. deid
  if rcall("GET", dedupKey) == jobId then rcall("DEL", dedupKey) end
end
rcall("DEL", KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])
return 1
)lua";

BullScript make_script(std::string_view name, std::string_view text) { return {name, text, util::sha1_hex(text)}; }

client::Command script_command(const BullScript& script, const ScriptCall& call, bool eval) {
  std::vector<std::string> args{eval ? "EVAL" : "EVALSHA", std::string(eval ? script.text : script.sha1),
                                std::to_string(call.keys.size())};
  args.insert(args.end(), call.keys.begin(), call.keys.end());
  args.insert(args.end(), call.args.begin(), call.args.end());
  auto c = client::cmd(std::move(args));
  if (!call.keys.empty()) c.key(3);
  return std::move(c.unsafe_to_retry());
}

}  // namespace

const BullScript& add_job_script() {
  static const BullScript s = make_script("add job", k_add_job_lua);
  return s;
}
const BullScript& retry_job_script() {
  static const BullScript s = make_script("retry job", k_retry_job_lua);
  return s;
}
const BullScript& purge_job_script() {
  static const BullScript s = make_script("purge job", k_purge_job_lua);
  return s;
}

std::vector<resp::Value> run_scripts(cluster::Client& target, const BullScript& script,
                                     const std::vector<ScriptCall>& calls) {
  std::vector<client::Command> first;
  for (const auto& c : calls) first.push_back(script_command(script, c, false));
  auto replies = value_or_throw(target.exec_all(std::move(first)));
  std::vector<std::size_t> again;
  std::vector<client::Command> evals;
  for (std::size_t i = 0; i < replies.size(); ++i)
    if (replies[i].is_error() && replies[i].str.starts_with("NOSCRIPT")) {
      again.push_back(i);
      evals.push_back(script_command(script, calls[i], true));
    }
  if (!evals.empty()) {
    auto second = value_or_throw(target.exec_all(std::move(evals)));
    for (std::size_t k = 0; k < again.size(); ++k) replies[again[k]] = std::move(second[k]);
  }
  for (const auto& r : replies)
    if (r.is_error())
      throw Failure(client::to_error(r.str, fmt::format("the BullMQ {} script (EVALSHA/EVAL)", script.name)));
  return replies;
}

}  // namespace rctl::job::bullmq
