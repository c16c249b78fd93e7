#include "client/command.hpp"

#include <algorithm>

namespace rctl::client {

std::string Command::name() const {
  if (args.empty()) return {};
  std::string out = args.front();
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

Command cmd(std::initializer_list<std::string_view> args) {
  Command c;
  c.args.reserve(args.size());
  for (auto a : args) c.args.emplace_back(a);
  return c;
}

Command keyed(std::initializer_list<std::string_view> args) {
  auto c = cmd(args);
  c.key_index = 1;
  return c;
}

Command cmd(std::vector<std::string> args) {
  Command c;
  c.args = std::move(args);
  return c;
}

}  // namespace rctl::client
