#include "identity/sigv4.hpp"

#include "decode/bytes.hpp"
#include "util/hmac.hpp"
#include "util/strings.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

namespace rctl::identity {

namespace {

constexpr std::string_view k_algorithm = "AWS4-HMAC-SHA256";

bool sigv4_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// Header values are trimmed and inner runs of spaces folded to one (the suite's
// get-header-value-trim); names are lower-cased.
std::string sigv4_header_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string sigv4_canonical_query(const QueryParams& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(aws_uri_encode(k), aws_uri_encode(v));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) out += fmt::format("{}{}={}", out.empty() ? "" : "&", k, v);
  return out;
}

struct SigV4Headers {
  std::string canonical;  // "name:value\n" each, sorted
  std::string signed_names;  // "host;x-amz-date"
};

SigV4Headers sigv4_headers(const SigV4Request& r) {
  std::vector<std::pair<std::string, std::string>> all{{"host", sigv4_header_value(r.host)}};
  for (const auto& [k, v] : r.headers) all.emplace_back(util::to_lower(k), sigv4_header_value(v));
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  SigV4Headers out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    // Repeated names become one line with the values joined by commas, in their order.
    if (i > 0 && all[i].first == all[i - 1].first) {
      out.canonical.back() = ',';
      out.canonical += all[i].second + "\n";
      continue;
    }
    out.canonical += all[i].first + ":" + all[i].second + "\n";
    out.signed_names += (out.signed_names.empty() ? "" : ";") + all[i].first;
  }
  return out;
}

std::string sigv4_date(std::chrono::sys_seconds t) { return fmt::format("{:%Y%m%d}", t); }

std::string sigv4_credential_scope(const SigV4Scope& s) {
  return fmt::format("{}/{}/{}/aws4_request", sigv4_date(s.time), s.region, s.service);
}

// HMAC chain from the secret key to the signature of the canonical request (hex).
Expected<std::string> sigv4_signature(const std::string& canonical, const SigV4Scope& scope,
                                      const AwsCredentials& credentials) {
  auto hashed = util::hash(util::Digest::sha256, canonical);
  if (!hashed) return std::unexpected(hashed.error());
  auto to_sign = fmt::format("{}\n{}\n{}\n{}", k_algorithm, amz_date(scope.time), sigv4_credential_scope(scope),
                             decode::to_hex(*hashed));
  std::string key = "AWS4" + credentials.secret_access_key.reveal();
  for (const std::string& part : {sigv4_date(scope.time), scope.region, scope.service, std::string("aws4_request")}) {
    auto next = util::hmac(util::Digest::sha256, key, part);
    util::wipe(key);
    if (!next) return std::unexpected(next.error());
    key = std::move(*next);
  }
  auto signature = util::hmac(util::Digest::sha256, key, to_sign);
  util::wipe(key);
  if (!signature) return std::unexpected(signature.error());
  return decode::to_hex(*signature);
}

}  // namespace

std::string aws_uri_encode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (sigv4_unreserved(c) || (keep_slash && c == '/')) out.push_back(static_cast<char>(c));
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string amz_date(std::chrono::sys_seconds time) { return fmt::format("{:%Y%m%dT%H%M%SZ}", time); }

Expected<std::string> canonical_request(const SigV4Request& r) {
  auto payload = util::hash(util::Digest::sha256, r.body);
  if (!payload) return std::unexpected(payload.error());
  auto headers = sigv4_headers(r);
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", r.method, aws_uri_encode(r.path.empty() ? "/" : r.path, true),
                     sigv4_canonical_query(r.query), headers.canonical, headers.signed_names, decode::to_hex(*payload));
}

Expected<QueryParams> sign_headers(SigV4Request request, const SigV4Scope& scope, const AwsCredentials& credentials) {
  QueryParams added{{"X-Amz-Date", amz_date(scope.time)}};
  if (!credentials.session_token.empty())
    added.emplace_back("X-Amz-Security-Token", credentials.session_token.reveal());
  request.headers.insert(request.headers.end(), added.begin(), added.end());
  auto canonical = canonical_request(request);
  if (!canonical) return std::unexpected(canonical.error());
  auto signature = sigv4_signature(*canonical, scope, credentials);
  if (!signature) return std::unexpected(signature.error());
  added.emplace_back("Authorization", fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}", k_algorithm,
                                                  credentials.access_key_id, sigv4_credential_scope(scope),
                                                  sigv4_headers(request).signed_names, *signature));
  return added;
}

Expected<std::string> presign_url(const SigV4Request& request, const SigV4Scope& scope,
                                  const AwsCredentials& credentials, int expires_seconds) {
  auto signed_request = request;
  auto& q = signed_request.query;
  q.emplace_back("X-Amz-Algorithm", std::string(k_algorithm));
  q.emplace_back("X-Amz-Credential", credentials.access_key_id + "/" + sigv4_credential_scope(scope));
  q.emplace_back("X-Amz-Date", amz_date(scope.time));
  q.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  q.emplace_back("X-Amz-SignedHeaders", sigv4_headers(request).signed_names);
  if (!credentials.session_token.empty()) q.emplace_back("X-Amz-Security-Token", credentials.session_token.reveal());
  auto canonical = canonical_request(signed_request);
  if (!canonical) return std::unexpected(canonical.error());
  auto signature = sigv4_signature(*canonical, scope, credentials);
  if (!signature) return std::unexpected(signature.error());
  q.emplace_back("X-Amz-Signature", *signature);
  std::string out = request.host + aws_uri_encode(request.path.empty() ? "/" : request.path, true);
  for (std::size_t i = 0; i < q.size(); ++i)
    out += fmt::format("{}{}={}", i == 0 ? '?' : '&', aws_uri_encode(q[i].first), aws_uri_encode(q[i].second));
  return out;
}

}  // namespace rctl::identity
