#pragma once
// `rctl job queues` when several queue systems share a database: one table of
// job::QueueSummary rows. JSON: {"systems": [...], "queues": [rows]}, null for a figure the
// row's system does not keep. Only render_summary.cpp defines it.

#include "job/summary.hpp"
#include "output/document.hpp"

#include <string>
#include <vector>

namespace rctl::job {

output::Document render_queue_summaries(const std::vector<std::string>& systems, const std::vector<QueueSummary>& rows);

}  // namespace rctl::job
