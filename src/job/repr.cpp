#include "job/repr.hpp"

#include "decode/bytes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace rctl::job {

namespace {

using Json = nlohmann::ordered_json;

// CPython's unicode_repr: single quotes unless the text has ' and no ".
void append_str_repr(std::string& out, std::string_view s) {
  const bool squote = s.find('\'') != std::string_view::npos;
  const bool dquote = s.find('"') != std::string_view::npos;
  const char quote = squote && !dquote ? '"' : '\'';
  out.push_back(quote);
  while (!s.empty()) {
    std::uint32_t cp = 0;
    std::size_t n = decode::decode_utf8_char(s, cp);
    if (n == 0) {  // not UTF-8: cannot come from argv or JSON, shown like bytes
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s.front()));
      s.remove_prefix(1);
      continue;
    }
    if (cp == static_cast<std::uint32_t>(quote) || cp == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7f) {
      out += fmt::format("\\x{:02x}", cp);
    } else if (cp < 0x7f || python_printable(cp)) {
      out.append(s.substr(0, n));
    } else if (cp <= 0xff) {
      out += fmt::format("\\x{:02x}", cp);
    } else if (cp <= 0xffff) {
      out += fmt::format("\\u{:04x}", cp);
    } else {
      out += fmt::format("\\U{:08x}", cp);
    }
    s.remove_prefix(n);
  }
  out.push_back(quote);
}

// Python's json encoder with ensure_ascii: only printable ASCII passes through.
void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  while (!s.empty()) {
    std::uint32_t cp = 0;
    std::size_t n = decode::decode_utf8_char(s, cp);
    if (n == 0) {
      cp = 0xfffd;
      n = 1;
    }
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (cp >= 0x20 && cp < 0x7f) {
          out.push_back(static_cast<char>(cp));
        } else if (cp < 0x10000) {
          out += fmt::format("\\u{:04x}", cp);
        } else {
          const std::uint32_t v = cp - 0x10000;
          out += fmt::format("\\u{:04x}\\u{:04x}", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
        }
    }
    s.remove_prefix(n);
  }
  out.push_back('"');
}

std::string integer_text(const Json& v) {
  return v.is_number_unsigned() ? std::to_string(v.get<std::uint64_t>()) : std::to_string(v.get<std::int64_t>());
}

enum class Style { repr, json };

void append_value(std::string& out, const Json& v, Style style) {
  switch (v.type()) {
    case Json::value_t::null: out += style == Style::repr ? "None" : "null"; return;
    case Json::value_t::boolean:
      out += v.get<bool>() ? (style == Style::repr ? "True" : "true") : (style == Style::repr ? "False" : "false");
      return;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: out += integer_text(v); return;
    case Json::value_t::number_float: {
      const double d = v.get<double>();
      if (style == Style::json && !std::isfinite(d)) out += std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
      else out += python_float_repr(d);
      return;
    }
    case Json::value_t::string:
      if (style == Style::repr) append_str_repr(out, v.get_ref<const std::string&>());
      else append_json_string(out, v.get_ref<const std::string&>());
      return;
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ", ";
        first = false;
        append_value(out, item, style);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) out += ", ";
        first = false;
        if (style == Style::repr) append_str_repr(out, key);
        else append_json_string(out, key);
        out += ": ";
        append_value(out, item, style);
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::binary:
    case Json::value_t::discarded: break;
  }
  out += style == Style::repr ? "None" : "null";
}

// RQ's truncate_long_string, counting code points as Python's len() does.
std::string truncated(std::string text, std::optional<std::size_t> max_length) {
  if (!max_length) return text;
  std::size_t pos = 0, count = 0;
  while (pos < text.size() && count < *max_length) {
    std::uint32_t cp = 0;
    std::size_t n = decode::decode_utf8_char(std::string_view(text).substr(pos), cp);
    pos += n == 0 ? 1 : n;
    ++count;
  }
  if (pos >= text.size()) return text;
  text.resize(pos);
  return text + "...";
}

}  // namespace

std::string python_str_repr(std::string_view utf8) {
  std::string out;
  append_str_repr(out, utf8);
  return out;
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Shortest round-trip digits, as CPython's repr (dtoa mode 0) picks them.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, ec == std::errc() ? static_cast<std::size_t>(end - buf) : 0);
  std::string out;
  if (!sci.empty() && sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  const auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits.push_back(c);
  int exponent = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exponent);
  const int decpt = exponent + 1;  // digits d1 d2 ... with the point after `decpt` of them
  const int ndigits = static_cast<int>(digits.size());
  if (decpt <= -4 || decpt > 16) {
    out.push_back(digits[0]);
    if (ndigits > 1) out += "." + digits.substr(1);
    out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
  } else if (decpt <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
  } else if (decpt >= ndigits) {
    out += digits + std::string(static_cast<std::size_t>(decpt - ndigits), '0') + ".0";
  } else {
    out += digits.substr(0, static_cast<std::size_t>(decpt)) + "." + digits.substr(static_cast<std::size_t>(decpt));
  }
  return out;
}

std::string python_repr(const nlohmann::ordered_json& value) {
  std::string out;
  append_value(out, value, Style::repr);
  return out;
}

std::string python_json_dumps(const nlohmann::ordered_json& value) {
  std::string out;
  append_value(out, value, Style::json);
  return out;
}

std::string rq_call_string(std::string_view func, const nlohmann::ordered_json& args,
                           const nlohmann::ordered_json& kwargs, std::optional<std::size_t> max_length) {
  std::vector<std::string> parts;
  for (const auto& arg : args) parts.push_back(truncated(python_repr(arg), max_length));
  std::vector<std::string> keywords;
  for (const auto& [key, value] : kwargs.items())
    keywords.push_back(key + "=" + truncated(python_repr(value), max_length));
  // Python sorts str by code point, which is the byte order of UTF-8.
  std::sort(keywords.begin(), keywords.end());
  parts.insert(parts.end(), keywords.begin(), keywords.end());
  std::string out(func);
  out.push_back('(');
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ", ";
    out += parts[i];
  }
  out.push_back(')');
  return out;
}

}  // namespace rctl::job
