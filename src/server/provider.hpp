#pragma once
// Guessing the hosting provider from the host name, so reports can say "AWS ElastiCache"
// and hints can be specific (TLS always on for Upstash, port 6380 on Azure...).

#include "net/endpoint.hpp"

#include <string>

namespace rctl::server {

struct Provider {
  std::string id;  // "aws-elasticache", "aws-elasticache-serverless", "upstash", "azure-cache",
      // "azure-managed-redis", "redis-cloud", "digitalocean", "railway", "local",
      // "private-network", "unknown"
  std::string name;  // for people: "AWS ElastiCache"
};

// The provider suggested by `endpoint`'s host name (or "local" for loopback/unix sockets).
Provider guess_provider(const net::Endpoint& endpoint);

}  // namespace rctl::server
