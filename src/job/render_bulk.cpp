// The document of `job retry` and `job purge`.
#include "job/render_bulk.hpp"

#include "decode/bytes.hpp"
#include "job/render.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace rctl::job {

output::Document render_bulk(const BulkReport& r) {
  auto doc = render_actions(r.verb, r.actions, r.apply);
  using Json = nlohmann::ordered_json;
  Json head = {{"system", r.system},
               {"queue", decode::json_bytes(r.queue)},
               {"state", r.state},
               {"filter", r.filter.empty() ? Json(nullptr) : decode::json_bytes(r.filter)},
               {"total", r.total},
               {"capped", r.capped},
               {"not_retryable", r.not_retryable}};
  head.update(doc.json);
  doc.json = std::move(head);
  if (!r.filter.empty())
    doc.blocks.emplace_back(output::Text{fmt::format("{} of {} {} job{} matched --filter '{}'",
                                                     r.actions.size() + static_cast<std::size_t>(r.not_retryable),
                                                     r.total, r.state, r.total == 1 ? "" : "s", r.filter),
                                         output::Tone::dim});
  return doc;
}

}  // namespace rctl::job
