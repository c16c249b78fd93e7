#pragma once
// What a command produces for the printer: the JSON contract plus a human rendering made of
// blocks. The domains' renderers build Documents; only output/ turns them into bytes.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rctl::output {

// How a cell should stand out on a colour terminal; ignored without colour.
enum class Tone { plain, good, warn, bad, dim, strong };

struct Cell {
  std::string text;  // any bytes: the printer escapes them for the terminal
  Tone tone = Tone::plain;
  // A glob pattern: its backslashes are syntax (`a\*` matches a literal star) and are shown
  // as they are, so the text can be pasted into redis-cli; every other byte is escaped.
  bool verbatim_backslashes = false;
  Cell() = default;
  Cell(std::string t, Tone tone = Tone::plain) : text(std::move(t)), tone(tone) {}
  Cell(const char* t, Tone tone = Tone::plain) : text(t), tone(tone) {}
  static Cell pattern(std::string t) {
    Cell c(std::move(t));
    c.verbatim_backslashes = true;
    return c;
  }
};

// "key: value" lines under an optional title.
struct Fields {
  std::string title;
  std::vector<std::pair<std::string, Cell>> items;
  void add(std::string key, Cell value) { items.emplace_back(std::move(key), std::move(value)); }
};

// Rows and columns; columns flagged numeric are right-aligned.
struct Table {
  std::string title;
  std::vector<std::string> columns;
  std::vector<bool> numeric;
  std::vector<std::vector<Cell>> rows;
};

// Prose (escaped like everything else). `multiline` keeps line breaks (each line escaped on
// its own); `verbatim_backslashes` marks pretty-printed JSON or text quoting a glob pattern,
// whose backslashes are already escapes and are shown as they are.
struct Text {
  std::string text;
  Tone tone = Tone::plain;
  bool multiline = false;
  bool verbatim_backslashes = false;
};

// Exact bytes, written unescaped: only for --raw.
struct RawBytes {
  std::string bytes;
};

using Block = std::variant<Fields, Table, Text, RawBytes>;

struct Document {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  std::vector<Block> blocks;
  std::optional<std::string> nagios;  // health -o nagios: the status line with perfdata
  std::optional<std::string> prometheus;  // stats -o prometheus: exposition text
};

}  // namespace rctl::output
