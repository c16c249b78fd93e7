#pragma once
// `rctl slowlog` documents: the report (JSON contract, tables) and one --watch poll.
// Only the render*.cpp files of this folder define these, so the domain's logic never
// includes output code.

#include "output/document.hpp"
#include "slowlog/slowlog.hpp"

namespace rctl::slowlog {

struct RenderOptions {
  bool full = false;  // --full: whole command lines in tables (JSON always has every argument)
  bool group = false;  // --group: the per-command table instead of the entries
};

// The whole report: nodes, entries (or groups), LATENCY LATEST events.
output::Document render_report(const Report& report, const RenderOptions& options);

// One --watch poll: the entries new since the previous one, the entries skipped unread and
// the nodes that started or stopped failing (one JSON object per poll; the table shows the
// entries, the rest is said on stderr by the command).
output::Document render_poll(const WatchPoll& poll, std::chrono::system_clock::time_point at,
                             const RenderOptions& options);

}  // namespace rctl::slowlog
