#include "job/bullmq/write.hpp"

#include "job/bullmq/scripts.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace rctl::job::bullmq {

namespace {

void mp_put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void mp_put_length(std::string& out, std::size_t n, std::uint8_t fix, std::uint8_t fix_max, std::uint8_t b8,
                   std::uint8_t b16, std::uint8_t b32) {
  if (n <= fix_max && fix != 0) out.push_back(static_cast<char>(fix | n));
  else if (n <= 0xff && b8 != 0) {
    out.push_back(static_cast<char>(b8));
    mp_put_be(out, n, 1);
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(b16));
    mp_put_be(out, n, 2);
  } else {
    out.push_back(static_cast<char>(b32));
    mp_put_be(out, n, 4);
  }
}

void mp_encode(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: out.push_back(static_cast<char>(0xc0)); break;
    case Json::value_t::boolean: out.push_back(static_cast<char>(v.get<bool>() ? 0xc3 : 0xc2)); break;
    case Json::value_t::number_unsigned: {
      auto u = v.get<std::uint64_t>();
      if (u < 0x80) {
        out.push_back(static_cast<char>(u));
      } else if (u <= 0xff) {
        out.push_back(static_cast<char>(0xcc));
        mp_put_be(out, u, 1);
      } else if (u <= 0xffff) {
        out.push_back(static_cast<char>(0xcd));
        mp_put_be(out, u, 2);
      } else if (u <= 0xffffffffULL) {
        out.push_back(static_cast<char>(0xce));
        mp_put_be(out, u, 4);
      } else {
        out.push_back(static_cast<char>(0xcf));
        mp_put_be(out, u, 8);
      }
      break;
    }
    case Json::value_t::number_integer: {
      auto i = v.get<std::int64_t>();
      if (i >= 0) {
        mp_encode(out, Json(static_cast<std::uint64_t>(i)));
      } else if (i >= -32) {
        out.push_back(static_cast<char>(i));
      } else {
        out.push_back(static_cast<char>(0xd3));
        mp_put_be(out, static_cast<std::uint64_t>(i), 8);
      }
      break;
    }
    case Json::value_t::number_float: {
      out.push_back(static_cast<char>(0xcb));
      mp_put_be(out, std::bit_cast<std::uint64_t>(v.get<double>()), 8);
      break;
    }
    case Json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      mp_put_length(out, s.size(), 0xa0, 31, 0xd9, 0xda, 0xdb);
      out += s;
      break;
    }
    case Json::value_t::array:
      mp_put_length(out, v.size(), 0x90, 15, 0, 0xdc, 0xdd);
      for (const auto& e : v) mp_encode(out, e);
      break;
    case Json::value_t::object:
      mp_put_length(out, v.size(), 0x80, 15, 0, 0xde, 0xdf);
      for (const auto& [k, e] : v.items()) {
        mp_encode(out, Json(k));
        mp_encode(out, e);
      }
      break;
    default: throw Failure(ErrorKind::usage, "a value msgpack cannot carry");
  }
}

void validate_add(const AddRequest& r) {
  if (r.queue.name.empty()) throw Failure(ErrorKind::usage, "the queue name is empty");
  if (r.name.empty()) throw Failure(ErrorKind::usage, "the job name is empty");
  if (!r.job_id.empty()) {
    // Queue.add's and Job.validateOptions' rules.
    if (r.job_id == "0" || r.job_id.starts_with("0:"))
      throw Failure(ErrorKind::usage, "--job-id cannot be '0' or start with '0:' (BullMQ refuses it)");
    if (r.job_id.find(':') != std::string::npos)
      throw Failure(ErrorKind::usage, "--job-id cannot contain ':' (BullMQ refuses it)");
  }
  if (r.priority && (*r.priority < 0 || *r.priority > k_max_priority))
    throw Failure(ErrorKind::usage, fmt::format("--priority must be between 0 and {}", k_max_priority),
                  "lower numbers run first; 0 means no priority");
  if (r.attempts && *r.attempts < 0) throw Failure(ErrorKind::usage, "--attempts must be 0 or more");
  if (r.delay_ms && *r.delay_ms < 0) throw Failure(ErrorKind::usage, "--delay must not be negative");
}

}  // namespace

std::string msgpack_encode(const Json& value) {
  std::string out;
  mp_encode(out, value);
  return out;
}

Json job_opts(const AddRequest& r) {
  // Job's constructor: Object.assign({attempts: 0}, opts), then Queue.add's jobId last.
  Json o = Json::object();
  o["attempts"] = r.attempts.value_or(0);
  if (r.delay_ms) o["delay"] = *r.delay_ms;
  if (r.priority) o["priority"] = *r.priority;
  if (!r.job_id.empty()) o["jobId"] = r.job_id;
  return o;
}

AddOutcome add_job(cluster::Client& target, const AddRequest& r, SystemTime now) {
  validate_add(r);
  AddOutcome out;
  out.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto& q = r.queue;
  ScriptCall call;
  call.keys = {q.key("wait"),        q.key("paused"), q.key("meta"),   q.key("id"),     q.key("delayed"),
               q.key("prioritized"), q.key("active"), q.key("events"), q.key("marker"), q.key("pc")};
  call.args = {
      q.base(), r.job_id, r.name, std::to_string(out.timestamp_ms), r.data.dump(), msgpack_encode(job_opts(r))};
  auto replies = run_scripts(target, add_job_script(), {call});
  const auto& reply = replies.at(0);
  if (reply.elements.size() != 3) throw Failure(ErrorKind::protocol, "the BullMQ add job script answered unexpectedly");
  out.id = reply.elements[0].str;
  out.state = reply.elements[1].str;
  out.opts = Json::parse(reply.elements[2].str, nullptr, false);
  return out;
}

BulkOutcome retry_failed(cluster::Client& target, const QueueRef& q, const std::vector<std::string>& ids) {
  std::vector<ScriptCall> calls;
  for (const auto& id : ids)
    calls.push_back({{q.job_key(id), q.key("events"), q.key("failed"), q.key("wait"), q.key("meta"), q.key("paused"),
                      q.key("active"), q.key("marker")},
                     {id}});
  BulkOutcome out;
  if (calls.empty()) return out;
  auto replies = run_scripts(target, retry_job_script(), calls);
  for (std::size_t i = 0; i < ids.size(); ++i)
    (replies[i].type == resp::Type::integer && replies[i].integer == 1 ? out.done : out.skipped).push_back(ids[i]);
  return out;
}

BulkOutcome purge_jobs(cluster::Client& target, const QueueRef& q, const std::string& state,
                       const std::vector<std::string>& ids) {
  const bool waiting = state == "waiting";
  const std::string first = waiting ? q.key("wait") : q.key(state);
  const std::string second = waiting ? q.key("paused") : first;
  std::vector<ScriptCall> calls;
  for (const auto& id : ids) {
    const auto k = q.job_key(id);
    calls.push_back(
        {{first, second, k, k + ":logs", k + ":dependencies", k + ":processed", k + ":failed", k + ":unsuccessful"},
         {id, waiting ? "list" : "zset", q.base()}});
  }
  BulkOutcome out;
  if (calls.empty()) return out;
  auto replies = run_scripts(target, purge_job_script(), calls);
  for (std::size_t i = 0; i < ids.size(); ++i)
    (replies[i].type == resp::Type::integer && replies[i].integer == 1 ? out.done : out.skipped).push_back(ids[i]);
  return out;
}

}  // namespace rctl::job::bullmq
