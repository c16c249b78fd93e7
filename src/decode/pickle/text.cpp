#include "decode/pickle/text.hpp"

#include "decode/bytes.hpp"
#include "util/strings.hpp"

#include <charconv>
#include <limits>

namespace rctl::decode::pickle {

void assign_qualified_name(std::string& out, std::string_view module, std::string_view name) {
  if (module == "__builtin__" || module == "exceptions") module = "builtins";
  if (module == "copy_reg") module = "copyreg";
  out.assign(module);
  out += '.';
  out += name;
}

bool unquote_string_literal(std::string_view line, std::string& out) {
  if (line.size() < 2 || line.front() != line.back() || (line.front() != '\'' && line.front() != '"')) {
    return false;
  }
  const std::string_view body = line.substr(1, line.size() - 2);
  out.clear();
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i == body.size()) return false;  // Python: "Trailing \ in string"
    const char e = body[i];
    switch (e) {
      case '\n': break;  // line continuation
      case '\\': out.push_back('\\'); break;
      case '\'': out.push_back('\''); break;
      case '"': out.push_back('"'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'v': out.push_back('\v'); break;
      case 'x': {
        if (i + 2 >= body.size()) return false;
        const int hi = util::hex_value(body[i + 1]);
        const int lo = util::hex_value(body[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0';
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k) {
            v = v * 8 + (body[++i] - '0');
          }
          out.push_back(static_cast<char>(v & 0xff));
        } else {
          // Unknown escapes are kept as written.
          out.push_back('\\');
          out.push_back(e);
        }
    }
  }
  return true;
}

namespace {

// A surrogate code point in the 3-byte form Python's "surrogatepass" writes (and
// BINUNICODE therefore carries): not valid UTF-8, so it is repaired when rendered,
// the same way whichever protocol the str came from.
void append_surrogate(std::string& out, std::uint32_t cp) {
  out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
  out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
  out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
}

}  // namespace

bool decode_raw_unicode_escape(std::string_view raw, std::string& out) {
  out.clear();
  out.reserve(raw.size());
  std::uint32_t pending_high = 0;  // a high surrogate waiting for its low half
  auto flush_pending = [&] {
    if (pending_high != 0) append_surrogate(out, pending_high);
    pending_high = 0;
  };
  std::size_t backslashes = 0;  // length of the current run of literal backslashes
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    const bool escape = backslashes % 2 == 1 && (c == 'u' || c == 'U');
    if (!escape) {
      // A backslash that opens an escape must not separate a surrogate pair.
      const bool opens_escape =
          c == '\\' && backslashes % 2 == 0 && i + 1 < raw.size() && (raw[i + 1] == 'u' || raw[i + 1] == 'U');
      if (!opens_escape) flush_pending();
      append_utf8(out, static_cast<unsigned char>(c));
      backslashes = c == '\\' ? backslashes + 1 : 0;
      continue;
    }
    out.pop_back();  // the backslash that starts this escape
    backslashes = 0;
    const std::size_t digits = c == 'u' ? 4 : 8;
    if (raw.size() - i - 1 < digits) return false;
    std::uint32_t cp = 0;
    for (std::size_t k = 1; k <= digits; ++k) {
      const int h = util::hex_value(raw[i + k]);
      if (h < 0) return false;
      cp = cp * 16 + static_cast<std::uint32_t>(h);
    }
    i += digits;
    if (cp > 0x10ffff) return false;
    if (cp >= 0xdc00 && cp <= 0xdfff && pending_high != 0) {
      append_utf8(out, 0x10000 + ((pending_high - 0xd800) << 10) + (cp - 0xdc00));
      pending_high = 0;
      continue;
    }
    flush_pending();
    if (cp >= 0xd800 && cp <= 0xdbff) {
      pending_high = cp;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      append_surrogate(out, cp);
    } else {
      append_utf8(out, cp);
    }
  }
  flush_pending();
  return true;
}

bool parse_float_text(std::string_view text, double& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_index(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && text.front() != '-';
}

}  // namespace rctl::decode::pickle
