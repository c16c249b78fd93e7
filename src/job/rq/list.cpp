#include "job/rq/list.hpp"

#include "job/rq/record.hpp"
#include "job/replies.hpp"
#include "job/rq/result.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace rctl::job::rq {

namespace {

using client::keyed;

const std::vector<std::string> k_row_fields = {"status",      "origin",   "description", "created_at",
                                               "enqueued_at", "ended_at", "data"};

std::string source_key(const JobSource& s) {
  return s.registry ? registry_key(*s.registry, s.queue) : queue_key(s.queue);
}

client::Command read_row(const std::string& id) {
  std::vector<std::string> args{"HMGET", job_key(id)};
  args.insert(args.end(), k_row_fields.begin(), k_row_fields.end());
  return client::cmd(std::move(args)).key(1);
}

void fill_row(JobRow& row, const resp::Value& reply) {
  auto v = hmget_reply(reply, "HMGET");
  v.resize(k_row_fields.size());
  row.exists = std::any_of(v.begin(), v.end(), [](const std::string& s) { return !s.empty(); });
  row.status = v[0];
  row.origin = v[1];
  row.description = v[2];
  row.created_at = v[3];
  row.enqueued_at = v[4];
  row.ended_at = v[5];
  if (!v[6].empty()) {
    auto call = decode_job_data(v[6]);
    row.func = call.problem.empty() ? call.func_name : "?";
  }
}

// The registries whose entries expire (score = expiry time); RQ's cleanup drops those
// scored 0..now. Scheduled scores are run times and deferred/canceled ones never expire.
bool expiring(Registry r) { return r == Registry::started || r == Registry::finished || r == Registry::failed; }

std::int64_t integer_of(const resp::Value& v, std::string_view what) {
  throw_if_error(v, what);
  return v.integer;
}

}  // namespace

// Keys without RQ's prefix are skipped, as Queue.all() would refuse them.
std::vector<std::string> queue_names(cluster::Client& target) {
  auto members = reply_or_throw(target.exec(keyed({"SMEMBERS", k_rq_queues_key})), "SMEMBERS");
  std::vector<std::string> names;
  for (const auto& m : members.elements)
    if (util::starts_with(m.str, k_rq_queue_prefix) && m.str.size() > k_rq_queue_prefix.size())
      names.push_back(m.str.substr(k_rq_queue_prefix.size()));
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> state_names() {
  std::vector<std::string> out{"queued"};
  for (auto r : k_registries) out.emplace_back(to_string(r));
  return out;
}

JobListing list_jobs(cluster::Client& target, const JobListOptions& options) {
  JobListing out;
  out.state = options.state;
  out.offset = options.offset;
  out.limit = options.limit;
  out.queues = options.queue ? std::vector<std::string>{*options.queue} : queue_names(target);
  std::vector<JobSource> sources;
  for (const auto& q : out.queues) {
    if (!options.state || *options.state == "queued") sources.push_back({q, std::nullopt});
    for (auto r : k_registries)
      if (!options.state || *options.state == to_string(r)) sources.push_back({q, r});
  }
  std::vector<client::Command> counts;
  for (const auto& s : sources) counts.push_back(keyed({s.registry ? "ZCARD" : "LLEN", source_key(s)}));
  auto sizes = value_or_throw(target.exec_all(std::move(counts)));

  // The page, over the concatenation of every source.
  std::vector<client::Command> ranges;
  std::vector<const JobSource*> range_source;
  std::int64_t skip = static_cast<std::int64_t>(options.offset);
  std::int64_t want = static_cast<std::int64_t>(options.limit);
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::int64_t n = integer_of(sizes[i], "LLEN/ZCARD");
    out.total += n;
    if (want <= 0) continue;
    if (skip >= n) {
      skip -= n;
      continue;
    }
    const std::int64_t take = std::min(want, n - skip);
    ranges.push_back(keyed({sources[i].registry ? "ZRANGE" : "LRANGE", source_key(sources[i]), std::to_string(skip),
                            std::to_string(skip + take - 1)}));
    range_source.push_back(&sources[i]);
    want -= take;
    skip = 0;
  }
  auto pages = value_or_throw(target.exec_all(std::move(ranges)));
  for (std::size_t i = 0; i < pages.size(); ++i) {
    throw_if_error(pages[i], "LRANGE/ZRANGE");
    for (const auto& member : pages[i].elements) {
      JobRow row;
      row.source = *range_source[i];
      row.id = member.str;
      // RQ 2.x started-registry members are "<id>:<execution id>"; 2.x ids have no ':'.
      if (row.source.registry == Registry::started) {
        auto colon = row.id.find(':');
        if (colon != std::string::npos && valid_job_id(row.id.substr(0, colon))) {
          row.execution_id = row.id.substr(colon + 1);
          row.id.resize(colon);
        }
      }
      out.jobs.push_back(std::move(row));
    }
  }
  std::vector<client::Command> details;
  for (const auto& row : out.jobs) details.push_back(read_row(row.id));
  auto replies = value_or_throw(target.exec_all(std::move(details)));
  std::vector<std::size_t> retry;
  for (std::size_t i = 0; i < out.jobs.size(); ++i) {
    fill_row(out.jobs[i], replies[i]);
    if (!out.jobs[i].exists && !out.jobs[i].execution_id.empty()) retry.push_back(i);
  }
  // An RQ 1.x id that itself contains ':' was split by mistake above: read it whole.
  std::vector<client::Command> whole;
  for (auto i : retry) whole.push_back(read_row(out.jobs[i].id + ":" + out.jobs[i].execution_id));
  auto again = value_or_throw(target.exec_all(std::move(whole)));
  for (std::size_t k = 0; k < retry.size(); ++k) {
    JobRow candidate = out.jobs[retry[k]];
    candidate.id += ":" + candidate.execution_id;
    candidate.execution_id.clear();
    fill_row(candidate, again[k]);
    if (candidate.exists) out.jobs[retry[k]] = std::move(candidate);
  }
  return out;
}

