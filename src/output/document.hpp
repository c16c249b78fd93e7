#pragma once
// What a command produces for the printer: the JSON contract plus a human rendering made of
// blocks. ops/ builds Documents; only output/ turns them into bytes.

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
  Cell() = default;
  Cell(std::string t, Tone tone = Tone::plain) : text(std::move(t)), tone(tone) {}
  Cell(const char* t, Tone tone = Tone::plain) : text(t), tone(tone) {}
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
// its own); `json` marks pretty-printed JSON, whose backslashes are already escapes and are
// shown as they are.
struct Text {
  std::string text;
  Tone tone = Tone::plain;
  bool multiline = false;
  bool json = false;
};

// Exact bytes, written unescaped: only for --raw.
struct RawBytes {
  std::string bytes;
};

using Block = std::variant<Fields, Table, Text, RawBytes>;

struct Document {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  std::vector<Block> blocks;
  std::optional<std::string> nagios;      // health -o nagios: the status line with perfdata
  std::optional<std::string> prometheus;  // stats -o prometheus: exposition text
};

}  // namespace rctl::output
