#include "job/sidekiq/read.hpp"

#include "decode/json_reader.hpp"
#include "job/replies.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <charconv>
#include <set>

namespace rctl::job::sidekiq {

namespace {

using client::keyed;

std::int64_t sk_int(const resp::Value& v, std::string_view what) {
  throw_if_error(v, what);
  if (v.type == resp::Type::integer) return v.integer;
  std::int64_t n = 0;
  if (v.is_string()) std::from_chars(v.str.data(), v.str.data() + v.str.size(), n);
  return n;
}

std::optional<double> sk_double(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double d = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc()) return std::nullopt;
  return d;
}

std::optional<double> score_of(const resp::Value& v) {
  if (v.type == resp::Type::double_number) return v.number;
  return sk_double(v.str);
}

// (member, score) pairs of a ZRANGE ... WITHSCORES or ZSCAN reply: flat under RESP2, pairs
// under RESP3.
std::vector<std::pair<std::string, std::optional<double>>> scored_members(const resp::Value& v) {
  std::vector<std::pair<std::string, std::optional<double>>> out;
  if (!v.elements.empty() && v.elements[0].is_list()) {
    for (const auto& p : v.elements)
      if (p.elements.size() == 2) out.emplace_back(p.elements[0].str, score_of(p.elements[1]));
    return out;
  }
  for (std::size_t i = 0; i + 1 < v.elements.size(); i += 2)
    out.emplace_back(v.elements[i].str, score_of(v.elements[i + 1]));
  return out;
}

std::vector<std::string> sorted_members(const resp::Value& v, std::string_view what) {
  throw_if_error(v, what);
  std::vector<std::string> out;
  for (const auto& e : v.elements) out.push_back(e.str);
  std::sort(out.begin(), out.end());
  return out;
}

// The workers hash's queue is the queue name (processor.rb: work.queue_name); older
// versions stored "queue:<name>".
std::string bare_queue(std::string q) {
  if (q.starts_with(k_queue_prefix)) q.erase(0, k_queue_prefix.size());
  return q;
}

void add_running(std::vector<RunningJob>& out, const std::string& identity, const resp::Value& workers) {
  for (auto& [tid, value] : pairs_of(workers)) {
    RunningJob r;
    r.identity = identity;
    r.tid = tid;
    auto parsed = decode::read_json(value);
    if (parsed && parsed->is_object()) {
      r.queue = bare_queue(parsed->value("queue", std::string()));
      if (auto it = parsed->find("run_at"); it != parsed->end() && it->is_number()) r.run_at = it->get<std::int64_t>();
      // 6.4 stores the payload as the job's JSON text; later versions as an object.
      if (auto it = parsed->find("payload"); it != parsed->end())
        r.job = decode_job(it->is_string() ? it->get<std::string>() : it->dump());
    } else {
      r.job.problem = "the workers entry is not a JSON object";
    }
    if (r.queue.empty()) r.queue = r.job.queue;
    out.push_back(std::move(r));
  }
}

ProcessInfo process_from(const std::string& identity, const std::vector<std::string>& fields, double now_s) {
  // HMGET info busy beat quiet
  ProcessInfo p;
  p.identity = identity;
  p.alive = !fields[0].empty() || !fields[2].empty();
  if (auto info = decode::read_json(fields[0]); info && info->is_object()) {
    p.hostname = info->value("hostname", std::string());
    p.tag = info->value("tag", std::string());
    if (auto it = info->find("concurrency"); it != info->end() && it->is_number_integer())
      p.concurrency = it->get<std::int64_t>();
    if (auto it = info->find("pid"); it != info->end() && it->is_number_integer()) p.pid = it->get<std::int64_t>();
    if (auto it = info->find("queues"); it != info->end() && it->is_array())
      for (const auto& q : *it)
        if (q.is_string()) p.queues.push_back(q.get<std::string>());
  }
  if (!fields[1].empty()) {
    std::int64_t n = 0;
    std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), n);
    p.busy = n;
  }
  p.beat = sk_double(fields[2]);
  p.quiet = fields[3] == "true";
  p.stale = !p.beat || now_s - *p.beat > k_stale_heartbeat_s;
  return p;
}

