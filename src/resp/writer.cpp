#include "resp/writer.hpp"

#include <fmt/format.h>

namespace rctl::resp {

namespace {

void append_header(std::string& out, char type, std::size_t n) {
  out.push_back(type);
  fmt::format_to(std::back_inserter(out), "{}\r\n", n);
}

void append_bulk(std::string& out, std::string_view arg) {
  append_header(out, '$', arg.size());
  out.append(arg);
  out.append("\r\n");
}

}  // namespace

void append_command(std::string& out, std::span<const std::string> args) {
  append_header(out, '*', args.size());
  for (const auto& arg : args) append_bulk(out, arg);
}

void append_command(std::string& out, std::initializer_list<std::string_view> args) {
  append_header(out, '*', args.size());
  for (auto arg : args) append_bulk(out, arg);
}

std::string encode_command(std::span<const std::string> args) {
  std::string out;
  append_command(out, args);
  return out;
}

}  // namespace rctl::resp
