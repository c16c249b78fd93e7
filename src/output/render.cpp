// Turning Documents into text: aligned tables and fields for people, JSON for programs.

#include "decode/bytes.hpp"
#include "output/printer.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rctl::output {

namespace {

// Fitting a table to the terminal never cuts a column below this (or its header).
constexpr std::size_t k_min_fitted_column = 10;

bool is_wide(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
         (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
         (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) || (cp >= 0x1f900 && cp <= 0x1f9ff) ||
         (cp >= 0x20000 && cp <= 0x3fffd);
}

// Display columns of already-escaped (valid UTF-8) text.
std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : 4;
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1f) : len == 3 ? (b & 0x0f) : (b & 0x07);
    for (std::size_t k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    width += is_wide(cp) ? 2 : 1;
    i += len;
  }
  return width;
}

// Cuts escaped text to at most `max` columns, ending with "…".
std::string truncate(std::string text, std::size_t max) {
  if (display_width(text) <= max) return text;
  std::string out;
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto b = static_cast<unsigned char>(text[i]);
    std::size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : 4;
    auto w = display_width(std::string_view(text).substr(i, len));
    if (width + w + 1 > max) break;  // keep one column for the ellipsis; wide characters take two
    out.append(text, i, len);
    width += w;
    i += len;
  }
  return out + "…";
}

const char* tone_code(Tone tone) {
  switch (tone) {
    case Tone::good: return "\x1b[32m";
    case Tone::warn: return "\x1b[33m";
    case Tone::bad: return "\x1b[31;1m";
    case Tone::dim: return "\x1b[2m";
    case Tone::strong: return "\x1b[1m";
    case Tone::plain: return "";
  }
  return "";
}

std::string paint(const std::string& text, Tone tone, bool color) {
  if (!color || tone == Tone::plain) return text;
  return fmt::format("{}{}\x1b[0m", tone_code(tone), text);
}

std::string pad(const std::string& painted, std::size_t width, std::size_t target, bool right) {
  std::string spaces(target > width ? target - width : 0, ' ');
  return right ? spaces + painted : painted + spaces;
}

// Escapes like decode::escape_for_terminal but leaves backslashes alone (JSON text, globs).
std::string escape_keeping_backslashes(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\\') {
      out += decode::escape_for_terminal(text.substr(start, i - start));
      if (i < text.size()) out.push_back('\\');
      start = i + 1;
    }
  }
  return out;
}

std::string escape_cell(const Cell& cell) {
  return cell.verbatim_backslashes ? escape_keeping_backslashes(cell.text) : decode::escape_for_terminal(cell.text);
}

void render_fields(std::string& out, const Fields& f, bool color) {
  if (!f.title.empty()) out += paint(decode::escape_for_terminal(f.title), Tone::strong, color) + "\n";
  std::size_t key_width = 0;
  std::vector<std::string> keys;
  for (const auto& [key, value] : f.items) {
    keys.push_back(decode::escape_for_terminal(key) + ":");
    key_width = std::max(key_width, display_width(keys.back()));
  }
  std::string indent = f.title.empty() ? "" : "  ";
  for (std::size_t i = 0; i < f.items.size(); ++i) {
    const auto& value = f.items[i].second;
    out += indent + pad(keys[i], display_width(keys[i]), key_width + 1, false);
    out += paint(escape_cell(value), value.tone, color) + "\n";
  }
}

// Shortens the widest columns until the rows fit `width` terminal columns (0: no limit).
// Only the widest is cut each round, so short columns (types, TTLs, counts) stay whole.
void fit_table_width(std::vector<std::vector<std::string>>& cells, std::vector<std::size_t>& widths,
                     const std::vector<std::size_t>& header_widths, std::size_t width) {
  if (width == 0 || widths.empty()) return;
  for (std::size_t round = 0; round < widths.size(); ++round) {
    std::size_t total = 2 * (widths.size() - 1);
    for (auto w : widths) total += w;
    if (total <= width) return;
    auto widest = static_cast<std::size_t>(std::max_element(widths.begin(), widths.end()) - widths.begin());
    auto floor = std::max(k_min_fitted_column, header_widths[widest]);
    if (widths[widest] <= floor) return;
    auto target = std::max(floor, widths[widest] - std::min(widths[widest], total - width));
    widths[widest] = target;
    for (auto& line : cells) line[widest] = truncate(std::move(line[widest]), target);
  }
}

