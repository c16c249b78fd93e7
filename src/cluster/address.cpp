#include "cluster/address.hpp"

#include <fmt/format.h>

namespace rctl::cluster {

std::string to_string(const NodeAddress& address) {
  // Redis itself prints "::1:6379" in MOVED; we bracket so the text can be pasted into a URL
  // and parsed back unambiguously.
  if (address.host.find(':') != std::string::npos) return fmt::format("[{}]:{}", address.host, address.port);
  return fmt::format("{}:{}", address.host, address.port);
}

}  // namespace rctl::cluster
