#include "progress.hpp"

#include <fmt/format.h>

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

std::string after_failed_delete_hint(const Error& error, std::string_view untouched) {
  if (error.message.find("READONLY") != std::string::npos)
    return fmt::format(
        "{}; the node is a read-only replica, where nothing can be deleted: run against its primary "
        "(INFO replication names it as master_host:master_port)",
        untouched);
  if (error.kind == ErrorKind::permission)
    return fmt::format(
        "{}; the ACL user may not run this on these keys, so running again fails the same way: use a "
        "user allowed to delete them (ACL GETUSER shows its rights)",
        untouched);
  return fmt::format("{}; run the command again to finish", untouched);
}

}  // namespace rctl::commands
