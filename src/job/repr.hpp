#pragma once
// Python's text forms of JSON-like values, byte for byte as CPython 3.11 writes them: repr()
// (for RQ's default job description, `func(args, kw=...)`) and json.dumps() (RQ's
// JSONSerializer). Values are JSON as json.loads would hand them to Python: strings are
// str, integers int, numbers with a fraction or exponent float, arrays list, objects dict.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rctl::job {

// RQ's Job.get_call_string() cuts each argument's repr to this many code points, plus "...".
inline constexpr std::size_t k_rq_description_arg_limit = 75;

// True when CPython's str.isprintable() holds for the code point (repr() leaves it as is).
// Generated table: python_printable.cpp.
bool python_printable(std::uint32_t cp);

// repr() of a str given as UTF-8 (must be valid UTF-8; invalid bytes are shown as \xNN).
std::string python_str_repr(std::string_view utf8);

// repr() of a float: the shortest round-trip digits, exponent form below 1e-4 and from 1e16
// ("1e-05", "1e+16"), ".0" added to whole numbers ("2.0"); "inf", "-inf", "nan".
std::string python_float_repr(double value);

// repr() of the Python value json.loads would make of `value`.
std::string python_repr(const nlohmann::ordered_json& value);

// json.dumps(value) with Python's defaults: ensure_ascii (\uXXXX, surrogate pairs above
// U+FFFF), ", " and ": " separators, floats as repr() writes them.
std::string python_json_dumps(const nlohmann::ordered_json& value);

// RQ's get_call_string(func, args, kwargs, max_length): "func(repr(a1), ..., k=repr(v), ...)",
// keyword arguments sorted by their "k=repr(v)" text, each repr cut to `max_length` code
// points plus "..." when longer (no cut when nullopt). `args` is an array, `kwargs` an object.
std::string rq_call_string(std::string_view func, const nlohmann::ordered_json& args,
                           const nlohmann::ordered_json& kwargs,
                           std::optional<std::size_t> max_length = k_rq_description_arg_limit);

}  // namespace rctl::job
