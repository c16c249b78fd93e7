#pragma once
// AWS credentials from the standard chain, in the SDKs' order:
//   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
//   2. the profile AWS_PROFILE (else "default") of the shared files ~/.aws/credentials
//      (AWS_SHARED_CREDENTIALS_FILE) and ~/.aws/config (AWS_CONFIG_FILE): role_arn with
//      source_profile or credential_source through STS AssumeRole (endpoint
//      AWS_ENDPOINT_URL_STS; https verified, with AWS_CA_BUNDLE when set), static keys,
//      credential_process;
//   3. ECS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI with
//      AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE);
//   4. EC2 instance metadata, IMDSv2 only (token PUT, then the role's credentials), at
//      AWS_EC2_METADATA_SERVICE_ENDPOINT else 169.254.169.254, unless
//      AWS_EC2_METADATA_DISABLED=true.
// Secrets stay in util::Secret; the `source` of the result names where they came from.

#include "config/settings.hpp"
#include "identity/sigv4.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rctl::identity {

// Per-request deadline for the metadata endpoints, which answer at once when they exist
// (the SDKs use one second), and for STS.
inline constexpr util::Millis k_metadata_timeout{1000};
inline constexpr util::Millis k_sts_timeout{10'000};

// The first credentials the chain finds. `region` is the signing region for STS calls
// (the profile's region wins). Fails with ErrorKind::auth when no source has credentials,
// naming what was tried; with the failing source's error when one is configured but fails
// (a credential_process that exits 1, STS refusing AssumeRole).
Expected<AwsCredentials> aws_credentials(const config::Environment& env, const std::string& region);

// The region of the chosen profile (`region =` in ~/.aws/config), if any.
std::optional<std::string> aws_profile_region(const config::Environment& env);

// The region of the EC2 instance rctl runs on (IMDSv2 placement/region), if there is one.
std::optional<std::string> aws_instance_region(const config::Environment& env);

// Parses the JSON a credential_process, an ECS endpoint or IMDS returns: AccessKeyId,
// SecretAccessKey, Token or SessionToken, Expiration. Fails with ErrorKind::auth naming `what`.
Expected<AwsCredentials> parse_credentials_json(std::string_view json, const std::string& what);

// Parses an STS AssumeRole reply (XML): the Credentials element, or the Error's code and
// message. Fails with ErrorKind::auth.
Expected<AwsCredentials> parse_assume_role_reply(std::string_view xml, int http_status);

// "2024-01-02T03:04:05Z" (fractions and "+00:00" accepted) -> time; nullopt otherwise.
std::optional<std::chrono::sys_seconds> parse_iso8601(std::string_view text);

// Now, or RCTL_TEST_NOW ("20240102T030405Z") in test builds: the one clock tokens are
// signed with.
std::chrono::sys_seconds signing_time(const config::Environment& env);

}  // namespace rctl::identity
