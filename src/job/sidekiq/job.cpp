#include "job/sidekiq/job.hpp"

#include "decode/json_reader.hpp"

#include <fmt/format.h>

#include <chrono>
#include <limits>
#include <random>

namespace rctl::job::sidekiq {

namespace {

std::optional<double> number_field(const Json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string text_field(const Json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string queue_key(std::string_view queue) { return std::string(k_queue_prefix) + std::string(queue); }

SidekiqJob decode_job(std::string_view raw) {
  SidekiqJob j;
  j.raw = std::string(raw);
  auto parsed = decode::read_json(raw);
  if (!parsed) {
    j.problem = parsed.error().message;
    return j;
  }
  if (!parsed->is_object()) {
    j.problem = "not a JSON object";
    return j;
  }
  j.valid = true;
  j.payload = std::move(*parsed);
  const Json& o = j.payload;
  j.jid = text_field(o, "jid");
  j.klass = text_field(o, "class");
  // ActiveJob's adapter pushes "class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper"
  // and names the real job class in "wrapped" (a string).
  j.wrapped = text_field(o, "wrapped");
  j.queue = text_field(o, "queue");
  if (auto it = o.find("args"); it != o.end()) j.args = *it;
  j.created_at = number_field(o, "created_at");
  j.enqueued_at = number_field(o, "enqueued_at");
  j.failed_at = number_field(o, "failed_at");
  j.retried_at = number_field(o, "retried_at");
  if (auto it = o.find("retry_count"); it != o.end() && it->is_number_integer())
    j.retry_count = it->get<std::int64_t>();
  j.retry = o.value("retry", Json(nullptr));
  j.error_class = text_field(o, "error_class");
  j.error_message = text_field(o, "error_message");
  if (j.jid.empty()) j.problem = "no jid";
  return j;
}

std::string new_jid() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 3; ++i) out += fmt::format("{:08x}", static_cast<std::uint32_t>(rd()));
  return out;
}

std::string encode_push(const PushRequest& request, const std::string& jid, double now_s) {
  // Key order of Ruby's default_worker_options.merge(item) then normalize_item's additions
  // and atomic_push's enqueued_at. Sidekiq.dump_json is JSON.generate: no spaces, and
  // non-ASCII text left as UTF-8 (nlohmann's dump does the same).
  Json o = Json::object();
  o["retry"] = true;
  o["queue"] = request.queue;
  o["class"] = request.klass;
  o["args"] = request.args;
  o["jid"] = jid;
  o["created_at"] = now_s;
  o["enqueued_at"] = now_s;
  return o.dump();
}

Json sidekiq_args(const rq::JobArguments& parsed) {
  Json args = parsed.args;
  if (!parsed.kwargs.empty()) args.push_back(parsed.kwargs);
  return args;
}

std::string requeue_payload(const Json& payload, double now_s, bool decrement) {
  Json o = payload;
  if (decrement) {
    // Ruby's integers have no bounds; at the edges of ours the count is left as it is.
    auto it = o.find("retry_count");
    if (it != o.end() && it->is_number_unsigned()) {
      if (const auto n = it->get<std::uint64_t>(); n > 0) *it = n - 1;
    } else if (it != o.end() && it->is_number_integer()) {
      if (const auto n = it->get<std::int64_t>(); n > std::numeric_limits<std::int64_t>::min()) *it = n - 1;
    }
  }
  o["enqueued_at"] = now_s;
  return o.dump();
}

bool matches_filter(const SidekiqJob& job, std::string_view filter) {
  if (filter.empty()) return true;
  if (job.klass == filter || job.wrapped == filter) return true;
  return job.error_class.find(filter) != std::string::npos || job.error_message.find(filter) != std::string::npos;
}

double now_seconds() {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
  // Ruby's Time#to_f: whole seconds plus the fraction, rounded to a double.
  return static_cast<double>(ns.count()) / 1e9;
}

}  // namespace rctl::job::sidekiq
