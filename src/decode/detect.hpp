#pragma once
// What a value from Redis is, and its decoded form: the one entry point the ops layer uses
// for showing cached values, sessions, job data and results.
//
// Auto-detection, in this order (first match wins):
//   empty                                   -> empty
//   0x80 then a protocol byte 2..5          -> pickle
//   zlib (78 01/5e/9c/da...) or gzip header -> inflate (capped) and detect again, once
//   '{' or '[' (after whitespace), or a whole-text JSON string/number -> json
//     (true/false/null alone are left as text)
//   first byte fixmap/fixarray/map16/map32/array16/array32, and one msgpack object that
//     consumes every byte                   -> msgpack
//   protocol 0/1 pickle shape (starts with ( ] } c, ends with '.') that reads completely
//                                           -> pickle
//   valid UTF-8                             -> utf8_text
//   anything else                           -> binary
// A value that looks like a format but does not decode falls through to the next rules,
// and the reason is kept in DecodedValue::note.

#include "decode/json_reader.hpp"
#include "decode/msgpack_reader.hpp"
#include "decode/pickle/reader.hpp"
#include "decode/zlib_inflate.hpp"
#include "util/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rctl::decode {

// What the bytes of a value are.
enum class Format { json, pickle, msgpack, zlib, utf8_text, binary, empty };

// How to decode: detect, or force one reading (`--decode` on the command line).
enum class Mode { auto_detect, raw, json, pickle, msgpack, hex, base64 };

// Stable lowercase names ("json", "utf8_text", ...; modes: "auto", "raw", "hex", ...).
const char* to_string(Format format);
const char* to_string(Mode mode);

// The Mode named `name` (as to_string(Mode) spells it). Fails with ErrorKind::usage
// ("unknown decode mode 'x' (expected auto, raw, json, pickle, msgpack, hex or base64)").
Expected<Mode> parse_mode(std::string_view name);

// Limits for every decoder decode() may run.
struct DecodeLimits {
  std::size_t max_inflated_bytes = k_default_max_inflated_bytes;
  PickleLimits pickle;
  MsgpackLimits msgpack;
  JsonLimits json;
};

// A decoded value.
struct DecodedValue {
  // What the value is; for a compressed value, what it was after inflating (see compressed).
  // Format::zlib only when compressed data could not be inflated or was compressed twice.
  Format format = Format::empty;
  // The value as JSON: the decoded structure for json/pickle/msgpack; for utf8_text a
  // JSON string; for binary/zlib {"base64": ...}; in hex/base64 modes the encoded text.
  // Empty only for Format::empty.
  std::optional<nlohmann::ordered_json> data;
  bool compressed = false;  // the value was zlib/gzip and `data` is of the inflated bytes
  std::string note;  // for people: "zlib-compressed, 812 bytes inflated; pickle protocol 5"
};

// The format auto-detection would report for `bytes`, without inflating compressed data
// (a compressed value is Format::zlib). Runs the decoders it needs to be sure.
Format detect(std::string_view bytes, const DecodeLimits& limits = {});

// Decodes `bytes` in `mode`. Mode::auto_detect never fails (undecodable values come back as
// utf8_text or binary, with the reason in `note`). A forced json/pickle/msgpack mode
// inflates zlib/gzip first when the header says so, then fails with ErrorKind::protocol
// "value is not valid <format>: <reason>" if the bytes are not that format. raw, hex and
// base64 never fail and never inflate.
Expected<DecodedValue> decode(std::string_view bytes, Mode mode = Mode::auto_detect, const DecodeLimits& limits = {});

// decode(bytes) in auto mode for a scan that reads a few fields of many values (session
// stats): format, compressed and note are the same, but a pickle whose result is a JSON
// object keeps only its top-level members named in `names` (read_pickle_members: the rest
// is never built). Values of other formats are decoded whole. Fails as decode() does.
Expected<DecodedValue> decode_members(std::string_view bytes, const std::vector<std::string>& names,
                                      const DecodeLimits& limits = {});

}  // namespace rctl::decode
