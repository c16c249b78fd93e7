#include "job/rq/record.hpp"

#include "decode/pickle/writer.hpp"
#include "decode/zlib_inflate.hpp"
#include "job/rq/keys.hpp"
#include "job/repr.hpp"

#include <fmt/format.h>

#include <random>

namespace rctl::job::rq {

namespace {

using client::keyed;
using Json = nlohmann::ordered_json;

// The serialized (func, None, args, kwargs) tuple, before compression.
Expected<std::string> job_payload(const EnqueueRequest& r) {
  if (r.serializer == Serializer::json) return python_json_dumps(Json::array({r.func, nullptr, r.args, r.kwargs}));
  return decode::encode_rq_job_data(r.func, r.args, r.kwargs);
}

Expected<std::string> serialized_meta(const EnqueueRequest& r) {
  if (r.serializer == Serializer::json) return python_json_dumps(r.meta);
  return decode::encode_pickle(r.meta);
}

Expected<void> check(const EnqueueRequest& r) {
  if (r.func.empty()) return fail(ErrorKind::usage, "the function name is empty");
  // RQ's import_attribute needs "module.attribute": a bare name can never be imported.
  if (r.func.find_first_of(" \t\r\n()") != std::string::npos || r.func.find('.') == std::string::npos ||
      r.func.front() == '.' || r.func.back() == '.' || r.func.find("..") != std::string::npos)
    return fail(ErrorKind::usage, fmt::format("'{}' is not a function's import path", r.func),
                "give the dotted path the worker imports, e.g. myapp.tasks.send_email");
  if (r.queue.empty()) return fail(ErrorKind::usage, "the queue name is empty");
  if (r.job_id && !valid_job_id(*r.job_id))
    return fail(ErrorKind::usage,
                fmt::format("--job-id '{}' is not valid: RQ accepts only A-Z, a-z, 0-9, '_' and '-'", *r.job_id));
  if (r.timeout_s && (*r.timeout_s == 0 || *r.timeout_s < -1))
    return fail(ErrorKind::usage, "--timeout must be a positive number of seconds, or -1 for no timeout");
  if (r.result_ttl_s && *r.result_ttl_s < -1)
    return fail(ErrorKind::usage, "--result-ttl must be 0 (keep no result), positive, or -1 (keep forever)");
  if (r.failure_ttl_s && *r.failure_ttl_s < -1)
    return fail(ErrorKind::usage, "--failure-ttl must be 0, positive, or -1 (keep forever)");
  if (r.ttl_s && *r.ttl_s <= 0)
    return fail(ErrorKind::usage, "--ttl must be positive (RQ: job ttl must be greater than 0)");
  if (!r.meta.is_object()) return fail(ErrorKind::usage, "--meta must be a JSON object");
  if (!r.args.is_array() || !r.kwargs.is_object()) return fail(ErrorKind::internal, "job arguments are malformed");
  return {};
}

}  // namespace

const char* to_string(Serializer s) { return s == Serializer::json ? "json" : "pickle"; }

bool valid_job_id(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

std::string new_job_id() {
  std::random_device rd;
  unsigned char b[16];
  for (int i = 0; i < 16; i += 4) {
    const auto v = rd();
    for (int j = 0; j < 4; ++j) b[i + j] = static_cast<unsigned char>((v >> (8 * j)) & 0xffu);
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out += fmt::format("{:02x}", b[i]);
  }
  return out;
}

Expected<JobRecord> build_job_record(const EnqueueRequest& request, SystemTime now, const std::string& new_id) {
  if (auto ok = check(request); !ok) return std::unexpected(ok.error());
  auto payload = job_payload(request);
  if (!payload)
    return fail(ErrorKind::usage, fmt::format("cannot serialize the arguments: {}", payload.error().message));
  JobRecord job;
  job.id = request.job_id.value_or(new_id);
  job.queue = request.queue;
  job.scheduled = request.schedule_at.has_value();
  job.schedule_at = request.schedule_at.value_or(0);
  job.at_front = request.at_front;
  job.ttl_s = request.ttl_s;
  // Job.create: `description or get_call_string()` - an empty description gets the default.
  job.description = request.description && !request.description->empty()
                        ? *request.description
                        : rq_call_string(request.func, request.args, request.kwargs);
  const std::string ts = rq_timestamp(now);
  auto& f = job.fields;
  f.emplace_back("status", job.scheduled ? "scheduled" : "queued");
  f.emplace_back("created_at", ts);
  f.emplace_back("data", decode::deflate(*payload));
  f.emplace_back("success_callback_name", "");
  f.emplace_back("failure_callback_name", "");
  f.emplace_back("stopped_callback_name", "");  // RQ 2.x writes it; 1.x ignores it
  f.emplace_back("started_at", "");
  f.emplace_back("ended_at", "");
  f.emplace_back("last_heartbeat", "");
  f.emplace_back("worker_name", "");
  f.emplace_back("group_id", "");  // RQ 2.x
  f.emplace_back("origin", job.queue);
  f.emplace_back("description", job.description);
  // schedule_job() saves the job without enqueueing it: no enqueued_at until the scheduler
  // moves it to the queue.
  if (!job.scheduled) f.emplace_back("enqueued_at", ts);
  f.emplace_back("timeout", std::to_string(request.timeout_s.value_or(k_rq_default_timeout_s)));
  if (request.result_ttl_s) f.emplace_back("result_ttl", std::to_string(*request.result_ttl_s));
  if (request.failure_ttl_s) f.emplace_back("failure_ttl", std::to_string(*request.failure_ttl_s));
  if (!request.meta.empty()) {
    auto meta = serialized_meta(request);
    if (!meta) return fail(ErrorKind::usage, fmt::format("cannot serialize --meta: {}", meta.error().message));
    f.emplace_back("meta", std::move(*meta));
  }
  if (request.ttl_s) f.emplace_back("ttl", std::to_string(*request.ttl_s));
  // enqueue_at(at_front=True) keeps the wish for the scheduler, which LPUSHes the job then.
  if (job.scheduled && job.at_front) f.emplace_back("enqueue_at_front", "1");
  return job;
}

std::vector<client::Command> enqueue_commands(const JobRecord& job) {
  const std::string key = job_key(job.id);
  std::vector<client::Command> out;
  out.push_back(client::cmd({"MULTI"}));
  out.push_back(keyed({"SADD", k_rq_queues_key, queue_key(job.queue)}));
  std::vector<std::string> hset{"HSET", key};
  for (const auto& [field, value] : job.fields) {
    hset.push_back(field);
    hset.push_back(value);
  }
  out.push_back(client::cmd(std::move(hset)).key(1));
  if (job.scheduled) {
    out.push_back(
        keyed({"ZADD", registry_key(Registry::scheduled, job.queue), std::to_string(job.schedule_at), job.id}));
  } else {
    if (job.ttl_s) out.push_back(keyed({"EXPIRE", key, std::to_string(*job.ttl_s)}));
    out.push_back(keyed({job.at_front ? "LPUSH" : "RPUSH", queue_key(job.queue), job.id}));
  }
  out.push_back(client::cmd({"EXEC"}));
  for (auto& c : out) c.unsafe_to_retry();
  return out;
}

}  // namespace rctl::job::rq
