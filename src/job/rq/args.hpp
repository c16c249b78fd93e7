#pragma once
// The argument grammar of `rq enqueue` (RQ 1.13 rq/cli/helpers.py parse_function_arg(s)),
// for `rctl job enqueue FUNC [ARGS...]`:
//
//   value        positional str            key=value     keyword str
//   :json        positional JSON value     key:=json     keyword JSON value
//   @file        positional str read from the file   (also :@file, key=@file, key:=@file)
//   %literal     Python literal_eval: refused (rctl never evaluates Python; use :json)
//
// As in RQ: a keyword is recognised only when '=' is not the first character; ":=" means
// JSON only when the first ':' of the argument is right before the first '='; a keyword
// may be given once. Files are read as text like Python's open(): UTF-8, with \r\n and \r
// turned into \n.

#include "util/error.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rctl::job::rq {

// Largest @file accepted.
inline constexpr std::size_t k_max_argument_file_bytes = 16 * 1024 * 1024;

// The function's arguments: `args` a JSON array, `kwargs` a JSON object (in the order given).
struct JobArguments {
  nlohmann::ordered_json args = nlohmann::ordered_json::array();
  nlohmann::ordered_json kwargs = nlohmann::ordered_json::object();
};

// Reads a whole file as bytes; fails (ErrorKind::usage) when it cannot.
using ArgumentFileReader = std::function<Expected<std::string>(const std::string& path)>;

// Reads a file from disk, up to k_max_argument_file_bytes.
Expected<std::string> read_argument_file(const std::string& path);

// Parses `arguments` in the grammar above. Fails (ErrorKind::usage) naming the argument:
// JSON that does not parse, an integer JSON cannot give exactly (outside -2^63..2^64-1),
// a %literal, a repeated keyword, text that is not UTF-8, or a file that cannot be read.
Expected<JobArguments> parse_job_arguments(const std::vector<std::string>& arguments,
                                           const ArgumentFileReader& read_file = read_argument_file);

// Parses one JSON value given on the command line (the same checks as :json arguments);
// `what` names it in errors ("--meta").
Expected<nlohmann::ordered_json> parse_json_argument(const std::string& text, const std::string& what);

}  // namespace rctl::job::rq
