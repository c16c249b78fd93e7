#pragma once
// Where a cluster node can be reached: announced host (hostname or IP) and port.

#include <string>

namespace rctl::cluster {

// The highest TCP port number, for parsing announced and redirected addresses.
inline constexpr int k_max_port = 65535;

struct NodeAddress {
  std::string host;  // hostname or IP as announced; empty means "the host we are talking to"
  int port = 0;  // 0: no port usable for our transport is known

  bool operator==(const NodeAddress&) const = default;
};

// "host:port", with IPv6 literals bracketed ("[::1]:6379"), for messages and map keys.
std::string to_string(const NodeAddress& address);

}  // namespace rctl::cluster