std::string glob_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// Page through one sorted set (ascending or, for dead, most recent first) and keep the
// members of `queue` ("" = all) until `limit` are found or the search bound is reached.
void page_set(cluster::Client& target, std::string_view key, bool newest_first, const std::string& queue,
              std::size_t limit, Listing& out) {
  std::size_t start = 0;
  while (out.jobs.size() < limit && start < k_max_search_elements) {
    const auto stop = start + k_search_page - 1;
    auto page = reply_or_throw(target.exec(keyed({newest_first ? "ZREVRANGE" : "ZRANGE", key, std::to_string(start),
                                                  std::to_string(stop), "WITHSCORES"})),
                               "ZRANGE");
    auto members = scored_members(page);
    for (auto& [member, score] : members) {
      ++out.scanned;
      auto job = decode_job(member);
      if (!queue.empty() && job.queue != queue) continue;
      ListedJob l;
      l.job = std::move(job);
      l.score = score;
      out.jobs.push_back(std::move(l));
      if (out.jobs.size() >= limit) break;
    }
    if (members.size() < k_search_page) return;
    start += k_search_page;
  }
  if (out.jobs.size() < limit && static_cast<std::int64_t>(out.scanned) < out.total) out.scan_limit_hit = true;
}

}  // namespace

bool sidekiq_present(cluster::Client& target) {
  auto r = value_or_throw(target.exec_all(
      {keyed({"TYPE", std::string(k_queues_key)}), keyed({"TYPE", std::string(k_processes_key)}),
       keyed({"ZRANGE", std::string(k_schedule_key), "0", "0"}), keyed({"ZRANGE", std::string(k_retry_key), "0", "0"}),
       keyed({"ZRANGE", std::string(k_dead_key), "0", "0"})}));
  if (r[0].str == "set" || r[1].str == "set") return true;
  for (std::size_t i = 2; i < r.size(); ++i) {
    if (r[i].is_error() || r[i].elements.empty()) continue;  // another application's key of that name
    auto job = decode_job(r[i].elements[0].str);
    if (job.valid && !job.jid.empty() && !job.klass.empty()) return true;
  }
  return false;
}

std::vector<RunningJob> read_running(cluster::Client& target) {
  auto ids = sorted_members(reply_or_throw(target.exec(keyed({"SMEMBERS", std::string(k_processes_key)})), "SMEMBERS"),
                            "SMEMBERS");
  std::vector<RunningJob> out;
  if (ids.empty()) return out;
  std::vector<client::Command> reads;
  for (const auto& id : ids) reads.push_back(keyed({"HGETALL", id + ":workers"}));
  auto r = value_or_throw(target.exec_all(std::move(reads)));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    throw_if_error(r[i], "HGETALL");
    add_running(out, ids[i], r[i]);
  }
  return out;
}

Heartbeats read_heartbeats(cluster::Client& target, double now_s) {
  auto ids = sorted_members(reply_or_throw(target.exec(keyed({"SMEMBERS", std::string(k_processes_key)})), "SMEMBERS"),
                            "SMEMBERS");
  Heartbeats h;
  if (ids.empty()) return h;
  std::vector<client::Command> reads;
  for (const auto& id : ids) reads.push_back(keyed({"HGET", id, "beat"}));
  auto r = value_or_throw(target.exec_all(std::move(reads)));
  for (const auto& v : r) {
    throw_if_error(v, "HGET");
    auto beat = v.is_string() ? sk_double(v.str) : std::nullopt;
    // Sidekiq's own hash expires 60 s after the last beat: an older one is not Sidekiq's
    // live state (a hash someone copied, a clock far off) and would hold every wait back.
    if (!beat || now_s - *beat > k_stale_heartbeat_s) continue;
    ++h.alive;
    if (!h.oldest || *beat < *h.oldest) h.oldest = beat;
  }
  return h;
}

