#include "server/provider.hpp"

#include "util/strings.hpp"

#include <arpa/inet.h>

namespace rctl::server {

namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_private_ipv4(const std::string& host) {
  in_addr addr{};
  if (inet_pton(AF_INET, host.c_str(), &addr) != 1) return false;
  auto ip = ntohl(addr.s_addr);
  return (ip >> 24) == 10 || (ip >> 20) == (172 << 4 | 1) || (ip >> 16) == (192 << 8 | 168);
}

}  // namespace

Provider guess_provider(const net::Endpoint& endpoint) {
  if (endpoint.transport == net::Transport::unix_socket) return {"local", "local (unix socket)"};
  auto host = util::to_lower(endpoint.host);
  if (host == "localhost" || host == "::1" || util::starts_with(host, "127.")) return {"local", "local"};
  struct Rule {
    std::string_view suffix;
    Provider provider;
  };
  static const Rule k_rules[] = {
      {".serverless.cache.amazonaws.com", {"aws-elasticache-serverless", "AWS ElastiCache Serverless"}},
      {".cache.amazonaws.com", {"aws-elasticache", "AWS ElastiCache"}},
      {".cache.amazonaws.com.cn", {"aws-elasticache", "AWS ElastiCache"}},
      {".memorydb.amazonaws.com", {"aws-memorydb", "AWS MemoryDB"}},
      {".upstash.io", {"upstash", "Upstash"}},
      {".redis.cache.windows.net", {"azure-cache", "Azure Cache for Redis"}},
      {".redisenterprise.cache.azure.net", {"azure-managed-redis", "Azure Managed Redis"}},
      {".redis.azure.net", {"azure-managed-redis", "Azure Managed Redis"}},
      {".redislabs.com", {"redis-cloud", "Redis Cloud"}},
      {".redis-cloud.com", {"redis-cloud", "Redis Cloud"}},
      {".db.ondigitalocean.com", {"digitalocean", "DigitalOcean Managed Redis"}},
      {".rlwy.net", {"railway", "Railway"}},
      {".railway.internal", {"railway", "Railway"}},
  };
  for (const auto& rule : k_rules)
    if (ends_with(host, rule.suffix)) return rule.provider;
  if (is_private_ipv4(host) || ends_with(host, ".internal") || ends_with(host, ".local") ||
      ends_with(host, ".svc.cluster.local"))
    return {"private-network", "self-hosted (private network)"};
  return {"unknown", "unknown"};
}

}  // namespace rctl::server
