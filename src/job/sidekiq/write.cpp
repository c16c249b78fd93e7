#include "job/sidekiq/write.hpp"

#include "job/replies.hpp"
#include "job/rq/write.hpp"

#include <fmt/format.h>

namespace rctl::job::sidekiq {

namespace {

using client::keyed;

// One job back to its queue, only if this call removed it from the set: a member another
// client (a worker's poller, a second rctl) took first is left alone, so nothing doubles.
constexpr std::string_view k_requeue_script = R"lua(
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('LPUSH', KEYS[2], ARGV[2])
return 1
)lua";

// Queue#clear, counting what it deleted.
constexpr std::string_view k_clear_queue_script = R"lua(
local n = redis.call('LLEN', KEYS[1])
redis.call('UNLINK', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return n
)lua";

void require_sidekiq_type(const resp::Value& type_reply, std::string_view key, std::string_view expected) {
  throw_if_error(type_reply, "TYPE");
  if (type_reply.str != "none" && type_reply.str != expected)
    throw Failure(ErrorKind::server,
                  fmt::format("key '{}' is a {}, but Sidekiq keeps a {} there; nothing was written", key,
                              type_reply.str, expected),
                  "another application uses this name; check the database (-n)");
}

// Sends one batch of non-idempotent writes; on a transport failure the batch's outcome is
// unknown (it may have reached the server) and the caller stops.
std::optional<std::vector<resp::Value>> send_batch(cluster::Client& target, std::vector<client::Command> batch,
                                                   std::size_t jobs, BulkOutcome& out) {
  for (auto& c : batch) c.unsafe_to_retry();
  auto r = target.exec_all(std::move(batch));
  if (!r) {
    out.unknown += static_cast<std::int64_t>(jobs);
    out.lost_error = r.error().message;
    return std::nullopt;
  }
  return std::move(*r);
}

std::int64_t reply_count(const resp::Value& v, std::string_view what) {
  throw_if_error(v, what);
  return v.type == resp::Type::integer ? v.integer : 0;
}

}  // namespace

EnqueueOutcome enqueue_job(cluster::Client& target, PushRequest request) {
  if (request.klass.empty()) throw Failure(ErrorKind::usage, "the class name is empty");
  if (request.queue.empty()) throw Failure(ErrorKind::usage, "the queue name is empty");
  if (!request.args.is_array()) throw Failure(ErrorKind::usage, "Sidekiq's args must be a JSON array");
  if (target.is_cluster())
    throw Failure(ErrorKind::usage, "job enqueue --system sidekiq needs a standalone server",
                  "Sidekiq does not run on Redis Cluster");
  EnqueueOutcome out;
  out.jid = new_jid();
  out.payload = encode_push(request, out.jid, now_seconds());
  const std::string queues(k_queues_key);
  const auto list = queue_key(request.queue);
  auto replies = rq::watched_transaction(
      target, {queues, list}, {keyed({"TYPE", queues}), keyed({"TYPE", list})},
      [&](const std::vector<resp::Value>& r) {
        require_sidekiq_type(r[0], queues, "set");
        require_sidekiq_type(r[1], list, "list");
        return std::vector<client::Command>{keyed({"SADD", queues, request.queue}),
                                            keyed({"LPUSH", list, out.payload})};
      },
      fmt::format("the enqueue of job {}", out.jid));
  if (!replies.empty() && replies.back().type == resp::Type::integer) out.queue_length = replies.back().integer;
  out.request = std::move(request);
  return out;
}

