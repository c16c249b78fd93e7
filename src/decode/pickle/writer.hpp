#pragma once
// Pickle protocol 2 writer for JSON-like values: what `rctl job enqueue` needs to put an
// RQ job into Redis (formats.md §1.3; accepted by RQ 1.13 and 2.x workers).
//
// Opcodes used: PROTO 2, BINUNICODE (str), NONE, NEWTRUE/NEWFALSE, BININT (int32), LONG1
// (larger ints), BINFLOAT, EMPTY_LIST [+ MARK ... APPENDS], EMPTY_DICT [+ MARK ... SETITEMS],
// MARK ... TUPLE, STOP. No memo, no globals: the output never refers to any class.

#include "util/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rctl::decode {

// Deepest JSON nesting the writer accepts.
inline constexpr std::size_t k_pickle_writer_max_depth = 128;

// The pickle of `value`: arrays become lists, objects dicts, numbers int/float, strings
// str. Fails (ErrorKind::usage) for a string that is not valid UTF-8, a binary value, or
// nesting deeper than k_pickle_writer_max_depth.
Expected<std::string> encode_pickle(const nlohmann::ordered_json& value);
Expected<std::string> encode_pickle(const nlohmann::json& value);

// The pickle of RQ's job tuple `(func_name, None, tuple(args), kwargs)`; `args` must be a
// JSON array (it becomes a tuple) and `kwargs` a JSON object. Fails (ErrorKind::usage) if
// not, if func_name is empty or not UTF-8, or as encode_pickle. Not compressed: RQ stores
// zlib of this (see decode::deflate).
Expected<std::string> encode_rq_job_data(std::string_view func_name, const nlohmann::ordered_json& args,
                                         const nlohmann::ordered_json& kwargs);
Expected<std::string> encode_rq_job_data(std::string_view func_name, const nlohmann::json& args,
                                         const nlohmann::json& kwargs);

}  // namespace rctl::decode
