#pragma once
// RESP command encoding: every command is an array of bulk strings (binary safe).

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::resp {

// Appends `*N\r\n$len\r\narg\r\n...` for `args` to `out`.
void append_command(std::string& out, std::span<const std::string> args);
void append_command(std::string& out, std::initializer_list<std::string_view> args);

// Returns the encoding of one command.
std::string encode_command(std::span<const std::string> args);

}  // namespace rctl::resp
