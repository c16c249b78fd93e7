#include "latency/render.hpp"

#include "decode/bytes.hpp"
#include "output/render_helpers.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

namespace rctl::latency {

namespace {

using json = nlohmann::ordered_json;

// Width of the longest histogram bar, in characters.
constexpr std::int64_t k_histogram_bar_width = 40;

std::string utc_text(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(t)));
}

json stats_json(const NodeLatency& n) {
  json j;
  j["node"] = n.node;
  j["role"] = n.role;
  j["samples"] = n.stats.samples;
  j["errors"] = n.errors;
  auto ms = [&](double v) { return n.stats.samples ? json(output::round3(v)) : json(nullptr); };
  j["min_ms"] = ms(n.stats.min_ms);
  j["avg_ms"] = ms(n.stats.avg_ms);
  j["p50_ms"] = ms(n.stats.p50_ms);
  j["p99_ms"] = ms(n.stats.p99_ms);
  j["max_ms"] = ms(n.stats.max_ms);
  j["error"] = n.error ? json(n.error->message) : json(nullptr);
  return j;
}

std::string bucket_label(std::size_t i) {
  if (i < server::k_latency_bucket_ms.size()) return fmt::format("<= {} ms", server::k_latency_bucket_ms[i]);
  return fmt::format("> {} ms", server::k_latency_bucket_ms.back());
}

json histogram_json(const server::LatencyHistogram& h) {
  auto out = json::array();
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    json b;
    b["le_ms"] = i < server::k_latency_bucket_ms.size() ? json(server::k_latency_bucket_ms[i]) : json(nullptr);
    b["count"] = h.counts[i];
    out.push_back(std::move(b));
  }
  return out;
}

// The buckets from the first to the last non-empty one, each with a bar scaled to the fullest.
std::string histogram_text(const server::LatencyHistogram& h) {
  auto first = std::find_if(h.counts.begin(), h.counts.end(), [](auto c) { return c > 0; });
  if (first == h.counts.end()) return "  (no samples)";
  auto last = std::find_if(h.counts.rbegin(), h.counts.rend(), [](auto c) { return c > 0; }).base();
  auto most = *std::max_element(h.counts.begin(), h.counts.end());
  auto total = h.total();
  std::string out;
  for (auto it = first; it != last; ++it) {
    auto i = static_cast<std::size_t>(it - h.counts.begin());
    auto bar = static_cast<std::size_t>((*it * k_histogram_bar_width + most - 1) / most);
    if (!out.empty()) out += "\n";
    out += fmt::format("  {:>11}  {:<{}} {} ({:.1f}%)", bucket_label(i), std::string(bar, '#'), k_histogram_bar_width,
                       *it, 100.0 * static_cast<double>(*it) / static_cast<double>(total));
  }
  return out;
}

std::string ms_text(double v) { return fmt::format("{:.3f}", v); }

}  // namespace

output::Document render_interval(const IntervalReport& report) {
  output::Document doc;
  doc.json["type"] = "interval";
  doc.json["time"] = utc_text(report.taken);
  doc.json["seconds"] = output::round3(report.seconds);
  doc.json["nodes"] = json::array();
  std::string lines;
  auto clock = fmt::format("{:%H:%M:%S}", fmt::gmtime(std::chrono::system_clock::to_time_t(report.taken)));
  for (const auto& n : report.nodes) {
    doc.json["nodes"].push_back(stats_json(n));
    if (!lines.empty()) lines += "\n";
    if (n.stats.samples == 0) {
      lines += fmt::format("{} {:<21} {:<7} no reply: {}", clock, n.node, n.role,
                           n.error ? n.error->message : std::string("no sample"));
      continue;
    }
    lines += fmt::format("{} {:<21} {:<7} min {} avg {} p50 {} p99 {} max {} ms ({} samples{})", clock, n.node, n.role,
                         ms_text(n.stats.min_ms), ms_text(n.stats.avg_ms), ms_text(n.stats.p50_ms),
                         ms_text(n.stats.p99_ms), ms_text(n.stats.max_ms), n.stats.samples,
                         n.errors ? fmt::format(", {} errors", n.errors) : std::string());
  }
  doc.blocks.emplace_back(output::Text{lines, output::Tone::plain, true});
  return doc;
}

