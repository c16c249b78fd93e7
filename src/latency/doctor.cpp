#include "latency/latency.hpp"

#include "client/server_error.hpp"
#include "util/strings.hpp"

namespace rctl::latency {

namespace {

// An integer element of a reply (LATENCY HISTORY answers integers; be lenient with
// strings).
std::int64_t doctor_int(const resp::Value& v) {
  if (v.type == resp::Type::integer) return v.integer;
  if (v.is_string()) return util::parse_int(v.str).value_or(0);
  return 0;
}

// latency-monitor-threshold from CONFIG GET (a map in RESP3, a flat pair in RESP2); nothing
// when CONFIG is refused (managed services rename or disable it).
std::optional<std::int64_t> monitor_threshold(client::Connection& c) {
  auto reply = c.exec(client::cmd({"CONFIG", "GET", "latency-monitor-threshold"}));
  if (!reply || reply->is_error() || reply->elements.size() < 2) return std::nullopt;
  return util::parse_int(reply->elements[1].str);
}

Expected<resp::Value> checked(client::Connection& c, std::vector<std::string> args) {
  auto name = args.size() > 1 ? args[0] + " " + args[1] : args[0];
  auto reply = c.exec(client::cmd(std::move(args)));
  if (reply && reply->is_error()) return std::unexpected(client::to_error(reply->str, name));
  return reply;
}

Expected<void> read_monitor(client::Connection& c, NodeDoctor& out) {
  auto latest = checked(c, {"LATENCY", "LATEST"});
  if (!latest) return std::unexpected(latest.error());
  auto events = server::parse_latency_latest(*latest);
  if (!events) return std::unexpected(Error{ErrorKind::protocol, "LATENCY LATEST: unexpected reply shape", {}});
  for (auto& latest_event : *events) {
    LatencyEvent event{std::move(latest_event), {}};
    auto history = checked(c, {"LATENCY", "HISTORY", event.name});
    if (!history) return std::unexpected(history.error());
    for (const auto& h : history->elements)
      if (h.is_list() && h.elements.size() >= 2)
        event.history.emplace_back(doctor_int(h.elements[0]), doctor_int(h.elements[1]));
    out.events.push_back(std::move(event));
  }
  auto text = checked(c, {"LATENCY", "DOCTOR"});
  if (!text) return std::unexpected(text.error());
  out.doctor = text->str;
  return {};
}

}  // namespace

DoctorReport doctor(cluster::Client& client) {
  DoctorReport report;
  for (const auto* node : client.nodes()) {
    NodeDoctor n;
    n.node = client.label(*node);
    n.role = node->primary ? "primary" : "replica";
    auto conn = client.connection(*node);
    if (!conn) {
      n.error = conn.error();
    } else {
      n.threshold_ms = monitor_threshold(**conn);
      if (!n.threshold_ms || *n.threshold_ms > 0) {
        if (auto read = read_monitor(**conn, n); !read) n.error = read.error();
      }
    }
    report.nodes.push_back(std::move(n));
  }
  return report;
}

}  // namespace rctl::latency
