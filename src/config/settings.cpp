#include "config/settings.hpp"

#include "config/password.hpp"
#include "config/password_command.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace rctl::config {

namespace {

constexpr const char* k_cli_password_warning =
    "a password on the command line is visible to other users (ps, shell history); prefer "
    "--password-file, --askpass or REDISCLI_AUTH (silence with --no-auth-warning)";

Expected<std::optional<util::Millis>> parse_optional_duration(const std::optional<std::string>& text,
                                                              std::string_view flag) {
  if (!text) return std::optional<util::Millis>{};
  auto d = util::parse_duration(*text, flag);
  if (!d) return std::unexpected(d.error());
  if (d->count() <= 0) return fail(ErrorKind::usage, fmt::format("{} must be positive", flag));
  return std::optional<util::Millis>(*d);
}

Expected<std::optional<int>> env_int(const Environment& env, std::string_view name, int lo, int hi) {
  auto text = env(name);
  if (!text || text->empty()) return std::optional<int>{};
  auto n = util::parse_int(*text);
  if (!n || *n < lo || *n > hi) return fail(ErrorKind::usage, fmt::format("invalid {} '{}'", name, *text));
  return std::optional<int>(static_cast<int>(*n));
}

}  // namespace

namespace {

// The userinfo of a URL's authority ("user:pass" in scheme://user:pass@host), or nullopt.
std::optional<std::string_view> url_userinfo(std::string_view url) {
  auto start = url.find("://");
  if (start == std::string_view::npos) return std::nullopt;
  start += 3;
  auto end = url.find_first_of("/?#", start);
  auto authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  return authority.substr(0, at);
}

// "x@host": x is a password as redis-cli reads it, or the user name when the password
// comes from --password, --password-file or --askpass.
bool url_has_lone_userinfo(std::string_view url) {
  auto info = url_userinfo(url);
  return info && !info->empty() && info->find(':') == std::string_view::npos;
}

}  // namespace

bool url_carries_password(std::string_view url) {
  auto start = url.find("://");
  if (start != std::string_view::npos && url.find("password=", start + 3) != std::string_view::npos) return true;
  auto info = url_userinfo(url);
  if (!info) return false;
  auto colon = info->find(':');
  return colon == std::string_view::npos ? !info->empty() : colon + 1 < info->size();
}

namespace {

bool has_endpoint_flag(const ConnectionFlags& f) { return f.url || f.host || f.port || f.socket; }

// Picks the URL: --url, else the role's variables, else REDIS_URL / REDIS_PRIVATE_URL.
void choose_url(const ConnectionFlags& flags, Role role, const Environment& env, Settings& out) {
  if (flags.url) {
    out.url = *flags.url;
    out.url_source = flags.url_from_profile ? fmt::format("profile '{}'", flags.profile) : "--url";
    return;
  }
  if (has_endpoint_flag(flags)) return;  // --host/--port/--socket: the environment URL is not used
  for (const auto& name : url_variables(role)) {
    if (auto value = env(name); value && !value->empty()) {
      out.url = *value;
      out.url_source = name;
      return;
    }
  }
}

Expected<void> choose_password(const ConnectionFlags& flags, const Environment& env, Settings& out) {
  int explicit_sources = (flags.password ? 1 : 0) + (flags.password_file ? 1 : 0) + (flags.askpass ? 1 : 0) +
                         (flags.password_command ? 1 : 0);
  if (explicit_sources > 1)
    return fail(ErrorKind::usage, "use only one of --password, --password-file, --password-command and --askpass");
  if (flags.iam && flags.entra) return fail(ErrorKind::usage, "use only one of --iam and --entra");
  if (flags.iam || flags.entra) {
    // The token is the password: any other one would be sent instead of it.
    const char* flag = flags.iam ? "--iam" : "--entra";
    if (explicit_sources > 0)
      return fail(ErrorKind::usage, fmt::format("{} makes the password: give no other password", flag));
    if (out.url && url_carries_password(*out.url) && !url_has_lone_userinfo(*out.url))
      return fail(ErrorKind::usage, fmt::format("{} makes the password: the URL may not carry one", flag));
    out.password_explicit = true;  // so a URL's lone "x@" is the user name x
    return {};
  }
  const auto profile_source = fmt::format("profile '{}'", flags.profile);
  out.password_explicit = explicit_sources > 0;
  if (flags.password_file) {
    auto secret =
        *flags.password_file == "-" ? read_password_stdin() : read_password_file(*flags.password_file, out.warnings);
    if (!secret) return std::unexpected(secret.error());
    out.password = std::move(*secret);
    out.password_source = flags.password_from_profile ? profile_source + " (password-file)" : "--password-file";
  } else if (flags.password_command) {
    const auto what = flags.password_from_profile ? profile_source + " password-command" : "--password-command";
    auto timeout = parse_optional_duration(env("RCTL_PASSWORD_COMMAND_TIMEOUT"), "RCTL_PASSWORD_COMMAND_TIMEOUT");
    if (!timeout) return std::unexpected(timeout.error());
    auto secret = run_password_command(*flags.password_command, what, timeout->value_or(k_password_command_timeout));
    if (!secret) return std::unexpected(secret.error());
    out.password = std::move(*secret);
    out.password_source = what;
  } else if (flags.askpass) {
    auto secret = ask_password("Redis password: ");
    if (!secret) return std::unexpected(secret.error());
    out.password = std::move(*secret);
    out.password_source = "--askpass";
  } else if (flags.password) {
    out.password = util::Secret(*flags.password);
    out.password_source = flags.password_from_profile ? profile_source : "--password";
    if (!flags.no_auth_warning && !flags.password_from_profile) out.warnings.push_back(k_cli_password_warning);
  } else if (!(out.url && url_carries_password(*out.url))) {
    // Environment passwords fill in for a URL without a password of its own, as redis-cli
    // does with REDISCLI_AUTH (the ElastiCache and Azure set-ups rely on it).
    for (const char* name : {"REDIS_PASSWORD", "REDISCLI_AUTH"}) {
      if (auto value = env(name); value && !value->empty()) {
        out.password = util::Secret(*value);
        out.password_source = name;
        break;
      }
    }
  }
  // A lone "x@" with a password from elsewhere is a user name: nothing secret is on the
  // command line then.
  if (flags.url && !flags.url_from_profile && !flags.no_auth_warning && !flags.password &&
      url_carries_password(*flags.url) && !(out.password_explicit && url_has_lone_userinfo(*flags.url)))
    out.warnings.push_back(k_cli_password_warning);
  return {};
}

}  // namespace

