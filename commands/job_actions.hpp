#pragma once
// Running one action per job (requeue, cancel, retry, purge) with a progress line, Ctrl-C
// between jobs, and a report of what was done when the run stops early.

#include "context.hpp"
#include "progress.hpp"

#include "job/render.hpp"
#include "util/interrupt.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::commands {

// The jobs handled, and why the run stopped before the last one (if it did).
struct JobRun {
  std::vector<job::rq::JobAction> actions;
  std::optional<Error> stopped;
};

// Runs `act` on every id. Ctrl-C stops between two jobs; a lost connection whose outcome is
// unknown stops at once (that job is never sent again). Either way the run comes back with
// the jobs handled so far, for finish_job_run to report, so a second run does the rest.
template <class Act>
JobRun for_each_job(Context& ctx, const std::vector<std::string>& ids, std::string_view verb, Act act) {
  util::install_interrupt_handler();
  ProgressLine progress(ctx.printer());
  JobRun run;
  for (const auto& id : ids) {
    if (util::interrupted()) {
      run.stopped =
          Error{ErrorKind::interrupted, fmt::format("interrupted after {} of {} jobs", run.actions.size(), ids.size()),
                "the jobs listed were handled; run the command again for the rest"};
      break;
    }
    try {
      run.actions.push_back(act(id));
    } catch (const Failure& f) {
      if (f.error().kind != ErrorKind::outcome_unknown) throw;
      run.stopped = f.error();
      break;
    }
    progress.update(fmt::format("{} {} of {} jobs", verb, run.actions.size(), ids.size()));
  }
  progress.finish();
  return run;
}

// Emits the run's document; when the run stopped early its JSON also carries the error (one
// valid JSON document), stderr gets the error line, and the error's exit status is returned;
// otherwise `status`.
inline int finish_job_run(Context& ctx, output::Document doc, const JobRun& run, int status) {
  if (!run.stopped) {
    ctx.printer().emit(doc);
    return status;
  }
  const int code = static_cast<int>(exit_code_for(run.stopped->kind));
  doc.json["error"] = {{"kind", to_string(run.stopped->kind)},
                       {"message", run.stopped->message},
                       {"hint", run.stopped->hint},
                       {"exit_code", code}};
  ctx.printer().emit(doc);
  ctx.printer().error_line(*run.stopped);
  return code;
}

}  // namespace rctl::commands
