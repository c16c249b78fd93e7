#include "job/bullmq/read.hpp"

#include "decode/bytes.hpp"
#include "job/replies.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rctl::job::bullmq {

namespace {

using client::keyed;

std::int64_t count_reply(const resp::Value& v, std::string_view what) {
  throw_if_error(v, what);
  return v.type == resp::Type::integer ? v.integer : 0;
}

// The key and reading command of a state: lists are read from the end a worker takes next.
struct StateSource {
  std::string type;
  bool list = false;
  bool newest_first = false;  // completed/failed: finishedOn scores, newest is the question
};

std::vector<StateSource> sources_of(const std::string& state) {
  if (state == "waiting") return {{"wait", true, false}, {"paused", true, false}};
  if (state == "active") return {{"active", true, false}};
  if (state == "completed" || state == "failed") return {{state, false, true}};
  return {{state, false, false}};
}

}  // namespace

std::map<std::string, std::int64_t> count_workers(std::string_view client_list, const std::string& prefix,
                                                  const std::vector<std::string>& names) {
  std::map<std::string, std::string> by_client_name;
  for (const auto& n : names) by_client_name[prefix + ":" + decode::base64_encode(n)] = n;
  std::map<std::string, std::int64_t> counts;
  for (const auto& n : names) counts[n] = 0;
  std::size_t pos = 0;
  while (pos < client_list.size()) {
    auto end = client_list.find('\n', pos);
    if (end == std::string_view::npos) end = client_list.size();
    auto line = client_list.substr(pos, end - pos);
    pos = end + 1;
    auto at = line.find(" name=");
    if (at == std::string_view::npos) continue;
    auto name = line.substr(at + 6);
    name = name.substr(0, name.find(' '));
    if (name.empty()) continue;
    // "P:<b64>" or "P:<b64>:w:<worker name>"; base64 has no ':'.
    auto w = name.find(":w:", prefix.size() + 1);
    auto base = std::string(w == std::string_view::npos ? name : name.substr(0, w));
    if (auto it = by_client_name.find(base); it != by_client_name.end()) ++counts[it->second];
  }
  return counts;
}

QueuesReport read_queues(cluster::Client& target, const std::string& prefix, const std::vector<std::string>& only) {
  QueuesReport report;
  report.prefix = prefix_or_default(prefix);
  std::vector<std::string> names = only;
  if (names.empty()) {
    report.discovery = discover_queues(target, report.prefix);
    names = report.discovery.names;
  }
  std::vector<client::Command> reads;
  for (const auto& n : names) {
    QueueRef q{report.prefix, n};
    for (const char* t : {"wait", "paused", "active"}) reads.push_back(keyed({"LLEN", q.key(t)}));
    for (const char* t : {"delayed", "prioritized", "waiting-children", "completed", "failed"})
      reads.push_back(keyed({"ZCARD", q.key(t)}));
    reads.push_back(keyed({"HEXISTS", q.key("meta"), "paused"}));
    reads.push_back(keyed({"LINDEX", q.key("wait"), "-1"}));
    reads.push_back(keyed({"LINDEX", q.key("paused"), "-1"}));
    reads.push_back(keyed({"ZRANGE", q.key("prioritized"), "0", "0"}));
  }
  std::vector<resp::Value> r;
  if (!reads.empty()) r = value_or_throw(target.exec_all(std::move(reads)));
  std::size_t i = 0;
  std::vector<client::Command> stamps;
  for (const auto& n : names) {
    QueueCounts c;
    c.name = n;
    c.waiting = count_reply(r[i++], "LLEN");
    c.paused = count_reply(r[i++], "LLEN");
    c.active = count_reply(r[i++], "LLEN");
    c.delayed = count_reply(r[i++], "ZCARD");
    c.prioritized = count_reply(r[i++], "ZCARD");
    c.waiting_children = count_reply(r[i++], "ZCARD");
    c.completed = count_reply(r[i++], "ZCARD");
    c.failed = count_reply(r[i++], "ZCARD");
    c.is_paused = count_reply(r[i++], "HEXISTS") > 0;
    const auto& wait_next = r[i++];
    const auto& paused_next = r[i++];
    const auto& prio_next = r[i++];
    throw_if_error(wait_next, "LINDEX");
    throw_if_error(paused_next, "LINDEX");
    throw_if_error(prio_next, "ZRANGE");
    // A legacy marker ("0:<delay>") at the end of the list is no job (getCounts.lua).
    auto is_marker = [](const resp::Value& v) { return v.is_string() && v.str.starts_with("0:"); };
    if (is_marker(wait_next)) c.waiting = std::max<std::int64_t>(0, c.waiting - 1);
    if (is_marker(paused_next)) c.paused = std::max<std::int64_t>(0, c.paused - 1);
    const auto& list_next = c.is_paused ? paused_next : wait_next;
    if (list_next.is_string() && !is_marker(list_next)) c.next_id = list_next.str;
    else if (!prio_next.elements.empty()) c.next_id = prio_next.elements[0].str;
    if (c.next_id) stamps.push_back(keyed({"HGET", QueueRef{report.prefix, n}.job_key(*c.next_id), "timestamp"}));
    report.queues.push_back(std::move(c));
  }
  if (!stamps.empty()) {
    auto s = value_or_throw(target.exec_all(std::move(stamps)));
    std::size_t k = 0;
    for (auto& c : report.queues) {
      if (!c.next_id) continue;
      const auto& v = s[k++];
      if (v.is_string()) {
        try {
          c.next_timestamp_ms = std::stoll(v.str);
        } catch (const std::exception&) {
        }
      }
    }
  }
  if (names.empty()) return report;
  if (target.is_cluster()) {
    report.workers_problem = "not counted on a cluster (CLIENT LIST is per node)";
    return report;
  }
  auto list = target.exec(client::cmd({"CLIENT", "LIST"}));
  if (!list) throw Failure(list.error());
  if (list->is_error() || !list->is_string()) {
    report.workers_problem = "CLIENT LIST refused: " + (list->is_error() ? list->str : std::string("no text reply"));
    return report;
  }
  auto counts = count_workers(list->str, report.prefix, names);
  for (auto& c : report.queues) c.workers = counts[c.name];
  return report;
}

