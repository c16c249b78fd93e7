#include "job/rq/args.hpp"

#include "decode/bytes.hpp"
#include "decode/json_reader.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>

namespace rctl::job::rq {

namespace {

using Json = nlohmann::ordered_json;

enum class Mode { text, json };

// Python's json.loads gives exact integers of any size; nlohmann turns integers beyond
// 64 bits into doubles. Rather than silently sending a rounded float, find such literals.
std::optional<std::string> oversized_integer(std::string_view text) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) continue;
    std::size_t end = i;
    bool integral = true;
    while (end < text.size() && (text[end] == '-' || text[end] == '+' || text[end] == '.' || text[end] == 'e' ||
                                 text[end] == 'E' || (text[end] >= '0' && text[end] <= '9'))) {
      if (text[end] == '.' || text[end] == 'e' || text[end] == 'E') integral = false;
      ++end;
    }
    const std::string_view token = text.substr(i, end - i);
    i = end - 1;
    if (!integral) continue;
    std::int64_t s = 0;
    std::uint64_t u = 0;
    const char* first = token.data();
    const char* last = token.data() + token.size();
    if (std::from_chars(first, last, s).ec == std::errc()) continue;
    if (token.front() != '-' && std::from_chars(first, last, u).ec == std::errc()) continue;
    return std::string(token);
  }
  return std::nullopt;
}

// What Python's text-mode open() hands back: UTF-8 with universal newlines.
Expected<std::string> as_text_file(std::string bytes, const std::string& path) {
  if (!decode::is_valid_utf8(bytes)) return fail(ErrorKind::usage, fmt::format("file '{}' is not UTF-8 text", path));
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
    } else {
      out.push_back(bytes[i]);
    }
  }
  return out;
}

}  // namespace

Expected<std::string> read_argument_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::usage, fmt::format("cannot read file '{}'", path));
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(in.gcount()));
    if (data.size() > k_max_argument_file_bytes)
      return fail(ErrorKind::usage, fmt::format("file '{}' is larger than {} bytes", path, k_max_argument_file_bytes));
  }
  if (in.bad()) return fail(ErrorKind::usage, fmt::format("cannot read file '{}'", path));
  return data;
}

Expected<Json> parse_json_argument(const std::string& text, const std::string& what) {
  if (auto big = oversized_integer(text))
    return fail(ErrorKind::usage,
                fmt::format("{}: integer {} is outside the range rctl writes exactly (-2^63 to 2^64-1)", what, *big),
                "pass it as a string, or as a float with a decimal point");
  auto parsed = decode::read_json(text);
  if (!parsed) return fail(ErrorKind::usage, fmt::format("{}: not valid JSON ({})", what, parsed.error().message));
  return std::move(*parsed);
}

Expected<JobArguments> parse_job_arguments(const std::vector<std::string>& arguments,
                                           const ArgumentFileReader& read_file) {
  JobArguments out;
  for (const auto& argument : arguments) {
    if (!decode::is_valid_utf8(argument))
      return fail(ErrorKind::usage,
                  fmt::format("argument '{}' is not UTF-8 text", decode::escape_for_terminal(argument)));
    Mode mode = Mode::text;
    std::optional<std::string> keyword;
    std::string value;
    const auto literal = [&] {
      return fail(
          ErrorKind::usage,
          fmt::format("argument '{}': Python literals (%...) are not supported: rctl never evaluates Python", argument),
          "give the value as JSON instead, e.g. ':[1, 2]' or 'key:={\"a\": 1}'");
    };
    if (argument.starts_with(':')) {
      mode = Mode::json;
      value = argument.substr(1);
    } else if (argument.starts_with('%')) {
      return literal();
    } else {
      const auto eq = argument.find('=');
      if (eq != std::string::npos && eq > 0) {
        const auto colon = argument.find(':');
        const auto percent = argument.find('%');
        if (colon != std::string::npos && colon + 1 == eq) {
          mode = Mode::json;
          keyword = argument.substr(0, eq - 1);
        } else if (percent != std::string::npos && percent + 1 == eq) {
          return literal();
        } else {
          keyword = argument.substr(0, eq);
        }
        value = argument.substr(eq + 1);
      } else {
        value = argument;
      }
    }
    const std::string what = keyword ? fmt::format("keyword argument '{}'", *keyword)
                                     : fmt::format("argument {} ('{}')", out.args.size() + 1, argument);
    if (value.starts_with('@')) {
      const std::string path = value.substr(1);
      auto bytes = read_file(path);
      if (!bytes) return fail(ErrorKind::usage, fmt::format("{}: {}", what, bytes.error().message));
      auto text = as_text_file(std::move(*bytes), path);
      if (!text) return fail(ErrorKind::usage, fmt::format("{}: {}", what, text.error().message));
      value = std::move(*text);
    }
    Json parsed;
    if (mode == Mode::json) {
      auto json = parse_json_argument(value, what);
      if (!json) return std::unexpected(json.error());
      parsed = std::move(*json);
    } else {
      parsed = value;
    }
    if (!keyword) {
      out.args.push_back(std::move(parsed));
      continue;
    }
    if (out.kwargs.contains(*keyword))
      return fail(ErrorKind::usage, fmt::format("keyword argument '{}' is given more than once", *keyword));
    out.kwargs[*keyword] = std::move(parsed);
  }
  return out;
}

}  // namespace rctl::job::rq
