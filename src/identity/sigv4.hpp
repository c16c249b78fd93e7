#pragma once
// AWS Signature Version 4 (docs.aws.amazon.com, "Create a signed AWS API request"): the
// Authorization header for STS calls, and the query-string presign that makes an ElastiCache
// IAM auth token. Pure: the time and the credentials are arguments, nothing is read or sent.

#include "util/error.hpp"
#include "util/secret.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rctl::identity {

// An access key and what signs with it. `source` names where it came from for -v
// ("environment", "profile 'dev' (credential_process)"); it never holds a secret.
struct AwsCredentials {
  std::string access_key_id;
  util::Secret secret_access_key;
  util::Secret session_token;  // empty for long-term keys
  std::optional<std::chrono::sys_seconds> expiration;  // temporary credentials only
  std::string source;
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// What is signed. The path is given unencoded ("/"); query names and values unencoded.
struct SigV4Request {
  std::string method = "GET";
  std::string host;  // the Host header, always signed
  std::string path = "/";
  QueryParams query;
  QueryParams headers;  // more headers to sign besides host (name as sent)
  std::string body;
};

struct SigV4Scope {
  std::string region;
  std::string service;
  std::chrono::sys_seconds time;
};

// RFC 3986 percent-encoding as SigV4 wants it: A-Z a-z 0-9 - _ . ~ kept, every other byte
// %XX upper-case; '/' kept when `keep_slash` (paths).
std::string aws_uri_encode(std::string_view text, bool keep_slash = false);

// "20150830T123600Z".
std::string amz_date(std::chrono::sys_seconds time);

// The canonical request (method, path, sorted query, sorted headers, signed names, payload
// hash), for tests and for the signature below.
Expected<std::string> canonical_request(const SigV4Request& request);

// Signs with headers: returns the headers to add, in order: X-Amz-Date,
// X-Amz-Security-Token (temporary credentials only), Authorization. Fails only if libcrypto does.
Expected<QueryParams> sign_headers(SigV4Request request, const SigV4Scope& scope, const AwsCredentials& credentials);

// Presigns with the query string (X-Amz-Algorithm ... X-Amz-Signature) valid for
// `expires_seconds`, and returns "host/path?query" without a scheme: the request's own
// parameters in their order, then the signing ones, as botocore writes them.
Expected<std::string> presign_url(const SigV4Request& request, const SigV4Scope& scope,
                                  const AwsCredentials& credentials, int expires_seconds);

}  // namespace rctl::identity
