#pragma once
// `rctl stats` documents: the report (JSON, tables) and one --watch interval.
// Only the render*.cpp files of this folder define these, so the domain's logic never
// includes output code.

#include "output/document.hpp"
#include "stats/stats.hpp"

namespace rctl::stats {

// The full report: JSON, tables, and Prometheus exposition text.
output::Document render_stats(const StatsReport& report);

// One watch-mode line (table) or JSON object per interval.
output::Document render_watch(const Rates& rates, std::chrono::system_clock::time_point at);

// Prometheus text exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/),
// metric names in the style of oliver006/redis_exporter.
std::string prometheus_text(const StatsReport& report);

}  // namespace rctl::stats
