#include "job/bullmq/queue.hpp"

#include "decode/json_reader.hpp"
#include "job/replies.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace rctl::job::bullmq {

namespace {

using client::keyed;

std::optional<std::int64_t> bullmq_int_field(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

// A JSON field as BullMQ stores it (JSON.stringify); the text itself when it does not parse.
Json bullmq_json_field(const std::string& text) {
  auto parsed = decode::read_json(text);
  if (parsed) return *parsed;
  return Json(text);
}

// SCAN pages for "P:*:meta" until `max_keys` were examined or `stop` says enough. On a
// cluster the pattern routes the SCAN: a hash-tagged prefix's keys all live on the node of
// its slot (BullMQ requires such a prefix there).
template <class Stop>
std::size_t scan_meta_keys(cluster::Client& target, const std::string& prefix, std::size_t max_keys, bool& complete,
                           Stop&& stop) {
  const std::string pattern = prefix + ":*:meta";
  std::string cursor = "0";
  std::size_t examined = 0;
  complete = false;
  do {
    auto c = client::cmd({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (target.is_cluster()) c.key(3);
    auto page = reply_or_throw(target.exec(std::move(c)), "SCAN");
    if (page.elements.size() != 2) throw Failure(ErrorKind::protocol, "SCAN: unexpected reply");
    cursor = page.elements[0].str;
    examined += 1000;
    for (const auto& k : page.elements[1].elements)
      if (stop(k.str)) return examined;
    if (cursor == "0") {
      complete = true;
      return examined;
    }
  } while (examined < max_keys);
  return examined;
}

}  // namespace

std::string prefix_or_default(const std::string& prefix) {
  return prefix.empty() ? std::string(k_default_prefix) : prefix;
}

const std::vector<std::string>& state_names() {
  static const std::vector<std::string> names{"waiting",   "active", "delayed",         "prioritized",
                                              "completed", "failed", "waiting-children"};
  return names;
}

bool is_state(std::string_view state) {
  const auto& n = state_names();
  return std::find(n.begin(), n.end(), state) != n.end();
}

bool detected(cluster::Client& target, const std::string& prefix) {
  bool complete = false;
  bool found = false;
  scan_meta_keys(target, prefix_or_default(prefix), k_detection_max_keys, complete, [&](const std::string&) {
    found = true;
    return true;
  });
  return found;
}

Discovery discover_queues(cluster::Client& target, const std::string& prefix) {
  const auto p = prefix_or_default(prefix);
  std::set<std::string> names;
  Discovery d;
  bool complete = false;
  const std::size_t skip = p.size() + 1;
  d.keys_examined = scan_meta_keys(target, p, k_discovery_max_keys, complete, [&](const std::string& key) {
    // "P:Q:meta"; a queue name may itself hold ':'.
    if (key.size() > skip + 5) names.insert(key.substr(skip, key.size() - skip - 5));
    return names.size() >= k_discovery_max_queues;
  });
  d.complete = complete;
  d.names.assign(names.begin(), names.end());
  return d;
}

JobRecord decode_job(const std::string& id, const std::vector<std::pair<std::string, std::string>>& fields) {
  JobRecord j;
  j.id = id;
  j.exists = !fields.empty();
  for (const auto& [k, v] : fields) {
    if (k == "name") j.name = v;
    else if (k == "data") j.data = bullmq_json_field(v);
    else if (k == "opts") j.opts = bullmq_json_field(v);
    else if (k == "timestamp") j.timestamp = bullmq_int_field(v);
    else if (k == "delay") j.delay = bullmq_int_field(v);
    else if (k == "priority") j.priority = bullmq_int_field(v);
    else if (k == "processedOn") j.processed_on = bullmq_int_field(v);
    else if (k == "finishedOn") j.finished_on = bullmq_int_field(v);
    else if (k == "atm" || k == "attemptsMade") j.attempts_made = bullmq_int_field(v).value_or(0);
    else if (k == "ats") j.attempts_started = bullmq_int_field(v).value_or(0);
    else if (k == "failedReason") j.failed_reason = v;
    else if (k == "stacktrace") j.stacktrace = bullmq_json_field(v);
    else if (k == "returnvalue") j.returnvalue = bullmq_json_field(v);
    else if (k == "progress") j.progress = bullmq_json_field(v);
    else if (k == "pb") j.processed_by = v;
    else if (k == "parentKey") j.parent_key = v;
  }
  return j;
}

JobView read_job(cluster::Client& target, const QueueRef& queue, const std::string& id) {
  auto r = value_or_throw(target.exec_all({
      keyed({"HGETALL", queue.job_key(id)}),
      keyed({"ZSCORE", queue.key("completed"), id}),
      keyed({"ZSCORE", queue.key("failed"), id}),
      keyed({"ZSCORE", queue.key("delayed"), id}),
      keyed({"ZSCORE", queue.key("prioritized"), id}),
      keyed({"ZSCORE", queue.key("waiting-children"), id}),
      keyed({"LPOS", queue.key("active"), id}),
      keyed({"LPOS", queue.key("wait"), id}),
      keyed({"LPOS", queue.key("paused"), id}),
      keyed({"LLEN", queue.job_key(id) + ":logs"}),
  }));
  throw_if_error(r[0], "HGETALL");
  JobView v;
  v.job = decode_job(id, pairs_of(r[0]));
  static const char* states[] = {"completed",        "failed", "delayed", "prioritized",
                                 "waiting-children", "active", "waiting", "waiting"};
  v.state = "unknown";
  for (std::size_t i = 0; i < 8; ++i) {
    const auto& x = r[i + 1];
    throw_if_error(x, i < 5 ? "ZSCORE" : "LPOS (Redis 6.0.6 or later)");
    if (!x.is_null()) {
      v.state = states[i];
      break;
    }
  }
  if (r[9].type == resp::Type::integer) v.logs = r[9].integer;
  return v;
}

}  // namespace rctl::job::bullmq
