#pragma once
// Turns resolved settings (flags > environment) into connection options: the URL is parsed
// here, then individual flags override its parts.

#include "client/connection.hpp"
#include "config/settings.hpp"

#include <string>
#include <vector>

namespace rctl::client {

struct Target {
  ConnectionOptions options;
  bool force_cluster = false;
  int retries = 0;
  std::vector<std::string> warnings;  // URL options ignored, verification turned off, ...
};

// Builds connection options from `settings`; fails with ErrorKind::usage on a bad URL.
Expected<Target> make_target(const config::Settings& settings);

// "rediss://user:****@host:6380/2" style description for messages and -v output.
std::string describe(const ConnectionOptions& options);

}  // namespace rctl::client