output::Document render_summary(const LatencySummary& summary) {
  output::Document doc;
  doc.json["type"] = "summary";
  doc.json["intervals"] = summary.intervals;
  doc.json["seconds"] = output::round3(summary.seconds);
  doc.json["interrupted"] = summary.interrupted;
  doc.json["nodes"] = json::array();
  output::Table table;
  table.title = fmt::format("Latency over {:.1f} s ({} interval{}{})", summary.seconds, summary.intervals,
                            summary.intervals == 1 ? "" : "s", summary.interrupted ? ", interrupted" : "");
  table.columns = {"NODE", "ROLE", "SAMPLES", "ERRORS", "MIN MS", "AVG MS", "P50 MS", "P99 MS", "MAX MS"};
  table.numeric = {false, false, true, true, true, true, true, true, true};
  for (const auto& n : summary.nodes) {
    auto j = stats_json(n);
    j["histogram"] = histogram_json(n.histogram);
    doc.json["nodes"].push_back(std::move(j));
    auto cell = [&](double v) { return n.stats.samples ? output::Cell(ms_text(v)) : output::Cell("-"); };
    table.rows.push_back({n.node, n.role, std::to_string(n.stats.samples),
                          output::Cell(std::to_string(n.errors), n.errors ? output::Tone::bad : output::Tone::plain),
                          cell(n.stats.min_ms), cell(n.stats.avg_ms), cell(n.stats.p50_ms), cell(n.stats.p99_ms),
                          cell(n.stats.max_ms)});
  }
  doc.blocks.emplace_back(std::move(table));
  for (const auto& n : summary.nodes) {
    doc.blocks.emplace_back(output::Text{fmt::format("{} ({})", n.node, n.role), output::Tone::strong});
    doc.blocks.emplace_back(output::Text{histogram_text(n.histogram), output::Tone::plain, true});
  }
  return doc;
}

output::Document render_doctor(const DoctorReport& report) {
  output::Document doc;
  doc.json["nodes"] = json::array();
  bool off_somewhere = false;
  for (const auto& n : report.nodes) {
    json j;
    j["node"] = n.node;
    j["role"] = n.role;
    j["threshold_ms"] = output::number_or_null(n.threshold_ms);
    bool enabled = !n.threshold_ms || *n.threshold_ms > 0;
    j["enabled"] = n.threshold_ms ? json(*n.threshold_ms > 0) : json(nullptr);
    j["doctor"] = output::text_or_null(n.doctor);
    auto events = json::array();
    for (const auto& e : n.events) {
      json ej;
      ej["event"] = decode::json_bytes(e.name);
      ej["latest_unix"] = e.time_s;
      ej["latest_ms"] = e.latest_ms;
      ej["max_ms"] = e.max_ms;
      ej["history"] = json::array();
      for (const auto& [t, ms] : e.history) ej["history"].push_back({{"unix", t}, {"latency_ms", ms}});
      events.push_back(std::move(ej));
    }
    j["events"] = std::move(events);
    j["error"] = n.error ? json(n.error->message) : json(nullptr);
    doc.json["nodes"].push_back(std::move(j));

    auto title = fmt::format("{} ({}){}", n.node, n.role,
                             n.threshold_ms ? fmt::format(", latency-monitor-threshold {} ms", *n.threshold_ms)
                                            : std::string(", latency-monitor-threshold unknown (CONFIG refused)"));
    doc.blocks.emplace_back(output::Text{title, output::Tone::strong});
    if (n.error) {
      doc.blocks.emplace_back(output::Text{"  " + n.error->message, output::Tone::bad});
      continue;
    }
    if (!enabled) {
      off_somewhere = true;
      doc.blocks.emplace_back(output::Text{"  the latency monitor is off", output::Tone::warn});
      continue;
    }
    if (!n.events.empty()) {
      output::Table t;
      t.columns = {"EVENT", "LATEST", "LATEST MS", "MAX MS", "HISTORY (MS, OLDEST FIRST)"};
      t.numeric = {false, false, true, true, false};
      for (const auto& e : n.events) {
        std::string history;
        for (const auto& h : e.history) history += (history.empty() ? "" : " ") + std::to_string(h.second);
        auto when = fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::gmtime(static_cast<std::time_t>(e.time_s)));
        t.rows.push_back({e.name, when, std::to_string(e.latest_ms), std::to_string(e.max_ms), history});
      }
      doc.blocks.emplace_back(std::move(t));
    }
    doc.blocks.emplace_back(output::Text{n.doctor, output::Tone::plain, true});
  }
  if (off_somewhere)
    doc.blocks.emplace_back(
        output::Text{"To turn the latency monitor on (events slower than 100 ms; 0 turns it off again):\n"
                     "  rctl call --all-nodes CONFIG SET latency-monitor-threshold 100",
                     output::Tone::plain, true});
  return doc;
}

}  // namespace rctl::latency
