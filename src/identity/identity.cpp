#include "identity/identity.hpp"

#include "identity/aws_credentials.hpp"
#include "identity/elasticache.hpp"

#include <fmt/format.h>

namespace rctl::identity {

Expected<Token> elasticache_iam_token(const IamOptions& options, std::string_view host,
                                      const config::Environment& env) {
  auto parsed = parse_elasticache_host(host);
  Token out;
  ElastiCacheTokenRequest request;
  request.user = options.user.value_or("");
  if (request.user.empty()) return fail(ErrorKind::usage, "--iam needs --user (the IAM-enabled ElastiCache user id)");
  if (options.cache_name) {
    request.cache_name = *options.cache_name;
  } else if (parsed.cache_name) {
    request.cache_name = *parsed.cache_name;
    out.notes.push_back(fmt::format("cache name '{}' from the endpoint host", request.cache_name));
  } else {
    return fail(ErrorKind::usage, fmt::format("--iam: cannot tell the cache name from the host '{}'", host),
                "give --cache-name (the replication group id or serverless cache name)");
  }
  request.serverless = options.serverless || (parsed.serverless && !options.cache_name);
  auto nonempty = [&](std::string_view name) -> std::optional<std::string> {
    auto v = env(name);
    return v && !v->empty() ? v : std::nullopt;
  };
  std::string region_source;
  if (options.region) {
    request.region = *options.region, region_source = "--region";
  } else if (parsed.region) {
    request.region = *parsed.region, region_source = "the endpoint host";
  } else if (auto r = nonempty("AWS_REGION")) {
    request.region = *r, region_source = "AWS_REGION";
  } else if (auto d = nonempty("AWS_DEFAULT_REGION")) {
    request.region = *d, region_source = "AWS_DEFAULT_REGION";
  } else if (auto p = aws_profile_region(env)) {
    request.region = *p, region_source = "the AWS profile";
  } else if (auto i = aws_instance_region(env)) {
    request.region = *i, region_source = "the EC2 instance metadata";
  } else {
    return fail(ErrorKind::usage, fmt::format("--iam: cannot tell the AWS region from the host '{}'", host),
                "give --region or set AWS_REGION");
  }
  out.notes.push_back(fmt::format("region {} from {}", request.region, region_source));
  auto credentials = aws_credentials(env, request.region);
  if (!credentials) return std::unexpected(credentials.error());
  out.notes.push_back(fmt::format("AWS credentials from {}", credentials->source));
  request.time = signing_time(env);
  auto token = elasticache_token(request, *credentials);
  if (!token) return std::unexpected(token.error());
  out.kind = "elasticache_iam";
  out.token = std::move(*token);
  out.user = request.user;
  out.issued_at = request.time;
  out.expires_at = request.time + std::chrono::seconds(k_elasticache_token_seconds);
  if (credentials->expiration && *credentials->expiration < out.expires_at) out.expires_at = *credentials->expiration;
  return out;
}

}  // namespace rctl::identity
