#pragma once
// Throttled progress lines: rewritten in place every 200ms on a terminal, a plain line every
// 5s otherwise, nothing with -q.

#include "output/printer.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rctl::commands {

class ProgressLine {
 public:
  explicit ProgressLine(output::Printer& printer);
  // Shows `line` if enough time has passed since the last one.
  void update(const std::string& line);
  void finish();

 private:
  output::Printer& m_printer;
  std::chrono::steady_clock::time_point m_last;
  std::chrono::milliseconds m_every;
};

// The shape every long command shares (session list/stats/revoke, ratelimit list, cache
// invalidate): Ctrl-C stops the work rather than the process, a progress line follows the
// domain's progress callback (`text` turns its report into the line), and the line is cleared
// before anything else is printed. `run(on_progress)` makes the domain call; its result is
// returned as it is, so an interrupted run still reports what it did.
template <class Text, class Run>
auto with_progress(output::Printer& printer, Text text, Run run) {
  util::install_interrupt_handler();
  ProgressLine progress(printer);
  auto report = run([&](const auto& r) { progress.update(text(r)); });
  progress.finish();
  return report;
}

// After Ctrl-C stopped a long command whose partial result was printed: says how far it got
// on stderr and returns exit code 130.
int interrupted_exit(output::Printer& printer, std::string message, std::string hint = {});

// After a long command printed a partial result and then met `error`: reports it on stderr in
// the words the command chose (`message`, and `hint` when given) and returns the exit code of
// the error's own kind, which rewording never changes.
int failed_exit(output::Printer& printer, const Error& error, std::string message,
                std::optional<std::string> hint = std::nullopt);

// The hint after a deletion stopped by `error`: "run the command again" only when that can
// succeed; a read-only replica (READONLY) or a user without the right (NOPERM) fails the same
// way every time, so those name the cause instead. `untouched` says what was left alone.
std::string after_failed_delete_hint(const Error& error, std::string_view untouched);

}  // namespace rctl::commands
