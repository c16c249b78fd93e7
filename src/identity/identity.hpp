#pragma once
// Identities that stand in for a password: an ElastiCache IAM token made from the AWS
// credential chain, (more to come beside it). commands/ asks for a token before connecting
// and again before it expires, and hands it to the client as the AUTH password.
// Uses config/ (the environment), net/ (the HTTP client's transport) and util/.

#include "config/settings.hpp"
#include "util/error.hpp"
#include "util/secret.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::identity {

// A token to send as the AUTH password, and for whom.
struct Token {
  std::string kind;  // "elasticache_iam" or "entra"
  util::Secret token;
  std::string user;  // the AUTH user name
  std::chrono::sys_seconds issued_at;
  std::chrono::sys_seconds expires_at;  // the earlier of the token's and its credentials' end
  std::vector<std::string> notes;  // for -v: where the credentials came from, what was derived
};

struct IamOptions {
  std::optional<std::string> user;  // --user (required)
  std::optional<std::string> cache_name;  // --cache-name, else from the endpoint host
  std::optional<std::string> region;  // --region, else the host's, AWS_REGION, the profile's
  bool serverless = false;  // --serverless (also implied by a serverless endpoint host)
};

// The ElastiCache IAM token for the server at `host`. Usage errors (ErrorKind::usage) when
// the user, cache name or region cannot be known; the credential chain's errors otherwise.
Expected<Token> elasticache_iam_token(const IamOptions& options, std::string_view host, const config::Environment& env);

}  // namespace rctl::identity
