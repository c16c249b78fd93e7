#include "decode/bytes.hpp"

#include <array>

namespace rctl::decode {

std::size_t decode_utf8_char(std::string_view bytes, std::uint32_t& cp) {
  if (bytes.empty()) return 0;
  const auto b0 = static_cast<unsigned char>(bytes[0]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  std::uint32_t min = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2, min = 0x80, cp = b0 & 0x1fu;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3, min = 0x800, cp = b0 & 0x0fu;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4, min = 0x10000, cp = b0 & 0x07u;
  } else {
    return 0;  // continuation byte, 0xc0/0xc1 (always overlong) or 0xf5..0xff
  }
  if (bytes.size() < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if ((b & 0xc0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3fu);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

bool is_valid_utf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    // ASCII fast path: most values are plain text.
    if (static_cast<unsigned char>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    const std::size_t n = decode_utf8_char(bytes.substr(i), cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

std::string repair_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::uint32_t cp = 0;
    const std::size_t n = decode_utf8_char(bytes.substr(i), cp);
    if (n == 0) {
      append_utf8(out, 0xfffd);
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

namespace {

constexpr char k_hex_digits[] = "0123456789abcdef";

void append_hex_byte(std::string& out, unsigned char b) {
  out += "\\x";
  out.push_back(k_hex_digits[b >> 4]);
  out.push_back(k_hex_digits[b & 0x0f]);
}

void append_code_point_escape(std::string& out, std::uint32_t cp) {
  std::string digits;
  do {
    digits.insert(digits.begin(), k_hex_digits[cp & 0x0f]);
    cp >>= 4;
  } while (cp != 0);
  out += "\\u{";
  out += digits;
  out += '}';
}

// Code points that are valid but change how a terminal shows what follows.
bool is_dangerous_code_point(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string escape_for_terminal(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b < 0x80) {
      switch (b) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (b < 0x20 || b == 0x7f) {
            append_hex_byte(out, b);
          } else {
            out.push_back(static_cast<char>(b));
          }
      }
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    const std::size_t n = decode_utf8_char(bytes.substr(i), cp);
    if (n == 0) {
      append_hex_byte(out, b);
      ++i;
    } else {
      if (is_dangerous_code_point(cp)) {
        append_code_point_escape(out, cp);
      } else {
        out.append(bytes.substr(i, n));
      }
      i += n;
    }
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(k_hex_digits[b >> 4]);
    out.push_back(k_hex_digits[b & 0x0f]);
  }
  return out;
}

namespace {

constexpr char k_b64_standard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char k_b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// 0..63 for alphabet characters, -1 otherwise.
std::array<int, 256> make_reverse_table(const char* alphabet) {
  std::array<int, 256> table{};
  table.fill(-1);
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = i;
  return table;
}

}  // namespace

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet, bool pad) {
  const char* table = alphabet == Base64Alphabet::standard ? k_b64_standard : k_b64_url;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(table[(v >> 18) & 63]);
    out.push_back(table[(v >> 12) & 63]);
    out.push_back(table[(v >> 6) & 63]);
    out.push_back(table[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest != 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(table[(v >> 18) & 63]);
    out.push_back(table[(v >> 12) & 63]);
    if (rest == 2) out.push_back(table[(v >> 6) & 63]);
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

Expected<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet) {
  static const std::array<int, 256> standard = make_reverse_table(k_b64_standard);
  static const std::array<int, 256> url = make_reverse_table(k_b64_url);
  const auto& table = alphabet == Base64Alphabet::standard ? standard : url;

  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  if (alphabet == Base64Alphabet::standard || padding != 0) {
    if (text.size() % 4 != 0) return fail(ErrorKind::protocol, "base64: length is not a multiple of 4");
  }
  const std::string_view body = text.substr(0, text.size() - padding);
  if (body.size() % 4 == 1) return fail(ErrorKind::protocol, "base64: impossible length");

  std::string out;
  out.reserve(body.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : body) {
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) {
      return fail(ErrorKind::protocol, c == '=' ? "base64: misplaced padding" : "base64: invalid character");
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

nlohmann::ordered_json json_bytes(std::string_view bytes) {
  if (is_valid_utf8(bytes)) return nlohmann::ordered_json(std::string(bytes));
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["base64"] = base64_encode(bytes);
  return out;
}

nlohmann::ordered_json tagged_bytes(std::string_view bytes) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["$bytes"] = base64_encode(bytes);
  return out;
}

}  // namespace rctl::decode
