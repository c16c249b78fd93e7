// The credential chain: environment, shared files (with credential_process and AssumeRole),
// ECS container endpoint, EC2 instance metadata (IMDSv2).
#include "identity/aws_credentials.hpp"

#include "config/password_command.hpp"
#include "identity/http.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>

namespace rctl::identity {

namespace {

constexpr std::size_t k_max_aws_file_bytes = 1024 * 1024;
constexpr int k_max_source_profile_depth = 4;  // role -> source -> ... (the SDKs refuse loops)

using AwsSection = std::map<std::string, std::string>;
using AwsFile = std::map<std::string, AwsSection>;

std::optional<std::string> env_value(const config::Environment& env, std::string_view name) {
  auto v = env(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

// The INI dialect of ~/.aws/credentials and ~/.aws/config: [section], key = value, '#' and
// ';' comments, indented lines continuing a nested key (ignored). A missing file is empty.
AwsFile read_aws_file(const std::string& path, bool config_file) {
  AwsFile out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;
  std::string text(k_max_aws_file_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  std::string section;
  bool have_section = false;
  for (auto raw : util::split(text, '\n')) {
    if (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) continue;  // nested value
    auto line = util::trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      auto close = line.find(']');
      if (close == std::string_view::npos) {
        have_section = false;
        continue;
      }
      auto name = std::string(util::trim(line.substr(1, close - 1)));
      // In the config file, profiles are "[profile NAME]", except "[default]".
      if (config_file && name.starts_with("profile ")) name = std::string(util::trim(name.substr(8)));
      else if (config_file && name != "default") name = "\x01" + name;  // sso-session etc.: not a profile
      section = name;
      have_section = true;
      out[section];
      continue;
    }
    auto eq = line.find('=');
    if (!have_section || eq == std::string_view::npos) continue;
    auto key = util::to_lower(util::trim(line.substr(0, eq)));
    out[section][key] = std::string(util::trim(line.substr(eq + 1)));
  }
  return out;
}

struct AwsFiles {
  AwsFile credentials, config;
  std::string credentials_path, config_path;
};

AwsFiles read_aws_files(const config::Environment& env) {
  AwsFiles f;
  auto home = env_value(env, "HOME").value_or("");
  f.credentials_path = env_value(env, "AWS_SHARED_CREDENTIALS_FILE").value_or(home + "/.aws/credentials");
  f.config_path = env_value(env, "AWS_CONFIG_FILE").value_or(home + "/.aws/config");
  f.credentials = read_aws_file(f.credentials_path, false);
  f.config = read_aws_file(f.config_path, true);
  return f;
}

std::string profile_name(const config::Environment& env) {
  return env_value(env, "AWS_PROFILE").value_or(env_value(env, "AWS_DEFAULT_PROFILE").value_or("default"));
}

const std::string* setting(const AwsFile& file, const std::string& profile, const std::string& key) {
  auto s = file.find(profile);
  if (s == file.end()) return nullptr;
  auto v = s->second.find(key);
  return v == s->second.end() || v->second.empty() ? nullptr : &v->second;
}

std::optional<AwsCredentials> static_keys(const AwsFile& file, const std::string& profile) {
  auto id = setting(file, profile, "aws_access_key_id");
  auto secret = setting(file, profile, "aws_secret_access_key");
  if (!id || !secret) return std::nullopt;
  AwsCredentials c;
  c.access_key_id = *id;
  c.secret_access_key = util::Secret(*secret);
  if (auto token = setting(file, profile, "aws_session_token")) c.session_token = util::Secret(*token);
  return c;
}

Expected<AwsCredentials> from_environment(const config::Environment& env) {
  AwsCredentials c;
  c.access_key_id = env_value(env, "AWS_ACCESS_KEY_ID").value_or("");
  c.secret_access_key = util::Secret(env_value(env, "AWS_SECRET_ACCESS_KEY").value_or(""));
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return fail(ErrorKind::auth, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set");
  c.session_token = util::Secret(env_value(env, "AWS_SESSION_TOKEN").value_or(""));
  c.source = "environment (AWS_ACCESS_KEY_ID)";
  return c;
}

bool is_loopback_or_container_host(const std::string& host) {
  return host == "localhost" || host.starts_with("127.") || host == "::1" || host == "169.254.170.2" ||
         host == "169.254.170.23" || host == "fd00:ec2::23";
}

Expected<AwsCredentials> from_container(const config::Environment& env) {
  std::string url;
  if (auto relative = env_value(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    url = "http://169.254.170.2" + *relative;
  } else if (auto full = env_value(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    url = *full;
    // As the SDKs: plain http only to the container agent or loopback, where no one else listens.
    auto parsed = parse_http_url(url);
    if (!parsed) return std::unexpected(parsed.error());
    if (!parsed->https && !is_loopback_or_container_host(parsed->host))
      return fail(ErrorKind::usage, "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback address");
  }
  HttpRequest request{"GET", url, {}, {}, env_value(env, "AWS_CA_BUNDLE").value_or("")};
  if (auto token_file = env_value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    std::ifstream in(*token_file, std::ios::binary);
    if (!in) return fail(ErrorKind::auth, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    std::string token(64 * 1024, '\0');
    in.read(token.data(), static_cast<std::streamsize>(token.size()));
    token.resize(static_cast<std::size_t>(in.gcount()));
    request.headers.emplace_back("Authorization", std::string(util::trim(token)));
    util::wipe(token);
  } else if (auto token = env_value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    request.headers.emplace_back("Authorization", *token);
  }
  const std::string what = "the ECS container credentials endpoint";
  auto reply = http_request(request, util::Millis{2 * k_metadata_timeout.count()}, what);
  for (auto& [k, v] : request.headers) util::wipe(v);
  if (!reply) {
    auto e = reply.error();
    e.kind = ErrorKind::auth;
    return std::unexpected(e);
  }
  if (reply->status != 200) return fail(ErrorKind::auth, fmt::format("{} answered HTTP {}", what, reply->status));
  auto c = parse_credentials_json(reply->body, what);
  util::wipe(reply->body);
  if (c) c->source = "ECS container credentials";
  return c;
}

// An IMDSv2 session: the service's base URL and a session token. nullopt (not an error)
// when no metadata service answers or it is disabled: then there is simply none, as on a
// laptop.
struct ImdsSession {
  std::string base;
  util::Secret token;
  Expected<HttpResponse> get(const std::string& path) const {
    return http_request({"GET", base + path, {{"X-aws-ec2-metadata-token", token.reveal()}}, {}}, k_metadata_timeout,
                        "the EC2 instance metadata service");
  }
};

Expected<std::optional<ImdsSession>> imds_session(const config::Environment& env) {
  if (util::to_lower(env_value(env, "AWS_EC2_METADATA_DISABLED").value_or("")) == "true")
    return std::optional<ImdsSession>{};
  auto base = env_value(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
  while (base.ends_with('/')) base.pop_back();
  const std::string what = "the EC2 instance metadata service";
  auto token = http_request({"PUT", base + "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "300"}}, {}},
                            k_metadata_timeout, what);
  if (!token) {
    if (token.error().kind == ErrorKind::connect || token.error().kind == ErrorKind::timeout)
      return std::optional<ImdsSession>{};
    return std::unexpected(token.error());
  }
  // Something else at that address (another cloud's metadata service, a proxy) answers the
  // token request with 403/404/405: no AWS metadata service here, as the SDKs conclude.
  if (token->status != 200) return std::optional<ImdsSession>{};
  ImdsSession session{base, util::Secret(std::string(util::trim(token->body)))};
  util::wipe(token->body);
  return std::optional<ImdsSession>(std::move(session));
}

Expected<std::optional<AwsCredentials>> from_instance_metadata(const config::Environment& env) {
  const std::string what = "the EC2 instance metadata service";
  auto session = imds_session(env);
  if (!session) return std::unexpected(session.error());
  if (!*session) return std::optional<AwsCredentials>{};
  auto get = [&](const std::string& path) { return (*session)->get(path); };
  auto roles = get("/latest/meta-data/iam/security-credentials/");
  if (!roles) return std::unexpected(roles.error());
  if (roles->status == 404) return fail(ErrorKind::auth, "this EC2 instance has no IAM role (instance profile)");
  if (roles->status != 200) return fail(ErrorKind::auth, fmt::format("{} answered HTTP {}", what, roles->status));
  auto role = std::string(util::trim(roles->body.substr(0, roles->body.find('\n'))));
  if (role.empty() || role.find('/') != std::string::npos)
    return fail(ErrorKind::auth, fmt::format("{}: no role name in the reply", what));
  auto reply = get("/latest/meta-data/iam/security-credentials/" + role);
  if (!reply) return std::unexpected(reply.error());
  if (reply->status != 200) return fail(ErrorKind::auth, fmt::format("{} answered HTTP {}", what, reply->status));
  auto c = parse_credentials_json(reply->body, what);
  util::wipe(reply->body);
  if (!c) return std::unexpected(c.error());
  c->source = fmt::format("EC2 instance metadata (role {})", role);
  return std::optional<AwsCredentials>(std::move(*c));
}

Expected<AwsCredentials> assume_role(const config::Environment& env, const AwsCredentials& source,
                                     const std::string& role_arn, const std::string& session_name,
                                     const std::string* external_id, const std::string& region) {
  auto endpoint =
      env_value(env, "AWS_ENDPOINT_URL_STS")
          .value_or(env_value(env, "AWS_ENDPOINT_URL")
                        .value_or(fmt::format("https://sts.{}.amazonaws.com", region.empty() ? "us-east-1" : region)));
  while (endpoint.ends_with('/')) endpoint.pop_back();
  auto url = parse_http_url(endpoint);
  if (!url) return std::unexpected(url.error());
  std::string body = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + aws_uri_encode(role_arn) +
                     "&RoleSessionName=" + aws_uri_encode(session_name);
  if (external_id) body += "&ExternalId=" + aws_uri_encode(*external_id);
  SigV4Request to_sign;
  to_sign.method = "POST";
  to_sign.host = url->host.find(':') != std::string::npos ? fmt::format("[{}]", url->host) : url->host;
  if ((url->https && url->port != 443) || (!url->https && url->port != 80))
    to_sign.host += fmt::format(":{}", url->port);
  to_sign.path = url->target.substr(0, url->target.find('?'));
  to_sign.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  to_sign.body = body;
  auto signed_headers =
      sign_headers(to_sign, {region.empty() ? "us-east-1" : region, "sts", signing_time(env)}, source);
  if (!signed_headers) return std::unexpected(signed_headers.error());
  // AWS_CA_BUNDLE: the SDKs' setting for a private CA (a proxy, an STS VPC endpoint).
  HttpRequest request{"POST", endpoint + (url->target == "/" ? "/" : ""), to_sign.headers, body,
                      env_value(env, "AWS_CA_BUNDLE").value_or("")};
  request.headers.insert(request.headers.end(), signed_headers->begin(), signed_headers->end());
  auto reply = http_request(request, k_sts_timeout, "STS AssumeRole");
  for (auto& [k, v] : request.headers) util::wipe(v);
  if (!reply) return std::unexpected(reply.error());
  auto c = parse_assume_role_reply(reply->body, reply->status);
  util::wipe(reply->body);
  return c;
}

// The credentials of `profile` from the shared files, following source_profile up to a
// small depth. nullopt when the profile has none of the settings that give credentials.
Expected<std::optional<AwsCredentials>> from_profile(const config::Environment& env, const AwsFiles& files,
                                                     const std::string& profile, const std::string& region, int depth) {
  auto name = fmt::format("profile '{}'", profile);
  if (auto role_arn = setting(files.config, profile, "role_arn")) {
    if (depth >= k_max_source_profile_depth)
      return fail(ErrorKind::usage, fmt::format("{}: source_profile chain is longer than {}", name, depth));
    if (setting(files.config, profile, "mfa_serial"))
      return fail(ErrorKind::usage, fmt::format("{}: roles that need an MFA code are not supported", name),
                  "run 'aws sts assume-role' and export the credentials, or use credential_process");
    Expected<AwsCredentials> source = fail(ErrorKind::usage, fmt::format("{}: role_arn needs source_profile or "
                                                                         "credential_source",
                                                                         name));
    if (auto source_profile = setting(files.config, profile, "source_profile")) {
      // A profile that is its own source uses its own static keys (the SDKs allow this).
      Expected<std::optional<AwsCredentials>> found = std::optional<AwsCredentials>{};
      if (*source_profile == profile) {
        auto keys = static_keys(files.credentials, profile);
        found = keys ? std::move(keys) : static_keys(files.config, profile);
      } else {
        found = from_profile(env, files, *source_profile, region, depth + 1);
      }
      if (!found) return std::unexpected(found.error());
      if (!*found)
        return fail(ErrorKind::auth, fmt::format("{}: source profile '{}' has no credentials", name, *source_profile));
      source = std::move(**found);
    } else if (auto credential_source = setting(files.config, profile, "credential_source")) {
      if (*credential_source == "Environment") {
        source = from_environment(env);
      } else if (*credential_source == "EcsContainer") {
        source = from_container(env);
      } else if (*credential_source == "Ec2InstanceMetadata") {
        auto imds = from_instance_metadata(env);
        if (!imds) return std::unexpected(imds.error());
        source = *imds ? std::move(**imds)
                       : Expected<AwsCredentials>(fail(ErrorKind::auth, "no EC2 instance metadata service answered"));
      } else {
        source = fail(ErrorKind::usage, fmt::format("{}: unknown credential_source '{}'", name, *credential_source));
      }
    }
    if (!source) return std::unexpected(source.error());
    auto session_name = setting(files.config, profile, "role_session_name");
    auto assumed =
        assume_role(env, *source, *role_arn,
                    session_name ? *session_name : fmt::format("rctl-{}", signing_time(env).time_since_epoch().count()),
                    setting(files.config, profile, "external_id"), region);
    if (!assumed) return std::unexpected(assumed.error());
    assumed->source = fmt::format("{} (role_arn through STS AssumeRole, from {})", name, source->source);
    return std::optional<AwsCredentials>(std::move(*assumed));
  }
  if (auto keys = static_keys(files.credentials, profile)) {
    keys->source = fmt::format("{} in {}", name, files.credentials_path);
    return std::optional<AwsCredentials>(std::move(*keys));
  }
  if (auto process = setting(files.config, profile, "credential_process")) {
    auto what = fmt::format("{} credential_process", name);
    auto output = config::run_password_command(*process, what);
    if (!output) return std::unexpected(output.error());
    auto c = parse_credentials_json(output->reveal(), what);
    if (!c) return std::unexpected(c.error());
    c->source = what;
    return std::optional<AwsCredentials>(std::move(*c));
  }
  if (auto keys = static_keys(files.config, profile)) {
    keys->source = fmt::format("{} in {}", name, files.config_path);
    return std::optional<AwsCredentials>(std::move(*keys));
  }
  return std::optional<AwsCredentials>{};
}

}  // namespace

std::optional<std::string> aws_instance_region(const config::Environment& env) {
  auto session = imds_session(env);
  if (!session || !*session) return std::nullopt;
  auto reply = (*session)->get("/latest/meta-data/placement/region");
  if (!reply || reply->status != 200) return std::nullopt;
  auto region = std::string(util::trim(reply->body));
  if (region.empty() || region.size() > 32 ||
      region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
    return std::nullopt;
  return region;
}

std::optional<std::string> aws_profile_region(const config::Environment& env) {
  auto files = read_aws_files(env);
  if (auto r = setting(files.config, profile_name(env), "region")) return *r;
  return std::nullopt;
}

Expected<AwsCredentials> aws_credentials(const config::Environment& env, const std::string& region) {
  if (env_value(env, "AWS_ACCESS_KEY_ID") || env_value(env, "AWS_SECRET_ACCESS_KEY")) return from_environment(env);
  auto files = read_aws_files(env);
  auto profile = profile_name(env);
  auto from_files = from_profile(env, files, profile, region, 0);
  if (!from_files) return std::unexpected(from_files.error());
  if (*from_files) return std::move(**from_files);
  const bool chosen = env_value(env, "AWS_PROFILE") || env_value(env, "AWS_DEFAULT_PROFILE");
  if (chosen && !files.config.contains(profile) && !files.credentials.contains(profile))
    return fail(ErrorKind::usage, fmt::format("AWS profile '{}' is in neither {} nor {}", profile,
                                              files.credentials_path, files.config_path));
  if (env_value(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || env_value(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI"))
    return from_container(env);
  auto imds = from_instance_metadata(env);
  if (!imds) return std::unexpected(imds.error());
  if (*imds) return std::move(**imds);
  return fail(ErrorKind::auth, "no AWS credentials found",
              "tried: environment, the shared files (AWS_PROFILE), ECS container credentials, EC2 instance metadata");
}

}  // namespace rctl::identity
