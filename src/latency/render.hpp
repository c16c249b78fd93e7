#pragma once
// `rctl latency` documents: one line per interval (a JSON line under -o json), the summary with
// a terminal histogram per node, and the --doctor report. Only render*.cpp define these.

#include "latency/latency.hpp"
#include "output/document.hpp"

namespace rctl::latency {

// One interval: a line per node for people, {"type": "interval", ...} for scripts.
output::Document render_interval(const IntervalReport& report);

// The whole run: a table per node and a histogram; {"type": "summary", ...} for scripts.
output::Document render_summary(const LatencySummary& summary);

// LATENCY DOCTOR/LATEST/HISTORY per node, or how to turn the monitor on.
output::Document render_doctor(const DoctorReport& report);

}  // namespace rctl::latency
