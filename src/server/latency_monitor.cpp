#include "server/latency_monitor.hpp"

namespace rctl::server {

std::optional<std::vector<LatencyEvent>> parse_latency_latest(const resp::Value& reply) {
  if (!reply.is_list()) return std::nullopt;
  std::vector<LatencyEvent> out;
  for (const auto& item : reply.elements) {
    const auto& f = item.elements;
    if (!item.is_list() || f.size() < 4 || !f[0].is_string() || f[1].type != resp::Type::integer ||
        f[2].type != resp::Type::integer || f[3].type != resp::Type::integer)
      return std::nullopt;
    out.push_back({f[0].str.substr(0, k_max_latency_event_name), f[1].integer, f[2].integer, f[3].integer});
  }
  return out;
}

}  // namespace rctl::server