std::int64_t QueuesReport::total_queued() const {
  std::int64_t n = 0;
  for (const auto& q : queues) n += q.queued;
  return n;
}

QueuesReport read_queues(cluster::Client& target, const std::vector<std::string>& only, SystemTime now) {
  QueuesReport out;
  const auto names = only.empty() ? queue_names(target) : only;
  const std::string now_s = std::to_string(unix_seconds(now));
  // Per queue: LLEN, SMEMBERS, then per registry ZCARD and ZCOUNT 0..now (the entries RQ's
  // cleanup would drop; only the started, finished and failed registries expire, the
  // others get ZCOUNT over an empty range so that every queue takes the same slots).
  constexpr std::size_t per_queue = 2 + 2 * k_registries.size();
  std::vector<client::Command> batch;
  for (const auto& q : names) {
    batch.push_back(keyed({"LLEN", queue_key(q)}));
    batch.push_back(keyed({"SMEMBERS", queue_workers_key(q)}));
    for (auto r : k_registries) {
      batch.push_back(keyed({"ZCARD", registry_key(r, q)}));
      // RQ's cleanup drops entries scored 0..now from these (expired results, lost jobs).
      batch.push_back(keyed({"ZCOUNT", registry_key(r, q), "0", expiring(r) ? now_s : "-1"}));
    }
  }
  if (only.empty()) batch.push_back(keyed({"SMEMBERS", k_rq_workers_key}));
  auto replies = value_or_throw(target.exec_all(std::move(batch)));
  std::set<std::string> worker_keys;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto* r = &replies[i * per_queue];
    QueueSummary q;
    q.name = names[i];
    q.queued = integer_of(r[0], "LLEN");
    throw_if_error(r[1], "SMEMBERS");
    for (const auto& m : r[1].elements) {
      q.workers.push_back(m.str.substr(std::min(m.str.size(), k_rq_worker_prefix.size())));
      if (!only.empty()) worker_keys.insert(m.str);
    }
    for (std::size_t k = 0; k < k_registries.size(); ++k) {
      const std::int64_t total = integer_of(r[2 + 2 * k], "ZCARD");
      q.expired[k] = integer_of(r[3 + 2 * k], "ZCOUNT");
      q.registries[k] = total - q.expired[k];
    }
    out.queues.push_back(std::move(q));
  }
  if (only.empty()) {
    throw_if_error(replies.back(), "SMEMBERS");
    for (const auto& m : replies.back().elements) worker_keys.insert(m.str);
  }

  const std::vector<std::string> fields = {"queues",
                                           "state",
                                           "current_job",
                                           "last_heartbeat",
                                           "birth",
                                           "successful_job_count",
                                           "failed_job_count",
                                           "total_working_time",
                                           "hostname",
                                           "ip_address",
                                           "pid",
                                           "version",
                                           "python_version"};
  std::vector<client::Command> reads;
  for (const auto& key : worker_keys) {
    reads.push_back(keyed({"EXISTS", key}));
    reads.push_back(keyed({"PTTL", key}));
    std::vector<std::string> args{"HMGET", key};
    args.insert(args.end(), fields.begin(), fields.end());
    reads.push_back(client::cmd(std::move(args)).key(1));
  }
  auto wr = value_or_throw(target.exec_all(std::move(reads)));
  std::set<std::string> live;
  std::size_t i = 0;
  for (const auto& key : worker_keys) {
    const auto* r = &wr[3 * i++];
    if (integer_of(r[0], "EXISTS") == 0) {
      ++out.stale_workers;
      continue;
    }
    auto v = hmget_reply(r[2], "HMGET");
    v.resize(fields.size());
    WorkerSummary w;
    w.name = key.substr(std::min(key.size(), k_rq_worker_prefix.size()));
    live.insert(w.name);
    if (r[1].type == resp::Type::integer && r[1].integer >= 0) w.ttl_ms = r[1].integer;
    for (auto q : util::split(v[0], ','))
      if (!q.empty()) w.queues.emplace_back(q);
    w.state = v[1].empty() ? "?" : v[1];
    w.current_job = v[2];
    w.last_heartbeat = v[3];
    w.birth = v[4];
    w.successful_jobs = util::parse_int(v[5]).value_or(0);
    w.failed_jobs = util::parse_int(v[6]).value_or(0);
    w.total_working_time_s = util::parse_double(v[7]).value_or(0);
    w.hostname = v[8];
    w.ip_address = v[9];
    w.pid = v[10];
    w.version = v[11];
    w.python_version = v[12];
    if (auto hb = parse_rq_timestamp(w.last_heartbeat))
      w.heartbeat_age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - *hb).count();
    out.workers.push_back(std::move(w));
  }
  // A queue lists only workers that are alive, as `rq info -R` does after its cleanup.
  for (auto& q : out.queues) {
    std::erase_if(q.workers, [&](const std::string& name) { return !live.contains(name); });
    std::sort(q.workers.begin(), q.workers.end());
  }
  return out;
}

}  // namespace rctl::job::rq
