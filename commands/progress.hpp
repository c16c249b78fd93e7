#pragma once
// Throttled progress lines: rewritten in place every 200ms on a terminal, a plain line every
// 5s otherwise, nothing with -q.

#include "output/printer.hpp"

#include <chrono>
#include <string>

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

}  // namespace rctl::commands
