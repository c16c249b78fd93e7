#pragma once
// The one printer: data to stdout as table, JSON, nagios or prometheus text; messages,
// warnings, progress and errors to stderr. Every byte of human output is escaped so that
// nothing from Redis reaches a terminal raw.

#include "output/document.hpp"
#include "util/error.hpp"

#include <cstdio>
#include <string>
#include <string_view>

namespace rctl::output {

// none: nothing on stdout, the exit code is the answer (CI steps); stderr is unchanged.
enum class Format { table, json, nagios, prometheus, none };

// Parses "table", "json", "nagios", "prometheus", "none"; nullopt otherwise.
std::optional<Format> parse_format(std::string_view name);
const char* to_string(Format format);

struct Terminal {
  bool stdout_tty = false;
  bool stderr_tty = false;
  bool color = false;  // stdout colour
  bool stderr_color = false;
  // Columns tables are fitted to: 0 (never cut) off a TTY or with --wide, else COLUMNS or
  // the terminal's size.
  std::size_t table_width = 0;
};

// Looks at the file descriptors and NO_COLOR / TERM=dumb / CLICOLOR_FORCE, and at COLUMNS
// and the terminal size unless `wide`.
Terminal detect_terminal(bool no_color_flag, bool wide = false);

// Thrown when stdout is a closed pipe (`rctl ... | head`); main() exits 0 quietly.
struct StdoutClosed {};

// Thrown when writing stdout fails for any other reason (ENOSPC, EIO): the output is
// incomplete, so main() reports it and exits 1. `error_number` is the errno.
// Flushes the buffered C and C++ stdout (CLI11 writes help and version text there, not
// through the printer). False when a write failed; a closed pipe is not a failure.
bool flush_buffered_stdout();

struct StdoutFailed {
  int error_number = 0;
};

class Printer {
 public:
  Printer(Format format, Terminal terminal, bool quiet = false, bool verbose = false);

  Format format() const { return m_format; }
  const Terminal& terminal() const { return m_terminal; }
  bool verbose() const { return m_verbose; }

  // Writes `doc` to stdout in the chosen format.
  void emit(const Document& doc);

  // Writes `doc` as one line: compact JSON (NDJSON) or its text blocks; for watch modes.
  void emit_line(const Document& doc);

  // Reports an error: one line (plus a hint line) on stderr; under -o json also a JSON
  // error object on stdout, so that JSON consumers always get valid JSON.
  void error(const Error& error, int exit_code);

  // The stderr line only, for failures after a (partial) report was already emitted.
  void error_line(const Error& error);

  // "rctl: warning: ..." on stderr (suppressed by -q).
  void warning(std::string_view message);

  // An informational line on stderr (suppressed by -q).
  void note(std::string_view message);

  // A debug line on stderr, only with -v.
  void debug(std::string_view message);

  // Progress on stderr: rewritten in place on a terminal; callers throttle non-TTY lines.
  void progress(std::string_view line);
  void end_progress();

 private:
  void write_stdout(std::string_view text);
  void write_stderr(std::string_view text);
  Format m_format;
  Terminal m_terminal;
  bool m_quiet;
  bool m_verbose;
  bool m_progress_shown = false;
};

// Renders the human form of `doc` (exposed for golden tests). Tables are fitted to `width`
// terminal columns by shortening their widest columns; 0 never cuts anything.
std::string render_table(const Document& doc, bool color, std::size_t width = 0);

// Renders the JSON form of `doc` (valid JSON even for invalid UTF-8 input).
std::string render_json(const nlohmann::ordered_json& json);

}  // namespace rctl::output
