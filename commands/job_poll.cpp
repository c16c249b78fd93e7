#include "job_poll.hpp"

#include "util/interrupt.hpp"

#include <fmt/format.h>

#include <chrono>
#include <optional>

namespace rctl::commands {

bool poll_job(Context& ctx, std::string_view what, util::Millis budget,
              const std::function<bool(util::Millis elapsed)>& step) {
  util::install_interrupt_handler();
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + budget;
  long pause_ms = 50;
  for (;;) {
    const auto before = std::chrono::steady_clock::now();
    std::optional<Error> lost;
    try {
      if (step(std::chrono::duration_cast<util::Millis>(before - start))) return true;
    } catch (const Failure& f) {
      if (f.error().kind != ErrorKind::connect && f.error().kind != ErrorKind::timeout) throw;
      lost = f.error();
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      if (lost) throw Failure(*lost);
      return false;
    }
    if (lost) ctx.printer().note(fmt::format("{}: {}; retrying", what, lost->message));
    const auto left = std::chrono::duration_cast<util::Millis>(deadline - now);
    util::sleep_interruptible(std::min<long>(pause_ms, left.count()));
    if (util::interrupted())
      throw Failure(ErrorKind::interrupted, fmt::format("interrupted while waiting for {}", what));
    pause_ms = std::min<long>(pause_ms * 2, 1000);
  }
}

}  // namespace rctl::commands
