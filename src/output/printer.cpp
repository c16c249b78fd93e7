#include "output/printer.hpp"

#include "decode/bytes.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace rctl::output {

bool flush_buffered_stdout() {
  std::cout.flush();
  if (std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout.good()) return true;
  // `rctl --help | head`: a pipe whose reader has gone stays quiet. errno may have been
  // overwritten since the failed write, so the pipe itself is asked (POLLERR: no reader).
  pollfd out{STDOUT_FILENO, 0, 0};
  return errno == EPIPE || (::poll(&out, 1, 0) == 1 && (out.revents & POLLERR));
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::table;
  if (name == "json") return Format::json;
  if (name == "nagios") return Format::nagios;
  if (name == "prometheus") return Format::prometheus;
  if (name == "none") return Format::none;
  return std::nullopt;
}

const char* to_string(Format format) {
  switch (format) {
    case Format::table: return "table";
    case Format::json: return "json";
    case Format::nagios: return "nagios";
    case Format::prometheus: return "prometheus";
    case Format::none: return "none";
  }
  return "table";
}

Terminal detect_terminal(bool no_color_flag, bool wide) {
  Terminal t;
  t.stdout_tty = ::isatty(STDOUT_FILENO) == 1;
  t.stderr_tty = ::isatty(STDERR_FILENO) == 1;
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string_view(v) : std::string_view{};
  };
  bool no_color = no_color_flag || !env("NO_COLOR").empty() || env("TERM") == "dumb";
  bool force = !env("CLICOLOR_FORCE").empty() && env("CLICOLOR_FORCE") != "0";
  t.color = !no_color && (force || t.stdout_tty);
  t.stderr_color = !no_color && (force || t.stderr_tty);
  // Off a TTY (a file, a pipe, a --dry-run sample kept for review) nothing is ever cut.
  if (t.stdout_tty && !wide) {
    auto columns = env("COLUMNS");
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(columns.data(), columns.data() + columns.size(), n);
    winsize size{};
    if (ec == std::errc{} && end == columns.data() + columns.size() && n > 0) t.table_width = n;
    else if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) t.table_width = size.ws_col;
  }
  return t;
}

Printer::Printer(Format format, Terminal terminal, bool quiet, bool verbose)
    : m_format(format), m_terminal(terminal), m_quiet(quiet), m_verbose(verbose) {}

void Printer::write_stdout(std::string_view text) {
  std::size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) throw StdoutClosed{};
    // A full disk or an I/O error loses output a script relies on: never a quiet success.
    if (n < 0) throw StdoutFailed{errno};
    if (n == 0) throw StdoutFailed{EIO};
    done += static_cast<std::size_t>(n);
  }
}

void Printer::write_stderr(std::string_view text) {
  std::size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to complain to
    done += static_cast<std::size_t>(n);
  }
}

void Printer::emit(const Document& doc) {
  end_progress();
  switch (m_format) {
    case Format::json: return write_stdout(render_json(doc.json));
    case Format::nagios:
      if (doc.nagios) return write_stdout(*doc.nagios);
      break;
    case Format::prometheus:
      if (doc.prometheus) return write_stdout(*doc.prometheus);
      break;
    case Format::none: return;
    case Format::table: break;
  }
  write_stdout(render_table(doc, m_terminal.color, m_terminal.table_width));
}

void Printer::emit_line(const Document& doc) {
  end_progress();
  if (m_format == Format::none) return;
  if (m_format == Format::json)
    return write_stdout(doc.json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  write_stdout(render_table(doc, m_terminal.color, m_terminal.table_width));
}

void Printer::error(const Error& error, int exit_code) {
  error_line(error);
  if (m_format == Format::nagios) {
    // The monitoring plugin contract: one status line on stdout, whatever went wrong.
    std::string line = "REDIS UNKNOWN: " + error.message;
    for (auto& ch : line)
      if (ch == '|' || ch == '\n' || ch == '\r') ch = ' ';
    try {
      write_stdout(decode::escape_for_terminal(line) + "\n");
    } catch (const StdoutClosed&) {
    } catch (const StdoutFailed&) {
    }
    return;
  }
  if (m_format == Format::json) {
    nlohmann::ordered_json j;
    j["error"] = {
        {"kind", to_string(error.kind)}, {"message", error.message}, {"hint", error.hint}, {"exit_code", exit_code}};
    try {
      write_stdout(render_json(j));
    } catch (const StdoutClosed&) {
    } catch (const StdoutFailed&) {
      // stderr already has the message; stdout is what failed.
    }
  }
}

void Printer::error_line(const Error& error) {
  end_progress();
  auto red = m_terminal.stderr_color ? "\x1b[31;1m" : "";
  auto reset = m_terminal.stderr_color ? "\x1b[0m" : "";
  std::string text = fmt::format("rctl: {}error:{} {}\n", red, reset, decode::escape_for_terminal(error.message));
  if (!error.hint.empty()) text += fmt::format("rctl: hint: {}\n", decode::escape_for_terminal(error.hint));
  write_stderr(text);
}

void Printer::warning(std::string_view message) {
  if (m_quiet) return;
  end_progress();
  auto yellow = m_terminal.stderr_color ? "\x1b[33m" : "";
  auto reset = m_terminal.stderr_color ? "\x1b[0m" : "";
  write_stderr(fmt::format("rctl: {}warning:{} {}\n", yellow, reset, decode::escape_for_terminal(message)));
}

void Printer::note(std::string_view message) {
  if (m_quiet) return;
  end_progress();
  write_stderr(fmt::format("rctl: {}\n", decode::escape_for_terminal(message)));
}

void Printer::debug(std::string_view message) {
  if (!m_verbose) return;
  end_progress();
  write_stderr(fmt::format("rctl: debug: {}\n", decode::escape_for_terminal(message)));
}

void Printer::progress(std::string_view line) {
  if (m_quiet) return;
  auto text = decode::escape_for_terminal(line);
  if (m_terminal.stderr_tty) {
    write_stderr(fmt::format("\r\x1b[K{}", text));
    m_progress_shown = true;
  } else {
    write_stderr(fmt::format("rctl: {}\n", text));
  }
}

void Printer::end_progress() {
  if (!m_progress_shown) return;
  m_progress_shown = false;
  write_stderr("\r\x1b[K");
}

}  // namespace rctl::output
