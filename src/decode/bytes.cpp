// Placeholder until the decode branch lands (it replaces this file).
#include "decode/bytes.hpp"

#include <fmt/format.h>

namespace rctl::decode {

namespace {

// Length of the UTF-8 sequence at `s[i]`, or 0 if invalid; sets `cp`.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = len == 1 ? b : len == 2 ? (b & 0x1f) : len == 3 ? (b & 0x0f) : (b & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 2) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp;
    auto n = utf8_sequence(text, i, cp);
    if (!n) return false;
    i += n;
  }
  return true;
}

std::string escape_for_terminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    auto n = utf8_sequence(text, i, cp);
    if (!n) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (cp == '\\') out += "\\\\";
    else if (cp == '\n') out += "\\n";
    else if (cp == '\r') out += "\\r";
    else if (cp == '\t') out += "\\t";
    else if (cp < 0x20 || cp == 0x7f) out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    else if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
             (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029)
      out += fmt::format("\\u{{{:x}}}", static_cast<unsigned>(cp));
    else out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

std::string base64_encode(std::string_view in) {
  static constexpr char k_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += {k_chars[v >> 18], k_chars[(v >> 12) & 63], k_chars[(v >> 6) & 63], k_chars[v & 63]};
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += {k_chars[v >> 18], k_chars[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += {k_chars[v >> 18], k_chars[(v >> 12) & 63], k_chars[(v >> 6) & 63], '='};
  }
  return out;
}

Expected<std::string> base64_decode(std::string_view, bool) {
  return fail(ErrorKind::internal, "base64_decode placeholder");
}

nlohmann::json json_bytes(std::string_view bytes) {
  if (is_valid_utf8(bytes)) return std::string(bytes);
  return nlohmann::json{{"base64", base64_encode(bytes)}};
}

}  // namespace rctl::decode
