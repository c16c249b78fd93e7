#include "decode/detect.hpp"

#include "decode/bytes.hpp"

#include <array>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace rctl::decode {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::array<std::pair<Mode, const char*>, 7> k_modes = {{
    {Mode::auto_detect, "auto"},
    {Mode::raw, "raw"},
    {Mode::json, "json"},
    {Mode::pickle, "pickle"},
    {Mode::msgpack, "msgpack"},
    {Mode::hex, "hex"},
    {Mode::base64, "base64"},
}};

unsigned byte_at(std::string_view b, std::size_t i) { return static_cast<unsigned char>(b[i]); }

bool has_pickle_header(std::string_view b) {
  return b.size() >= 2 && byte_at(b, 0) == 0x80 && byte_at(b, 1) >= 2 && byte_at(b, 1) <= 5;
}

// Protocol 0/1 pickles have no header; only a complete read makes them pickle.
bool has_old_pickle_shape(std::string_view b) {
  if (b.size() < 2 || b.back() != '.') return false;
  const char c = b.front();
  return c == '(' || c == ']' || c == '}' || c == 'c';
}

// '{' or '[' after whitespace; or a JSON string/number, which must be the whole text.
// true/false/null alone stay text: they are more likely words than JSON.
bool looks_like_json(std::string_view b, bool& structured) {
  const auto start = b.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  const char c = b[start];
  structured = c == '{' || c == '[';
  return structured || c == '"' || c == '-' || (c >= '0' && c <= '9');
}

bool looks_like_msgpack(std::string_view b) {
  if (b.empty()) return false;
  const unsigned c = byte_at(b, 0);
  return (c >= 0x80 && c <= 0x9f) || (c >= 0xdc && c <= 0xdf);
}

// "pickle: truncated" -> "truncated"; messages without a decoder prefix are kept whole.
std::string reason(const Error& error) {
  for (const char* prefix : {"pickle: ", "msgpack: ", "json: ", "zlib: "}) {
    if (error.message.starts_with(prefix)) return error.message.substr(std::string_view(prefix).size());
  }
  return error.message;
}

std::string pickle_note(const PickleResult& r, std::size_t size) {
  // Built without fmt and in one allocation (the 16-byte start alone took one, the digit a
  // second): this runs once per value of a scan, and the protocol is one digit.
  std::string note;
  note.reserve(24);
  note = "pickle protocol ";
  if (r.protocol >= 2 && r.protocol <= 9) note += static_cast<char>('0' + r.protocol);
  else if (r.protocol >= 2) note += std::to_string(r.protocol);
  else note += "0 or 1";
  if (r.consumed < size) note += fmt::format(", {} bytes after STOP ignored", size - r.consumed);
  return note;
}

Format text_or_binary(std::string_view b) {
  if (b.empty()) return Format::empty;
  return is_valid_utf8(b) ? Format::utf8_text : Format::binary;
}

DecodedValue finish(DecodedValue v, const std::vector<std::string>& notes) {
  for (const auto& n : notes) {
    if (!v.note.empty()) v.note += "; ";
    v.note += n;
  }
  return v;
}

// Auto-detection (rules in detect.hpp). `inflate` is false inside an inflated value: one
// layer of compression is undone, never a chain of them.
// `members`: see decode_members() (nullptr: the whole value).
DecodedValue auto_decode(std::string_view b, const DecodeLimits& limits, bool inflate,
                         const std::vector<std::string>* members = nullptr) {
  DecodedValue out;
  std::vector<std::string> notes;
  if (b.empty()) return out;

  if (has_pickle_header(b)) {
    auto r = members ? read_pickle_members(b, *members, limits.pickle) : read_pickle(b, limits.pickle);
    if (r) {
      out.format = Format::pickle;
      out.note = pickle_note(*r, b.size());
      out.data = std::move(r->value);
      return out;
    }
    notes.push_back("not valid pickle: " + reason(r.error()));
  }

  if (looks_like_zlib(b) || looks_like_gzip(b)) {
    const char* kind = looks_like_gzip(b) ? "gzip" : "zlib";
    if (!inflate) {
      out.format = Format::zlib;
      out.data = json_bytes(b);
      out.note = fmt::format("{}-compressed again; inner layer not inflated", kind);
      return out;
    }
    auto inflated = inflate_capped(b, limits.max_inflated_bytes);
    if (inflated) {
      DecodedValue inner = auto_decode(*inflated, limits, false, members);
      inner.compressed = true;
      std::string note = fmt::format("{}-compressed, {} bytes inflated", kind, inflated->size());
      if (!inner.note.empty()) note += "; " + inner.note;
      inner.note = std::move(note);
      return inner;
    }
    notes.push_back(fmt::format("not valid {}: {}", kind, reason(inflated.error())));
  }

  bool structured = false;
  if (looks_like_json(b, structured)) {
    auto r = read_json(b, limits.json);
    if (r) {
      out.format = Format::json;
      out.data = std::move(*r);
      return finish(std::move(out), notes);
    }
    if (structured) notes.push_back("not valid JSON: " + reason(r.error()));
  }

  // 0x80 is also an empty msgpack map, but one followed by more bytes is never msgpack.
  if (looks_like_msgpack(b) && !has_pickle_header(b)) {
    auto r = read_msgpack(b, limits.msgpack, Trailing::reject);
    if (r) {
      out.format = Format::msgpack;
      out.data = std::move(r->value);
      return finish(std::move(out), notes);
    }
    notes.push_back("not valid msgpack: " + reason(r.error()));
  }

  if (has_old_pickle_shape(b)) {
    auto r = read_pickle(b, limits.pickle);
    if (r && r->consumed == b.size()) {
      out.format = Format::pickle;
      out.note = pickle_note(*r, b.size());
      out.data = std::move(r->value);
      return finish(std::move(out), notes);
    }
  }

  out.format = text_or_binary(b);
  out.data = json_bytes(b);
  return finish(std::move(out), notes);
}