std::vector<std::string> url_variables(Role role) {
  std::vector<std::string> names;
  switch (role) {
    case Role::session: names.push_back("SESSION_REDIS_URL"); break;
    case Role::ratelimit: names.push_back("RATE_LIMIT_STORAGE_URL"); break;
    case Role::queue: names.push_back("REDIS_QUEUE_URL"); break;
    case Role::general: break;
  }
  names.push_back("REDIS_URL");
  names.push_back("REDIS_PRIVATE_URL");
  return names;
}

Environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Expected<Settings> resolve(const ConnectionFlags& flags, Role role, const Environment& env) {
  Settings out;
  choose_url(flags, role, env, out);
  out.host = flags.host;
  out.port = flags.port;
  out.socket = flags.socket;
  out.db = flags.db;
  out.user = flags.user;
  if (!out.url && !has_endpoint_flag(flags)) {
    if (auto host = env("REDIS_HOST"); host && !host->empty()) out.host = *host;
    auto port = env_int(env, "REDIS_PORT", 1, 65535);
    if (!port) return std::unexpected(port.error());
    if (*port) out.port = *port;
  }
  if (!out.db) {
    auto db = env_int(env, "REDIS_DB", 0, 1'000'000);
    if (!db) return std::unexpected(db.error());
    if (*db && !(out.url && (out.url_source == "--url" || flags.url_from_profile))) out.db = *db;
  }
  if (auto ok = choose_password(flags, env, out); !ok) return std::unexpected(ok.error());
  out.tls = flags.tls;
  out.insecure = flags.insecure;
  out.cacert = flags.cacert.value_or("");
  out.cert = flags.cert.value_or("");
  out.key = flags.key.value_or("");
  out.sni = flags.sni.value_or("");
  if (flags.key && !flags.cert) return fail(ErrorKind::usage, "--key needs --cert (the client certificate)");
  auto connect_timeout = parse_optional_duration(flags.connect_timeout, "--connect-timeout");
  if (!connect_timeout) return std::unexpected(connect_timeout.error());
  out.connect_timeout = *connect_timeout;
  auto timeout = parse_optional_duration(flags.timeout, "--timeout");
  if (!timeout) return std::unexpected(timeout.error());
  out.timeout = *timeout;
  if (flags.retries < 0 || flags.retries > 100) return fail(ErrorKind::usage, "--retries must be between 0 and 100");
  out.retries = flags.retries;
  out.cluster = flags.cluster;
  out.resp2 = flags.resp2;
  // Environment only: raising them is for the rare reply that is legitimately huge, not a
  // per-command choice.
  auto max_elements = env_int(env, "RCTL_MAX_REPLY_ELEMENTS", 1, 1'000'000'000);
  if (!max_elements) return std::unexpected(max_elements.error());
  if (*max_elements) out.max_reply_elements = **max_elements;
  auto max_mib = env_int(env, "RCTL_MAX_REPLY_MB", 1, 1024 * 1024);
  if (!max_mib) return std::unexpected(max_mib.error());
  if (*max_mib) out.max_reply_bytes = static_cast<std::int64_t>(**max_mib) * 1024 * 1024;
  if (out.insecure)
    out.warnings.push_back(
        "--insecure: the server's TLS certificate is not verified; anyone "
        "on the path can read and change this session");
  return out;
}

}  // namespace rctl::config
