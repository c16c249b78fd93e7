#pragma once
// Connection settings gathered from, in order: flags (with a chosen profile filling in what
// the command line left unset, see profile.hpp), then the environment (REDIS_URL and
// friends, per-role URLs). The result names where each value came from, for -v output,
// and never exposes the password except through util::Secret.

#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/secret.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::config {

// Which application role a command works for; each role may have its own URL variable.
enum class Role {
  general,  // REDIS_URL
  session,  // SESSION_REDIS_URL, then REDIS_URL
  ratelimit,  // RATE_LIMIT_STORAGE_URL, then REDIS_URL
  queue,  // REDIS_QUEUE_URL, then REDIS_URL
};

// The connection flags exactly as given on the command line (filled by commands/).
struct ConnectionFlags {
  std::optional<std::string> url;
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> socket;
  std::optional<int> db;
  std::optional<std::string> user;
  std::optional<std::string> password;  // --password: works, but warns
  std::optional<std::string> password_file;  // --password-file
  std::optional<std::string> password_command;  // --password-command: its stdout is the password
  bool askpass = false;
  bool no_auth_warning = false;
  bool tls = false;
  std::optional<std::string> cacert, cert, key, sni;
  bool insecure = false;
  std::optional<std::string> connect_timeout;  // "5s"
  std::optional<std::string> timeout;  // "5s"
  int retries = 0;
  bool cluster = false;  // --cluster: require cluster mode
  bool resp2 = false;  // --resp2: skip HELLO 3
  // A cloud identity instead of a password (identity/): --iam (ElastiCache) and its options.
  bool iam = false;
  std::optional<std::string> cache_name;  // --cache-name
  std::optional<std::string> region;  // --region
  bool serverless = false;  // --serverless
  bool entra = false;  // --entra: a Microsoft Entra ID token (Azure)
  // Set by apply_profile(): the profile's name, and which of the above it filled in (they
  // are named after it in -v output and draw no command-line password warning).
  std::string profile;
  bool url_from_profile = false;
  bool password_from_profile = false;
};

// Reads environment variables; injectable for tests.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment.
Environment process_environment();

struct Settings {
  std::optional<std::string> url;  // the URL to parse, if any
  std::string url_source;  // "--url", "REDIS_URL", ... (never the URL itself)
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> socket;
  std::optional<int> db;
  std::optional<std::string> user;
  std::optional<util::Secret> password;  // an explicit password; a URL's own comes later
  std::string password_source;  // "--password-file", "REDISCLI_AUTH", ...
  // From --password, --password-file or --askpass (or a profile's): then a URL's lone
  // "x@" is the user name x, not a password.
  bool password_explicit = false;
  bool tls = false;
  bool insecure = false;
  std::string cacert, cert, key, sni;
  std::optional<util::Millis> connect_timeout;
  std::optional<util::Millis> timeout;
  int retries = 0;
  bool cluster = false;
  bool resp2 = false;
  // Whole-reply bounds from RCTL_MAX_REPLY_ELEMENTS and RCTL_MAX_REPLY_MB; unset = defaults.
  std::optional<std::int64_t> max_reply_elements;
  std::optional<std::int64_t> max_reply_bytes;
  std::vector<std::string> warnings;  // one line each, printed on stderr
};

// Resolves flags and environment into settings for `role`. Fails with ErrorKind::usage on
// a bad duration, an unreadable password file, or --askpass without a terminal.
Expected<Settings> resolve(const ConnectionFlags& flags, Role role, const Environment& env);

// True when a URL has a password in its userinfo (`:pass@`, or `pass@` as redis-cli reads it)
// or its query. Only a hint for warnings; net/ parses URLs for real.
bool url_carries_password(std::string_view url);

// The environment variable names consulted for `role`'s URL, most specific first.
std::vector<std::string> url_variables(Role role);

}  // namespace rctl::config