Overview read_overview(cluster::Client& target, const std::vector<std::string>& only, double now_s) {
  const auto bound = std::to_string(k_max_set_members_counted - 1);
  auto r = value_or_throw(target.exec_all(
      {keyed({"SMEMBERS", std::string(k_queues_key)}), keyed({"SMEMBERS", std::string(k_processes_key)}),
       keyed({"ZCARD", std::string(k_schedule_key)}), keyed({"ZCARD", std::string(k_retry_key)}),
       keyed({"ZCARD", std::string(k_dead_key)}), keyed({"GET", "stat:processed"}), keyed({"GET", "stat:failed"}),
       keyed({"ZRANGE", std::string(k_schedule_key), "0", bound}),
       keyed({"ZRANGE", std::string(k_retry_key), "0", bound}),
       keyed({"ZRANGE", std::string(k_dead_key), "0", bound})}));
  Overview o;
  std::vector<std::string> names = only.empty() ? sorted_members(r[0], "SMEMBERS queues") : only;
  const auto ids = sorted_members(r[1], "SMEMBERS processes");
  o.scheduled_total = sk_int(r[2], "ZCARD");
  o.retry_total = sk_int(r[3], "ZCARD");
  o.dead_total = sk_int(r[4], "ZCARD");
  throw_if_error(r[5], "GET");
  throw_if_error(r[6], "GET");
  if (r[5].is_string()) o.processed = sk_int(r[5], "GET");
  if (r[6].is_string()) o.failed = sk_int(r[6], "GET");
  // Per queue counts of the sets: each member names its queue.
  std::map<std::string, std::array<std::int64_t, 3>> per_queue;
  for (int s = 0; s < 3; ++s) {
    throw_if_error(r[7 + s], "ZRANGE");
    for (const auto& m : r[7 + s].elements) ++per_queue[decode_job(m.str).queue][s];
    if (sk_int(r[2 + s], "ZCARD") > static_cast<std::int64_t>(r[7 + s].elements.size()))
      o.per_queue_counts_complete = false;
  }

  std::vector<client::Command> reads;
  for (const auto& n : names) {
    reads.push_back(keyed({"LLEN", queue_key(n)}));
    reads.push_back(keyed({"LINDEX", queue_key(n), "-1"}));  // LPUSH in, BRPOP out: next is last
  }
  for (const auto& id : ids) {
    reads.push_back(keyed({"HMGET", id, "info", "busy", "beat", "quiet"}));
    reads.push_back(keyed({"HGETALL", id + ":workers"}));
  }
  std::vector<resp::Value> r2;
  if (!reads.empty()) r2 = value_or_throw(target.exec_all(std::move(reads)));
  std::size_t i = 0;
  for (const auto& n : names) {
    QueueStat q;
    q.name = n;
    q.depth = sk_int(r2[i++], "LLEN");
    const auto& next = r2[i++];
    throw_if_error(next, "LINDEX");
    if (next.is_string()) q.next = decode_job(next.str);
    if (auto it = per_queue.find(n); it != per_queue.end()) {
      q.scheduled = it->second[0];
      q.retry = it->second[1];
      q.dead = it->second[2];
    }
    o.queues.push_back(std::move(q));
  }
  for (const auto& id : ids) {
    o.processes.push_back(process_from(id, hmget_reply(r2[i++], "HMGET"), now_s));
    throw_if_error(r2[i], "HGETALL");
    add_running(o.running, id, r2[i++]);
  }
  for (auto& q : o.queues)
    q.in_progress =
        std::count_if(o.running.begin(), o.running.end(), [&](const RunningJob& j) { return j.queue == q.name; });
  return o;
}

std::optional<ListState> parse_list_state(std::string_view name) {
  for (auto s : {ListState::waiting, ListState::active, ListState::scheduled, ListState::retry, ListState::dead})
    if (list_state_name(s) == name) return s;
  return std::nullopt;
}

std::string_view list_state_name(ListState state) {
  switch (state) {
    case ListState::waiting: return "waiting";
    case ListState::active: return "active";
    case ListState::scheduled: return "scheduled";
    case ListState::retry: return "retry";
    case ListState::dead: return "dead";
  }
  return "";
}

std::string_view set_key(ListState state) {
  if (state == ListState::scheduled) return k_schedule_key;
  if (state == ListState::retry) return k_retry_key;
  return k_dead_key;
}