void render_rows(std::string& out, const Table& t, bool color, std::size_t width) {
  if (!t.title.empty()) out += paint(decode::escape_for_terminal(t.title), Tone::strong, color) + "\n";
  std::size_t n = t.columns.size();
  std::vector<std::size_t> widths(n, 0);
  std::vector<std::vector<std::string>> cells;
  for (std::size_t c = 0; c < n; ++c) widths[c] = display_width(decode::escape_for_terminal(t.columns[c]));
  auto header_widths = widths;
  for (const auto& row : t.rows) {
    auto& line = cells.emplace_back();
    for (std::size_t c = 0; c < n; ++c) {
      line.push_back(c < row.size() ? escape_cell(row[c]) : std::string{});
      widths[c] = std::max(widths[c], display_width(line.back()));
    }
  }
  fit_table_width(cells, widths, header_widths, width);
  auto right = [&](std::size_t c) { return c < t.numeric.size() && t.numeric[c]; };
  std::string header;
  for (std::size_t c = 0; c < n; ++c) {
    auto name = decode::escape_for_terminal(t.columns[c]);
    auto text = c + 1 == n && !right(c) ? name : pad(name, display_width(name), widths[c], right(c));
    header += (c ? "  " : "") + text;
  }
  out += paint(header, Tone::dim, color) + "\n";
  for (std::size_t r = 0; r < cells.size(); ++r) {
    std::string line;
    for (std::size_t c = 0; c < n; ++c) {
      auto tone = c < t.rows[r].size() ? t.rows[r][c].tone : Tone::plain;
      auto w = display_width(cells[r][c]);
      auto painted = paint(cells[r][c], tone, color);
      line += (c ? "  " : "") + (c + 1 == n && !right(c) ? painted : pad(painted, w, widths[c], right(c)));
    }
    out += line + "\n";
  }
}

void render_text(std::string& out, const Text& text, bool color) {
  auto escape = [&](std::string_view s) {
    return text.verbatim_backslashes ? escape_keeping_backslashes(s) : decode::escape_for_terminal(s);
  };
  if (!text.multiline) {
    out += paint(escape(text.text), text.tone, color) + "\n";
    return;
  }
  std::size_t start = 0;
  while (true) {
    auto end = text.text.find('\n', start);
    auto line = std::string_view(text.text).substr(start, end == std::string::npos ? std::string::npos : end - start);
    out += paint(escape(line), text.tone, color) + "\n";
    if (end == std::string::npos || end + 1 == text.text.size()) break;
    start = end + 1;
  }
}

}  // namespace

std::string render_table(const Document& doc, bool color, std::size_t width) {
  std::string out;
  bool first = true;
  for (const auto& block : doc.blocks) {
    if (std::holds_alternative<RawBytes>(block)) {
      out += std::get<RawBytes>(block).bytes;
      continue;
    }
    if (!first && !std::holds_alternative<Text>(block)) out += "\n";
    first = false;
    if (auto* f = std::get_if<Fields>(&block)) render_fields(out, *f, color);
    else if (auto* t = std::get_if<Table>(&block)) render_rows(out, *t, color, width);
    else if (auto* x = std::get_if<Text>(&block)) render_text(out, *x, color);
  }
  return out;
}

namespace {

// Rewrites C1 controls (U+0080..U+009F: U+009B is a CSI to some terminals) and bidi
// overrides and isolates (U+202A..U+202E, U+2066..U+2069: they reorder what is shown) as
// \u escapes, so JSON printed to a terminal cannot drive it or disguise text; parsers read
// the same string either way. The dump is valid UTF-8 and these code points occur only inside
// strings, and a lead byte never appears as a continuation, so matching bytes is exact.
std::string escape_json_invisibles(std::string text) {
  auto is_hidden = [](const std::string& s, std::size_t i, std::size_t& len, unsigned& cp) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    if (b(0) == 0xc2 && i + 1 < s.size() && b(1) >= 0x80 && b(1) <= 0x9f) {
      len = 2, cp = b(1);
      return true;
    }
    if (b(0) != 0xe2 || i + 2 >= s.size()) return false;
    len = 3, cp = 0x2000 | ((b(1) & 0x3fu) << 6) | (b(2) & 0x3fu);
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
  };
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t len = 0;
    unsigned cp = 0;
    if (!is_hidden(text, i, len, cp)) continue;
    out.append(text, copied, i - copied);
    out += fmt::format("\\u{:04x}", cp);
    i += len - 1;
    copied = i + 1;
  }
  if (copied == 0) return text;
  out.append(text, copied);
  return out;
}

}  // namespace

std::string render_json(const nlohmann::ordered_json& json) {
  // `replace` keeps the output valid even if a caller forgot decode::json_bytes somewhere.
  return escape_json_invisibles(json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
}

}  // namespace rctl::output
