#include "job/rq/enqueue.hpp"

#include "decode/bytes.hpp"
#include "job/rq/keys.hpp"
#include "job/replies.hpp"
#include "job/rq/write.hpp"

#include <fmt/format.h>

namespace rctl::job::rq {

namespace {

using client::keyed;

}  // namespace

EnqueueOutcome enqueue_job(cluster::Client& target, const EnqueueRequest& request, SystemTime now) {
  EnqueueOutcome out;
  out.job = value_or_throw(build_job_record(request, now, new_job_id()));
  out.func = request.func;
  out.serializer = to_string(request.serializer);
  require_standalone(target, "job enqueue");
  const auto& job = out.job;
  const std::string jkey = job_key(job.id);
  const std::string qkey = queue_key(job.queue);
  const std::string skey = registry_key(Registry::scheduled, job.queue);
  // Every key the transaction writes is watched and type-checked first: a command failing
  // inside EXEC would leave a half-written job behind (Redis does not roll back).
  std::vector<std::string> watch{jkey, std::string(k_rq_queues_key), job.scheduled ? skey : qkey};
  std::vector<client::Command> reads{keyed({"TYPE", jkey}), keyed({"HGET", jkey, "status"}),
                                     keyed({"TYPE", k_rq_queues_key}), keyed({"TYPE", job.scheduled ? skey : qkey})};
  auto replies = watched_transaction(
      target, watch, reads,
      [&](const std::vector<resp::Value>& r) {
        throw_if_error(r[0], "TYPE");
        if (r[0].str != "none")
          throw Failure(ErrorKind::usage,
                        fmt::format("job '{}' already exists (status {}); nothing was written", job.id,
                                    r[1].is_string() && !r[1].str.empty() ? r[1].str : "unknown"),
                        "choose another --job-id, or leave --job-id out for a new uuid");
        require_type(r[2], k_rq_queues_key, "set");
        require_type(r[3], job.scheduled ? skey : qkey, job.scheduled ? "zset" : "list");
        auto commands = enqueue_commands(job);
        return std::vector<client::Command>(commands.begin() + 1, commands.end() - 1);  // without MULTI/EXEC
      },
      fmt::format("the enqueue of job {}", job.id));
  if (!job.scheduled && !replies.empty() && replies.back().type == resp::Type::integer)
    out.queue_length = replies.back().integer;
  return out;
}

}  // namespace rctl::job::rq