Listing list_jobs(cluster::Client& target, const std::string& queue, ListState state, std::size_t limit) {
  Listing out;
  out.queue = queue;
  out.state = state;
  if (state == ListState::waiting) {
    const auto key = queue_key(queue);
    auto r = value_or_throw(target.exec_all(
        {keyed({"LLEN", key}), keyed({"LRANGE", key, std::to_string(-static_cast<long long>(limit)), "-1"})}));
    out.total = sk_int(r[0], "LLEN");
    throw_if_error(r[1], "LRANGE");
    std::int64_t pos = 0;
    for (auto it = r[1].elements.rbegin(); it != r[1].elements.rend(); ++it) {
      ListedJob l;
      l.job = decode_job(it->str);
      l.position = pos++;
      out.jobs.push_back(std::move(l));
    }
    return out;
  }
  if (state == ListState::active) {
    for (auto& run : read_running(target)) {
      if (!queue.empty() && run.queue != queue) continue;
      ++out.total;
      if (out.jobs.size() >= limit) continue;
      ListedJob l;
      l.job = std::move(run.job);
      l.identity = run.identity;
      l.run_at = run.run_at;
      out.jobs.push_back(std::move(l));
    }
    return out;
  }
  const auto key = std::string(set_key(state));
  out.total = sk_int(reply_or_throw(target.exec(keyed({"ZCARD", key})), "ZCARD"), "ZCARD");
  page_set(target, key, state == ListState::dead, queue, limit, out);
  return out;
}

Location locate_job(cluster::Client& target, const std::string& jid) {
  Location loc;
  for (auto& run : read_running(target)) {
    if (run.job.jid != jid) continue;
    loc.where = "running";
    loc.queue = run.queue;
    loc.found.job = std::move(run.job);
    loc.found.identity = run.identity;
    loc.found.run_at = run.run_at;
    return loc;
  }
  auto names = sorted_members(reply_or_throw(target.exec(keyed({"SMEMBERS", std::string(k_queues_key)})), "SMEMBERS"),
                              "SMEMBERS");
  for (const auto& n : names) {
    const auto key = queue_key(n);
    // From the right end (next to run) leftwards, a page at a time.
    for (std::size_t start = 0; start < k_max_search_elements; start += k_search_page) {
      const auto from = -static_cast<long long>(start + k_search_page), to = -static_cast<long long>(start) - 1;
      auto page =
          reply_or_throw(target.exec(keyed({"LRANGE", key, std::to_string(from), std::to_string(to)})), "LRANGE");
      const auto& e = page.elements;
      for (std::size_t k = 0; k < e.size(); ++k) {
        const auto& raw = e[e.size() - 1 - k].str;
        if (raw.find(jid) == std::string::npos) continue;
        auto job = decode_job(raw);
        if (job.jid != jid) continue;
        loc.where = "waiting";
        loc.queue = n;
        loc.found.job = std::move(job);
        loc.found.position = static_cast<std::int64_t>(start + k);
        return loc;
      }
      if (e.size() < k_search_page) break;
      if (start + k_search_page >= k_max_search_elements) loc.incomplete.push_back(key);
    }
  }
  const std::pair<std::string_view, std::string_view> sets[] = {
      {k_schedule_key, "scheduled"}, {k_retry_key, "retry"}, {k_dead_key, "dead"}};
  const auto pattern = "*" + glob_escape(jid) + "*";
  for (const auto& [key, where] : sets) {
    std::string cursor = "0";
    std::size_t rounds = 0;
    do {
      if (++rounds > k_max_search_elements / k_search_page) {
        loc.incomplete.push_back(std::string(key));
        break;
      }
      auto page = reply_or_throw(
          target.exec(keyed({"ZSCAN", key, cursor, "MATCH", pattern, "COUNT", std::to_string(k_search_page)})),
          "ZSCAN");
      if (page.elements.size() != 2) break;
      cursor = page.elements[0].str;
      for (auto& [member, score] : scored_members(page.elements[1])) {
        auto job = decode_job(member);
        if (job.jid != jid) continue;
        loc.where = std::string(where);
        loc.queue = job.queue;
        loc.found.job = std::move(job);
        loc.found.score = score;
        return loc;
      }
    } while (cursor != "0");
  }
  return loc;
}

}  // namespace rctl::job::sidekiq
