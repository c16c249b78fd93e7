#pragma once
// A fake process environment for the config tests: the variables given, nothing else.

#include "config/settings.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace rctl::test {

inline config::Environment env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace rctl::test
