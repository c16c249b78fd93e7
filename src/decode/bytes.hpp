#pragma once
// Placeholder until the decode branch lands (it replaces this file).

#include "util/error.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace rctl::decode {

bool is_valid_utf8(std::string_view text);
std::string escape_for_terminal(std::string_view text);
std::string to_hex(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
Expected<std::string> base64_decode(std::string_view text, bool url_safe = false);
nlohmann::json json_bytes(std::string_view bytes);

}  // namespace rctl::decode
