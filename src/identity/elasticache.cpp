#include "identity/elasticache.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace rctl::identity {

namespace {

std::vector<std::string> split_labels(std::string_view host) {
  std::vector<std::string> labels;
  std::size_t start = 0;
  while (start <= host.size()) {
    auto dot = host.find('.', start);
    labels.emplace_back(host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Expected<util::Secret> elasticache_token(const ElastiCacheTokenRequest& r, const AwsCredentials& credentials) {
  if (r.cache_name.empty())
    return fail(ErrorKind::usage, "--iam needs the cache name",
                "give --cache-name (the replication group id or serverless cache name)");
  if (r.user.empty()) return fail(ErrorKind::usage, "--iam needs --user (the IAM-enabled ElastiCache user id)");
  if (r.region.empty()) return fail(ErrorKind::usage, "--iam needs the AWS region", "give --region or set AWS_REGION");
  SigV4Request request;
  request.host = util::to_lower(r.cache_name);
  request.query = {{"Action", "connect"}, {"User", r.user}};
  if (r.serverless) request.query.emplace_back("ResourceType", "ServerlessCache");
  auto url = presign_url(request, {r.region, "elasticache", r.time}, credentials, k_elasticache_token_seconds);
  if (!url) return std::unexpected(url.error());
  return util::Secret(std::move(*url));
}

std::optional<std::string> region_from_short_code(std::string_view code) {
  // Two letters of area, one or two of direction, a number: the codes in AWS's own
  // endpoint names (use1, usw2, euc1, apse2, apne1, sae1, cac1, mes1, afs1, ilc1).
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> k_directions{{
      {"ne", "northeast"},
      {"nw", "northwest"},
      {"se", "southeast"},
      {"sw", "southwest"},
      {"e", "east"},
      {"w", "west"},
      {"n", "north"},
      {"s", "south"},
      {"c", "central"},
  }};
  static constexpr std::array<std::string_view, 10> k_areas{"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"};
  if (code.size() < 4) return std::nullopt;
  auto area = code.substr(0, 2);
  if (std::find(k_areas.begin(), k_areas.end(), area) == k_areas.end()) return std::nullopt;
  auto rest = code.substr(2);
  auto digits = rest.find_first_of("0123456789");
  if (digits == std::string_view::npos || !all_digits(rest.substr(digits))) return std::nullopt;
  auto direction = rest.substr(0, digits);
  for (const auto& [short_form, long_form] : k_directions)
    if (direction == short_form) return fmt::format("{}-{}-{}", area, long_form, rest.substr(digits));
  return std::nullopt;
}

ElastiCacheHost parse_elasticache_host(std::string_view host) {
  ElastiCacheHost out;
  auto lower = util::to_lower(host);
  if (lower.ends_with(".")) lower.pop_back();
  auto labels = split_labels(lower);
  // ... <rc> . cache . amazonaws . com
  if (labels.size() < 5 || labels[labels.size() - 3] != "cache" || labels[labels.size() - 2] != "amazonaws" ||
      labels.back() != "com")
    return out;
  out.region = region_from_short_code(labels[labels.size() - 4]);
  if (!out.region) {
    // <name>.<id>.cache.amazonaws.com, without a region code: the first label names the cache.
    if (labels.size() == 5) out.cache_name = labels[0];
    return out;
  }
  const std::size_t n = labels.size() - 4;  // labels before the region code
  if (n == 2 && labels[1] == "serverless") {
    out.serverless = true;
    // <name>-<id>: the id AWS appends is one more dash-separated part.
    auto dash = labels[0].rfind('-');
    if (dash != std::string::npos && dash > 0) out.cache_name = labels[0].substr(0, dash);
    return out;
  }
  if (n == 3 && (labels[0] == "master" || labels[0] == "replica" || labels[0] == "clustercfg")) {
    out.cache_name = labels[1];
  } else if ((n == 4 && labels[2] == "ng" && all_digits(labels[3])) || (n == 3 && labels[2] == "clustercfg")) {
    out.cache_name = labels[0];  // <rg>.<id>.ng.0001 / <rg>.<id>.clustercfg
  } else if (n == 3 && labels[0].starts_with(labels[1] + "-")) {
    out.cache_name = labels[1];  // <rg>-0001-001.<rg>.<id>
  }
  return out;
}

}  // namespace rctl::identity