Expected<DecodedValue> forced_decode(std::string_view b, Mode mode, const DecodeLimits& limits) {
  DecodedValue out;
  std::string inflated;
  if (looks_like_zlib(b) || looks_like_gzip(b)) {
    // JSON, pickle and msgpack never start like this; RQ stores job data compressed.
    if (auto r = inflate_capped(b, limits.max_inflated_bytes)) {
      out.note = fmt::format("{}-compressed, {} bytes inflated", looks_like_gzip(b) ? "gzip" : "zlib", r->size());
      out.compressed = true;
      inflated = std::move(*r);
      b = inflated;
    }
  }
  auto add_note = [&out](const std::string& note) { out.note = out.note.empty() ? note : out.note + "; " + note; };
  switch (mode) {
    case Mode::json: {
      auto r = read_json(b, limits.json);
      if (!r) return fail(ErrorKind::protocol, "value is not valid json: " + reason(r.error()));
      out.format = Format::json;
      out.data = std::move(*r);
      return out;
    }
    case Mode::pickle: {
      auto r = read_pickle(b, limits.pickle);
      if (!r) return fail(ErrorKind::protocol, "value is not valid pickle: " + reason(r.error()));
      out.format = Format::pickle;
      add_note(pickle_note(*r, b.size()));
      out.data = std::move(r->value);
      return out;
    }
    case Mode::msgpack: {
      auto r = read_msgpack(b, limits.msgpack, Trailing::reject);
      if (!r) return fail(ErrorKind::protocol, "value is not valid msgpack: " + reason(r.error()));
      out.format = Format::msgpack;
      out.data = std::move(r->value);
      return out;
    }
    default: return fail(ErrorKind::internal, "decode: not a forced format mode");
  }
}

}  // namespace

const char* to_string(Format format) {
  switch (format) {
    case Format::json: return "json";
    case Format::pickle: return "pickle";
    case Format::msgpack: return "msgpack";
    case Format::zlib: return "zlib";
    case Format::utf8_text: return "utf8_text";
    case Format::binary: return "binary";
    case Format::empty: return "empty";
  }
  return "binary";
}

const char* to_string(Mode mode) {
  for (const auto& [m, name] : k_modes) {
    if (m == mode) return name;
  }
  return "auto";
}

Expected<Mode> parse_mode(std::string_view name) {
  for (const auto& [m, n] : k_modes) {
    if (name == n) return m;
  }
  return fail(ErrorKind::usage,
              fmt::format("unknown decode mode '{}' (expected auto, raw, json, pickle, msgpack, hex or base64)",
                          escape_for_terminal(name)));
}

Format detect(std::string_view bytes, const DecodeLimits& limits) {
  try {
    const DecodedValue v = auto_decode(bytes, limits, true);
    return v.compressed ? Format::zlib : v.format;
  } catch (const std::exception&) {
    return text_or_binary(bytes);  // only std::bad_alloc can get here
  }
}

Expected<DecodedValue> decode_members(std::string_view bytes, const std::vector<std::string>& names,
                                      const DecodeLimits& limits) {
  try {
    return auto_decode(bytes, limits, true, &names);
  } catch (const std::bad_alloc&) {
    return fail(ErrorKind::internal, "decode: out of memory");
  }
}

Expected<DecodedValue> decode(std::string_view bytes, Mode mode, const DecodeLimits& limits) {
  try {
    switch (mode) {
      case Mode::auto_detect: return auto_decode(bytes, limits, true);
      case Mode::json:
      case Mode::pickle:
      case Mode::msgpack: return forced_decode(bytes, mode, limits);
      case Mode::raw:
      case Mode::hex:
      case Mode::base64: break;
    }
    DecodedValue out;
    out.format = text_or_binary(bytes);
    if (bytes.empty()) return out;
    if (mode == Mode::raw) out.data = json_bytes(bytes);
    if (mode == Mode::hex) out.data = to_hex(bytes);
    if (mode == Mode::base64) out.data = base64_encode(bytes);
    return out;
  } catch (const std::bad_alloc&) {
    return fail(ErrorKind::internal, "decode: out of memory");
  }
}

}  // namespace rctl::decode
