#pragma once
// The ElastiCache IAM auth token (docs.aws.amazon.com/AmazonElastiCache, "Authenticating with
// IAM"): a SigV4 query presign of GET http://<cache-name>/?Action=connect&User=<user>
// [&ResourceType=ServerlessCache] for service "elasticache", valid 900 seconds, sent as the
// AUTH password with the scheme left off. And what can be read from an endpoint's host name.

#include "identity/sigv4.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace rctl::identity {

// How long ElastiCache accepts a token (X-Amz-Expires); a connection made with it lives on.
inline constexpr int k_elasticache_token_seconds = 900;

struct ElastiCacheTokenRequest {
  std::string cache_name;  // replication group id or serverless cache name (lower-cased here)
  std::string user;  // the IAM-enabled ElastiCache user id (= its user name)
  std::string region;
  bool serverless = false;
  std::chrono::sys_seconds time;
};

// The token for `request` signed with `credentials`. Fails with ErrorKind::usage when the
// cache name, user or region is empty; ErrorKind::internal only if libcrypto does.
Expected<util::Secret> elasticache_token(const ElastiCacheTokenRequest& request, const AwsCredentials& credentials);

// What an ElastiCache endpoint's host name says, in AWS's documented forms:
//   master.<rg>.<id>.<rc>.cache.amazonaws.com      replica.<rg>...   clustercfg.<rg>...
//   <rg>.<id>.ng.0001.<rc>.cache.amazonaws.com     <rg>.<id>.clustercfg.<rc>...  (no TLS)
//   <rg>-0001-001.<rg>.<id>.<rc>.cache.amazonaws.com                             (a node)
//   <name>-<id>.serverless.<rc>.cache.amazonaws.com                              (serverless)
//   <name>.<id>.cache.amazonaws.com                       (no region code: the region comes
//                                                          from elsewhere)
// where <rc> is a short region code (use1 = us-east-1, apse2 = ap-southeast-2). Unknown
// forms give nothing (a node of a cluster without TLS, <rg>-001.<id>.0001..., does not say
// its group for sure): the user then passes --cache-name and --region.
struct ElastiCacheHost {
  std::optional<std::string> cache_name;
  std::optional<std::string> region;
  bool serverless = false;
};
ElastiCacheHost parse_elasticache_host(std::string_view host);

// "use1" -> "us-east-1", "apne1" -> "ap-northeast-1", "euc1" -> "eu-central-1"; nullopt when
// the code is not of that shape.
std::optional<std::string> region_from_short_code(std::string_view code);

}  // namespace rctl::identity
