#pragma once
// Running one action per job (requeue, cancel, retry, purge) with a progress line, Ctrl-C
// between jobs and a report of what was done when the run stops early.

#include "context.hpp"
#include "progress.hpp"

#include "job/render.hpp"
#include "util/interrupt.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

namespace rctl::commands {

// Runs `act` on every id. Ctrl-C stops between two jobs; a lost connection whose outcome is
// unknown stops at once (that job is never sent again). Either way the jobs handled so far
// are shown before the error, so a second run does the rest and nothing twice.
template <class Act>
std::vector<job::rq::JobAction> for_each_job(Context& ctx, const std::vector<std::string>& ids, std::string_view verb,
                                             Act act) {
  util::install_interrupt_handler();
  ProgressLine progress(ctx.printer());
  std::vector<job::rq::JobAction> actions;
  for (const auto& id : ids) {
    if (util::interrupted()) {
      progress.finish();
      ctx.printer().emit(job::render_actions(verb, actions, job::rq::Apply::write));
      throw Failure(ErrorKind::interrupted, fmt::format("interrupted after {} of {} jobs", actions.size(), ids.size()),
                    "the jobs listed were handled; run the command again for the rest");
    }
    try {
      actions.push_back(act(id));
    } catch (const Failure& f) {
      if (f.error().kind != ErrorKind::outcome_unknown || actions.empty()) throw;
      progress.finish();
      ctx.printer().emit(job::render_actions(verb, actions, job::rq::Apply::write));
      throw;
    }
    progress.update(fmt::format("{} {} of {} jobs", verb, actions.size(), ids.size()));
  }
  progress.finish();
  return actions;
}

}  // namespace rctl::commands