Selection select_jobs(cluster::Client& target, const std::string& queue, ListState state, const std::string& filter) {
  Selection s;
  s.queue = queue;
  s.state = std::string(list_state_name(state));
  s.filter = filter;
  const bool is_list = state == ListState::waiting;
  const std::string key = is_list ? queue_key(queue) : std::string(set_key(state));
  s.total = reply_count(value_or_throw(target.exec(keyed({is_list ? "LLEN" : "ZCARD", key}))), "LEN");
  s.whole_queue = is_list && filter.empty();
  for (std::size_t start = 0; start < k_max_bulk_members; start += k_search_page) {
    const auto stop = std::to_string(start + k_search_page - 1);
    // Lists from the right end (next to run first), sets in score order.
    auto page = is_list ? reply_or_throw(target.exec(keyed({"LRANGE", key, "-" + std::to_string(start + k_search_page),
                                                            "-" + std::to_string(start + 1)})),
                                         "LRANGE")
                        : reply_or_throw(target.exec(keyed({"ZRANGE", key, std::to_string(start), stop})), "ZRANGE");
    const auto& e = page.elements;
    for (std::size_t k = 0; k < e.size(); ++k) {
      ++s.examined;
      auto job = decode_job(is_list ? e[e.size() - 1 - k].str : e[k].str);
      if (!is_list && job.queue != queue) continue;
      if (!matches_filter(job, filter)) continue;
      s.jobs.push_back(std::move(job));
    }
    if (e.size() < k_search_page) return s;
  }
  s.truncated = static_cast<std::int64_t>(s.examined) < s.total;
  return s;
}

BulkOutcome retry_jobs(cluster::Client& target, const Selection& selection, bool decrement_retry_count) {
  rq::require_standalone(target, "job retry --system sidekiq");
  BulkOutcome out;
  const auto state = parse_list_state(selection.state).value_or(ListState::retry);
  const std::string set(set_key(state));
  for (std::size_t i = 0; i < selection.jobs.size(); i += k_bulk_batch) {
    const auto end = std::min(selection.jobs.size(), i + k_bulk_batch);
    const double now = now_seconds();
    std::vector<client::Command> batch;
    for (std::size_t k = i; k < end; ++k) {
      const auto& job = selection.jobs[k];
      // A member that is not a payload cannot be pushed back as a job; it stays in the set.
      if (!job.valid) continue;
      const auto queue = job.queue.empty() ? selection.queue : job.queue;
      batch.push_back(
          client::cmd({"EVAL", std::string(k_requeue_script), "3", set, queue_key(queue), std::string(k_queues_key),
                       job.raw, requeue_payload(job.payload, now, decrement_retry_count), queue}));
    }
    const auto sent = batch.size();
    auto r = send_batch(target, std::move(batch), sent, out);
    if (!r) return out;
    for (const auto& v : *r) (reply_count(v, "EVAL") == 1 ? out.done : out.gone) += 1;
  }
  return out;
}

BulkOutcome purge_jobs(cluster::Client& target, const Selection& selection) {
  rq::require_standalone(target, "job purge --system sidekiq");
  BulkOutcome out;
  const auto state = parse_list_state(selection.state).value_or(ListState::waiting);
  if (selection.whole_queue) {
    auto r = send_batch(target,
                        {client::cmd({"EVAL", std::string(k_clear_queue_script), "2", queue_key(selection.queue),
                                      std::string(k_queues_key), selection.queue})},
                        static_cast<std::size_t>(selection.total), out);
    if (r) out.done = reply_count((*r)[0], "EVAL");
    return out;
  }
  const bool is_list = state == ListState::waiting;
  const std::string key = is_list ? queue_key(selection.queue) : std::string(set_key(state));
  for (std::size_t i = 0; i < selection.jobs.size(); i += k_bulk_batch) {
    const auto end = std::min(selection.jobs.size(), i + k_bulk_batch);
    std::vector<client::Command> batch;
    if (is_list) {
      for (std::size_t k = i; k < end; ++k) batch.push_back(keyed({"LREM", key, "1", selection.jobs[k].raw}));
    } else {
      std::vector<std::string> zrem{"ZREM", key};
      for (std::size_t k = i; k < end; ++k) zrem.push_back(selection.jobs[k].raw);
      auto c = client::cmd(std::move(zrem));
      c.key_index = 1;
      batch.push_back(std::move(c));
    }
    auto r = send_batch(target, std::move(batch), end - i, out);
    if (!r) return out;
    std::int64_t removed = 0;
    for (const auto& v : *r) removed += reply_count(v, is_list ? "LREM" : "ZREM");
    out.done += removed;
    out.gone += static_cast<std::int64_t>(end - i) - removed;
  }
  return out;
}

}  // namespace rctl::job::sidekiq
