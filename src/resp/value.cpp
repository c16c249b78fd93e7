#include "resp/value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>

namespace rctl::resp {

namespace {

// debug_string() goes into log lines and error messages, where one reply must not
// flood the output: everything it renders is capped.
constexpr std::size_t k_debug_max_length = 512;  // output budget; one last atom may overrun it
constexpr std::size_t k_debug_max_string_bytes = 64;  // bytes shown of one string
constexpr std::size_t k_debug_max_elements = 8;  // elements (map: pairs) shown of one aggregate
constexpr std::size_t k_debug_max_depth = 8;  // deeper aggregates render as [...]

class DebugPrinter {
 public:
  std::string take() { return std::move(m_out); }

  void value(const Value& v, std::size_t depth) {
    if (!room()) return;
    switch (v.type) {
      case Type::simple_string:
      case Type::bulk_string: quoted(v.str); return;
      case Type::error:
        put("(error) ");
        quoted(v.str);
        return;
      case Type::verbatim_string:
        put("(");
        escaped(std::string_view(v.format).substr(0, k_debug_max_string_bytes));
        put(") ");
        quoted(v.str);
        return;
      case Type::integer: put(fmt::format("{}", v.integer)); return;
      case Type::null: put("null"); return;
      case Type::boolean: put(v.integer != 0 ? "true" : "false"); return;
      case Type::double_number: put(fmt::format("{}", v.number)); return;
      case Type::big_number:
        put("(big number) ");
        quoted(v.str);
        return;
      case Type::array: list(v, "[", "]", depth); return;
      case Type::set: list(v, "~[", "]", depth); return;
      case Type::push: list(v, ">[", "]", depth); return;
      case Type::map: map(v, depth); return;
    }
    put("(unknown type)");
  }

 private:
  // Once the budget is spent the output ends in "..." and nothing more is added.
  bool room() {
    if (m_truncated) return false;
    if (m_out.size() < k_debug_max_length) return true;
    m_out += "...";
    m_truncated = true;
    return false;
  }

  void put(std::string_view s) {
    if (!m_truncated) m_out += s;
  }

  // Quotes and control/non-ASCII bytes are escaped so the result stays one printable line.
  void escaped(std::string_view shown) {
    if (m_truncated) return;
    for (unsigned char c : shown) {
      if (c == '"' || c == '\\') {
        m_out += '\\';
        m_out += static_cast<char>(c);
      } else if (c < 0x20 || c >= 0x7f) {
        fmt::format_to(std::back_inserter(m_out), "\\x{:02x}", c);
      } else {
        m_out += static_cast<char>(c);
      }
    }
  }

  void quoted(std::string_view s) {
    if (m_truncated) return;
    const auto shown = s.substr(0, k_debug_max_string_bytes);
    m_out += '"';
    escaped(shown);
    m_out += '"';
    if (shown.size() < s.size()) fmt::format_to(std::back_inserter(m_out), "... (+{} bytes)", s.size() - shown.size());
  }

  void more(std::size_t hidden) {
    if (hidden > 0) put(fmt::format(", ... (+{} more)", hidden));
  }

  void list(const Value& v, std::string_view open, std::string_view close, std::size_t depth) {
    if (depth >= k_debug_max_depth && !v.elements.empty()) {
      put(open);
      put("...");
      put(close);
      return;
    }
    put(open);
    const auto shown = std::min(v.elements.size(), k_debug_max_elements);
    for (std::size_t i = 0; i < shown && room(); ++i) {
      if (i > 0) put(", ");
      value(v.elements[i], depth + 1);
    }
    more(v.elements.size() - shown);
    put(close);
  }

  void map(const Value& v, std::size_t depth) {
    if (depth >= k_debug_max_depth && !v.elements.empty()) {
      put("{...}");
      return;
    }
    put("{");
    const auto pairs = v.elements.size() / 2;
    const auto shown = std::min(pairs, k_debug_max_elements);
    for (std::size_t i = 0; i < shown && room(); ++i) {
      if (i > 0) put(", ");
      value(v.elements[2 * i], depth + 1);
      put(": ");
      value(v.elements[2 * i + 1], depth + 1);
    }
    more(pairs - shown);
    put("}");
  }

  std::string m_out;
  bool m_truncated = false;
};

}  // namespace

const char* to_string(Type type) {
  switch (type) {
    case Type::simple_string: return "simple string";
    case Type::error: return "error";
    case Type::integer: return "integer";
    case Type::bulk_string: return "bulk string";
    case Type::array: return "array";
    case Type::null: return "null";
    case Type::boolean: return "boolean";
    case Type::double_number: return "double";
    case Type::big_number: return "big number";
    case Type::verbatim_string: return "verbatim string";
    case Type::map: return "map";
    case Type::set: return "set";
    case Type::push: return "push";
  }
  return "unknown";
}

std::string debug_string(const Value& value) {
  DebugPrinter printer;
  printer.value(value, 0);
  return printer.take();
}

}  // namespace rctl::resp
