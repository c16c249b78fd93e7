#pragma once
// Microsoft Entra ID access tokens for Azure Cache for Redis and Azure Managed Redis (scope
// https://redis.azure.com/.default), from, in order:
//   1. a managed identity endpoint: IDENTITY_ENDPOINT + IDENTITY_HEADER (App Service,
//      Functions, Container Apps), else the VM's IMDS
//      (169.254.169.254/metadata/identity/oauth2/token; AZURE_POD_IDENTITY_AUTHORITY_HOST
//      moves it, as the Azure SDKs allow); AZURE_CLIENT_ID picks a user-assigned identity;
//   2. the Azure CLI, `az account get-access-token --resource https://redis.azure.com`, when
//      `az` is on the PATH (the engineer's own login).
// The AUTH user is the token's object id (its `oid` claim).

#include "config/settings.hpp"
#include "identity/identity.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rctl::identity {

inline constexpr std::string_view k_entra_resource = "https://redis.azure.com";

// The `oid` and `exp` claims of a JWT's payload (base64url JSON), read without checking the
// signature: rctl is not the token's audience, it only reads its own token to know which user
// to AUTH as; the server checks the signature. nullopt fields when absent or malformed.
struct JwtClaims {
  std::optional<std::string> oid;
  std::optional<std::int64_t> exp;
};
JwtClaims read_jwt_claims(std::string_view jwt);

// The Entra token. `user` (from --user) overrides the token's oid. Fails with ErrorKind::auth
// when no source gives a token, naming what was tried.
Expected<Token> entra_token(const std::optional<std::string>& user, const config::Environment& env);

}  // namespace rctl::identity