IdPage state_ids(cluster::Client& target, const QueueRef& queue, const std::string& state, std::size_t limit) {
  const auto sources = sources_of(state);
  std::vector<client::Command> reads;
  const auto minus_n = std::to_string(-static_cast<long long>(limit));
  for (const auto& s : sources) {
    const auto key = queue.key(s.type);
    if (s.list) {
      reads.push_back(keyed({"LLEN", key}));
      // wait/paused: the next job is at the right end; active is LPUSHed too (newest left).
      reads.push_back(keyed({"LRANGE", key, minus_n, "-1"}));
    } else {
      reads.push_back(keyed({"ZCARD", key}));
      reads.push_back(s.newest_first ? keyed({"ZREVRANGE", key, "0", std::to_string(limit - 1)})
                                     : keyed({"ZRANGE", key, "0", std::to_string(limit - 1)}));
    }
  }
  auto r = value_or_throw(target.exec_all(std::move(reads)));
  IdPage page;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    page.total += count_reply(r[2 * i], sources[i].list ? "LLEN" : "ZCARD");
    const auto& ids = r[2 * i + 1];
    throw_if_error(ids, sources[i].list ? "LRANGE" : "ZRANGE");
    if (sources[i].list) {
      for (auto it = ids.elements.rbegin(); it != ids.elements.rend(); ++it)
        if (!it->str.starts_with("0:") && page.ids.size() < limit) page.ids.push_back(it->str);
    } else {
      for (const auto& e : ids.elements)
        if (page.ids.size() < limit) page.ids.push_back(e.str);
    }
  }
  return page;
}

std::vector<JobRecord> read_jobs(cluster::Client& target, const QueueRef& queue, const std::vector<std::string>& ids) {
  std::vector<JobRecord> jobs;
  if (ids.empty()) return jobs;
  std::vector<client::Command> reads;
  for (const auto& id : ids) reads.push_back(keyed({"HGETALL", queue.job_key(id)}));
  auto r = value_or_throw(target.exec_all(std::move(reads)));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    throw_if_error(r[i], "HGETALL");
    jobs.push_back(decode_job(ids[i], pairs_of(r[i])));
  }
  return jobs;
}

JobListing list_jobs(cluster::Client& target, const QueueRef& queue, const std::string& state, std::size_t limit) {
  JobListing l;
  l.queue = queue;
  l.state = state;
  auto page = state_ids(target, queue, state, limit);
  l.total = page.total;
  l.jobs = read_jobs(target, queue, page.ids);
  return l;
}

bool matches_filter(const JobRecord& job, const std::string& filter) {
  if (filter.empty()) return true;
  return job.name == filter || job.failed_reason.find(filter) != std::string::npos;
}

}  // namespace rctl::job::bullmq
