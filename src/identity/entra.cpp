#include "identity/entra.hpp"

#include "config/password_command.hpp"
#include "decode/bytes.hpp"
#include "identity/aws_credentials.hpp"
#include "identity/http.hpp"
#include "identity/sigv4.hpp"
#include "util/strings.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <sys/stat.h>

namespace rctl::identity {

namespace {

constexpr util::Millis k_az_cli_timeout{60'000};  // az starts Python and may refresh its login

std::optional<std::string> entra_env(const config::Environment& env, std::string_view name) {
  auto v = env(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

// A token reply's access token, from the field `name`.
std::optional<std::string> json_text(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// Expected<optional>: nullopt when this source is not there (no endpoint answers).
Expected<std::optional<util::Secret>> from_managed_identity(const config::Environment& env, std::string& source) {
  HttpRequest request;
  std::string what;
  auto client_id = entra_env(env, "AZURE_CLIENT_ID");
  const bool app_service = entra_env(env, "IDENTITY_ENDPOINT") && entra_env(env, "IDENTITY_HEADER");
  if (auto endpoint = entra_env(env, "IDENTITY_ENDPOINT"); app_service) {
    what = "the managed identity endpoint (IDENTITY_ENDPOINT)";
    request.url = fmt::format("{}{}api-version=2019-08-01&resource={}", *endpoint,
                              endpoint->find('?') == std::string::npos ? "?" : "&", aws_uri_encode(k_entra_resource));
    request.headers.emplace_back("X-IDENTITY-HEADER", *entra_env(env, "IDENTITY_HEADER"));
  } else {
    what = "the Azure instance metadata service";
    auto host = entra_env(env, "AZURE_POD_IDENTITY_AUTHORITY_HOST").value_or("http://169.254.169.254");
    while (host.ends_with('/')) host.pop_back();
    request.url = fmt::format("{}/metadata/identity/oauth2/token?api-version=2018-02-01&resource={}", host,
                              aws_uri_encode(k_entra_resource));
    request.headers.emplace_back("Metadata", "true");
  }
  if (client_id) request.url += "&client_id=" + aws_uri_encode(*client_id);
  auto reply = http_request(request, k_metadata_timeout, what);
  for (auto& [k, v] : request.headers) util::wipe(v);
  if (!reply) {
    if (reply.error().kind == ErrorKind::connect || reply.error().kind == ErrorKind::timeout)
      return std::optional<util::Secret>{};
    return std::unexpected(reply.error());
  }
  // IMDS on a VM without an identity answers 400, and what sits at that address elsewhere
  // (another cloud's metadata service, a proxy) some other refusal: not this source, try the
  // next one. An IDENTITY_ENDPOINT was configured on purpose: its refusals are errors.
  if (reply->status == 400 || reply->status == 404 || (!app_service && reply->status != 200))
    return std::optional<util::Secret>{};
  if (reply->status != 200) return fail(ErrorKind::auth, fmt::format("{} answered HTTP {}", what, reply->status));
  auto doc = nlohmann::json::parse(reply->body, nullptr, false);
  util::wipe(reply->body);
  auto token = doc.is_object() ? json_text(doc, "access_token") : std::nullopt;
  if (!token || token->empty()) return fail(ErrorKind::auth, fmt::format("{}: no access_token in the reply", what));
  source = what;
  return std::optional<util::Secret>(util::Secret(std::move(*token)));
}

bool az_on_path(const config::Environment& env) {
  auto path = entra_env(env, "PATH").value_or("");
  for (auto dir : util::split(path, ':')) {
    auto candidate = fmt::format("{}/az", dir.empty() ? "." : dir);
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) return true;
  }
  return false;
}

Expected<util::Secret> from_az_cli() {
  const std::string what = "az account get-access-token";
  auto output = config::run_password_command(
      fmt::format("exec az account get-access-token --resource {} --output json", k_entra_resource), what,
      k_az_cli_timeout);
  if (!output) return std::unexpected(output.error());
  auto doc = nlohmann::json::parse(output->reveal(), nullptr, false);
  auto token = doc.is_object() ? json_text(doc, "accessToken") : std::nullopt;
  if (!token || token->empty()) return fail(ErrorKind::auth, fmt::format("{}: no accessToken in its output", what));
  return util::Secret(std::move(*token));
}

}  // namespace

JwtClaims read_jwt_claims(std::string_view jwt) {
  JwtClaims out;
  auto first = jwt.find('.');
  auto second = first == std::string_view::npos ? first : jwt.find('.', first + 1);
  if (second == std::string_view::npos) return out;
  auto payload = decode::base64_decode(jwt.substr(first + 1, second - first - 1), decode::Base64Alphabet::url_safe);
  if (!payload) return out;
  auto doc = nlohmann::json::parse(*payload, nullptr, false);
  if (!doc.is_object()) return out;
  out.oid = json_text(doc, "oid");
  if (auto exp = doc.find("exp"); exp != doc.end() && exp->is_number_integer()) out.exp = exp->get<std::int64_t>();
  return out;
}

Expected<Token> entra_token(const std::optional<std::string>& user, const config::Environment& env) {
  Token out;
  out.kind = "entra";
  std::string source;
  auto managed = from_managed_identity(env, source);
  if (!managed) return std::unexpected(managed.error());
  if (*managed) {
    out.token = std::move(**managed);
  } else if (az_on_path(env)) {
    auto az = from_az_cli();
    if (!az) return std::unexpected(az.error());
    out.token = std::move(*az);
    source = "the Azure CLI (az account get-access-token)";
  } else {
    return fail(ErrorKind::auth, "no Microsoft Entra token found",
                "tried: a managed identity (IDENTITY_ENDPOINT, the instance metadata service), then the Azure CLI "
                "(az login) on the PATH");
  }
  out.notes.push_back(fmt::format("Entra token from {}", source));
  auto claims = read_jwt_claims(out.token.reveal());
  if (user) {
    out.user = *user;
  } else if (claims.oid) {
    out.user = *claims.oid;
    out.notes.push_back(fmt::format("user {} from the token's oid claim", out.user));
  } else {
    return fail(ErrorKind::auth, "the Entra token has no oid claim", "give --user (the identity's object id)");
  }
  out.issued_at = signing_time(env);
  // Entra tokens live about an hour; without an exp claim assume the short end.
  out.expires_at = claims.exp ? std::chrono::sys_seconds(std::chrono::seconds(*claims.exp))
                              : out.issued_at + std::chrono::minutes(5);
  return out;
}

}  // namespace rctl::identity
