// The common `job queues` table of several queue systems.
#include "job/render_summary.hpp"

#include "decode/bytes.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace rctl::job {

namespace {

using Json = nlohmann::ordered_json;

Json summary_figure(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }
output::Cell summary_cell(const std::optional<std::int64_t>& v) { return v ? util::format_count(*v) : "-"; }

}  // namespace

output::Document render_queue_summaries(const std::vector<std::string>& systems,
                                        const std::vector<QueueSummary>& rows) {
  output::Document doc;
  output::Table t;
  t.title = "Queues of " + fmt::format("{}", fmt::join(systems, ", "));
  t.columns = {"SYSTEM", "QUEUE", "WAITING", "OLDEST",    "ACTIVE", "SCHEDULED",
               "FAILED", "RETRY", "DEAD",    "COMPLETED", "WORKERS"};
  t.numeric = {false, false, true, true, true, true, true, true, true, true, true};
  Json queues = Json::array();
  for (const auto& q : rows) {
    queues.push_back({{"system", q.system},
                      {"name", decode::json_bytes(q.name)},
                      {"waiting", q.waiting},
                      {"oldest_waiting_age_s", q.oldest_waiting_age_s ? Json(*q.oldest_waiting_age_s) : Json(nullptr)},
                      {"active", summary_figure(q.active)},
                      {"scheduled", summary_figure(q.scheduled)},
                      {"failed", summary_figure(q.failed)},
                      {"retry", summary_figure(q.retry)},
                      {"dead", summary_figure(q.dead)},
                      {"completed", summary_figure(q.completed)},
                      {"workers", summary_figure(q.workers)}});
    t.rows.push_back({q.system, q.name, util::format_count(q.waiting),
                      q.oldest_waiting_age_s ? util::format_duration(util::Millis(
                                                   static_cast<std::int64_t>(*q.oldest_waiting_age_s * 1000)))
                                             : "-",
                      summary_cell(q.active), summary_cell(q.scheduled), summary_cell(q.failed), summary_cell(q.retry),
                      summary_cell(q.dead), summary_cell(q.completed), summary_cell(q.workers)});
  }
  doc.json = {{"systems", systems}, {"queues", queues}};
  doc.blocks.emplace_back(std::move(t));
  doc.blocks.emplace_back(
      output::Text{"- : the system does not keep that figure; `rctl job queues --system X` shows one system in full",
                   output::Tone::dim});
  return doc;
}

}  // namespace rctl::job
