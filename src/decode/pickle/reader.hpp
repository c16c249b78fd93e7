#pragma once
// Data-only pickle reader (protocols 0-5). An opcode interpreter that builds a tree of
// plain data; nothing named in the pickle is imported, looked up or called.
//
// JSON conventions of the result (nlohmann::ordered_json, dict order preserved):
//   str                      JSON string; each byte of invalid UTF-8 (a lone surrogate) -> U+FFFD
//   int                      JSON integer if it fits int64, else a decimal JSON string
//   float                    JSON number; NaN/infinities as {"$float": "nan" | "inf" | "-inf"}
//   bool / None              true / false / null
//   bytes, bytearray         {"$bytes": "<standard base64>"} (also protocol 0-2's
//                            _codecs.encode(s, 'latin1') spelling, and Python 2 str
//                            (STRING/BINSTRING) that is not UTF-8)
//   list, tuple              JSON array (tuples are not marked)
//   set, frozenset           {"$set": [...]}
//   dict                     JSON object. Non-string keys become strings: int -> "1",
//                            True/False/None -> "True"/"False"/"None", any other key -> the
//                            compact JSON dump of its rendered value (tuple (1, 'a') ->
//                            "[1,\"a\"]"). A later equal key overwrites an earlier one.
//   datetime.datetime        "2026-11-22T03:12:29.967737" (microseconds only when non-zero),
//                            plus "+HH:MM" for a fixed-offset tzinfo (datetime.timezone,
//                            pytz UTC, zoneinfo "UTC"); other tzinfo gives
//                            {"$pickle": "datetime.datetime", "value": <naive>, "tzinfo": ...}
//   datetime.date / .time    "2026-11-22" / "03:12:29.967737" (+offset as above for time)
//   datetime.timedelta       ISO 8601 duration: "P1DT2H3M4.000005S", "-PT1S", "PT0S"
//   decimal.Decimal          its string, e.g. "3.14"
//   uuid.UUID                "0836feb6-11f7-4666-acc7-2d3de7620846"
//   collections.OrderedDict / defaultdict   plain JSON object of the items
//   anything else called     {"$pickle": "module.Name", "args": [...]} plus, when present,
//   (REDUCE/NEWOBJ/INST/OBJ)  "kwargs", "state" (BUILD), "listitems", "dictitems". A class
//                            instance of protocol 0/1 (copyreg._reconstructor(cls, object,
//                            None)) is shown as cls, like protocols 2+; getattr(cls, 'm')
//                            as "module.cls.m"; anything else called is "$pickle": "?"
//                            with the rendered "callable"
//   a bare global            {"$pickle": "module.Name"} (Python 2 module names mapped as
//                            Python 3 does: __builtin__ -> builtins, copy_reg -> copyreg)
//   persistent id            {"$persid": <id>}
//   extension code (EXT1-4)  {"$pickle_ext": <code>}
//   a value containing itself at the point of recursion: {"$cycle": true}
//
// Shared values (memo references) are copied into every place they appear; the copies count
// against the element and output-byte budgets, so a small pickle cannot expand without limit.

#include "util/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rctl::decode {

// Largest pickle accepted.
inline constexpr std::size_t k_pickle_max_input_bytes = 64 * 1024 * 1024;
// Deepest nesting of the JSON result, and of MARKs open at once.
inline constexpr std::size_t k_pickle_max_depth = 128;
// Most values on the interpreter stack at once.
inline constexpr std::size_t k_pickle_max_stack = 1024 * 1024;
// Most values in the result (each copy of a shared value counts), and most nodes the
// interpreter may create or store into containers.
inline constexpr std::size_t k_pickle_max_elements = 1000 * 1000;
// Most memo entries.
inline constexpr std::size_t k_pickle_max_memo = 1000 * 1000;
// Longest single string, bytes or text-opcode line.
inline constexpr std::size_t k_pickle_max_string_bytes = 32 * 1024 * 1024;
// Longest integer: LONG1/LONG4 payload bytes (LONG/INT text: 2.5 digits per byte).
inline constexpr std::size_t k_pickle_max_int_bytes = 256;
// Most string/bytes payload bytes in the result, counting every copy.
inline constexpr std::size_t k_pickle_max_output_bytes = 128 * 1024 * 1024;
// Most bytes of key text made from non-string dict keys, in total (a dict inside a tuple
// used as a key inside a dict inside a tuple ... would double its text at every level).
inline constexpr std::size_t k_pickle_max_key_bytes = 1024 * 1024;

// The limits in force; the defaults are the k_pickle_* constants.
struct PickleLimits {
  std::size_t max_input_bytes = k_pickle_max_input_bytes;
  std::size_t max_depth = k_pickle_max_depth;
  std::size_t max_stack = k_pickle_max_stack;
  std::size_t max_elements = k_pickle_max_elements;
  std::size_t max_memo = k_pickle_max_memo;
  std::size_t max_string_bytes = k_pickle_max_string_bytes;
  std::size_t max_int_bytes = k_pickle_max_int_bytes;
  std::size_t max_output_bytes = k_pickle_max_output_bytes;
  std::size_t max_key_bytes = k_pickle_max_key_bytes;
};

// A decoded pickle.
struct PickleResult {
  nlohmann::ordered_json value;  // the unpickled data, in the conventions above
  std::size_t consumed = 0;  // bytes up to and including STOP; any rest was not read
  int protocol = 0;  // from the PROTO opcode; 0 if there was none
};

// Interprets `bytes` up to the first STOP. Fails with ErrorKind::protocol and a message
// starting "pickle: " — "pickle: truncated", "pickle: unknown opcode 0xNN at offset N",
// "pickle: too deep", "pickle: more than N elements", "pickle: stack underflow", ... — on
// malformed input or when a limit is exceeded. Never throws.
Expected<PickleResult> read_pickle(std::string_view bytes, const PickleLimits& limits = {});

// read_pickle() for a scan that needs a few fields of many values: when the result is a
// JSON object, only its members named in `names` are kept (the rest of a dict is not
// rendered at all when it provably fits the limits). Succeeds and fails as read_pickle().
Expected<PickleResult> read_pickle_members(std::string_view bytes, const std::vector<std::string>& names,
                                           const PickleLimits& limits = {});

}  // namespace rctl::decode
