#include "progress.hpp"

#include <utility>

namespace rctl::commands {

ProgressLine::ProgressLine(output::Printer& printer)
    : m_printer(printer),
      m_last(std::chrono::steady_clock::now()),
      m_every(printer.terminal().stderr_tty ? 200 : 5000) {}

void ProgressLine::update(const std::string& line) {
  auto now = std::chrono::steady_clock::now();
  if (now - m_last < m_every) return;
  m_last = now;
  m_printer.progress(line);
}

void ProgressLine::finish() { m_printer.end_progress(); }

int interrupted_exit(output::Printer& printer, std::string message, std::string hint) {
  printer.error_line({ErrorKind::interrupted, std::move(message), std::move(hint)});
  return static_cast<int>(ExitCode::interrupted);
}

int failed_exit(output::Printer& printer, const Error& error, std::string message, std::optional<std::string> hint) {
  Error shown = error;
  shown.message = std::move(message);
  if (hint) shown.hint = std::move(*hint);
  printer.error_line(shown);
  return static_cast<int>(exit_code_for(error.kind));
}

}  // namespace rctl::commands
