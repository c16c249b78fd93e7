#include "config/profile.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace rctl::config {

const std::vector<std::string_view> k_profile_keys = {
    "url",  "session-url", "ratelimit-url",   "queue-url",        "host",    "port",    "socket", "db",
    "user", "password",    "password-file",   "password-command", "tls",     "cacert",  "cert",   "key",
    "sni",  "insecure",    "connect-timeout", "timeout",          "retries", "cluster", "resp2",  "output",
    "auth", "cache-name",  "region",          "serverless",
};

namespace {

constexpr std::size_t k_max_config_bytes = 1024 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A value may be quoted to keep a leading or trailing space or a '#'; otherwise " #" or
// " ;" starts a comment.
std::string_view strip_value(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  for (std::size_t i = 1; i < v.size(); ++i)
    if ((v[i] == '#' || v[i] == ';') && (v[i - 1] == ' ' || v[i - 1] == '\t')) return trim(v.substr(0, i));
  return v;
}

std::unexpected<Error> error_at(const std::string& path, int line, std::string message, std::string hint = {}) {
  return fail(ErrorKind::usage, fmt::format("{}:{}: {}", path, line, message), std::move(hint));
}

bool is_profile_key(std::string_view key) {
  return std::find(k_profile_keys.begin(), k_profile_keys.end(), key) != k_profile_keys.end();
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

// A file setting as a path: `~/` from HOME, relative to the config file's directory.
std::string file_path(const std::string& value, const ProfileFile& file, const Environment& env) {
  if (value.starts_with("~/")) {
    if (auto home = env("HOME"); home && !home->empty()) return *home + value.substr(1);
  }
  if (value.starts_with("/")) return value;
  return directory_of(file.path) + "/" + value;
}

Expected<bool> parse_bool(const ProfileSetting& s, const std::string& path) {
  auto v = util::to_lower(s.value);
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  return error_at(path, s.line, fmt::format("{}: expected true or false, not '{}'", s.key, s.value));
}

Expected<int> parse_int_in(const ProfileSetting& s, const std::string& path, long lo, long hi) {
  auto n = util::parse_int(s.value);
  if (!n || *n < lo || *n > hi)
    return error_at(path, s.line, fmt::format("{}: expected a number from {} to {}, not '{}'", s.key, lo, hi, s.value));
  return static_cast<int>(*n);
}

}  // namespace

std::optional<std::string> config_path(const Environment& env) {
  if (auto p = env("RCTL_CONFIG"); p && !p->empty()) return *p;
  if (auto x = env("XDG_CONFIG_HOME"); x && !x->empty()) return *x + "/rctl/config";
  if (auto h = env("HOME"); h && !h->empty()) return *h + "/.config/rctl/config";
  return std::nullopt;
}

Expected<ProfileFile> parse_profiles(std::string_view text, std::string path) {
  ProfileFile file;
  file.path = std::move(path);
  int number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    auto raw = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() + 1 : end + 1;
    ++number;
    auto line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      auto close = line.find(']');
      auto rest = close == std::string_view::npos ? std::string_view{} : trim(line.substr(close + 1));
      if (close == std::string_view::npos || (!rest.empty() && rest.front() != '#' && rest.front() != ';'))
        return error_at(file.path, number, "expected [profile-name]");
      auto name = std::string(trim(line.substr(1, close - 1)));
      if (name.empty()) return error_at(file.path, number, "a profile needs a name: [prod]");
      for (const auto& p : file.profiles)
        if (p.name == name)
          return error_at(file.path, number,
                          fmt::format("profile '{}' is defined twice (first at line {})", name, p.line));
      file.profiles.push_back({name, number, {}});
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) return error_at(file.path, number, "expected key = value or [profile-name]");
    auto key = util::to_lower(std::string(trim(line.substr(0, eq))));
    auto value = std::string(strip_value(line.substr(eq + 1)));
    if (file.profiles.empty())
      return error_at(file.path, number, fmt::format("'{}' is outside any profile", key),
                      "start a profile with [name]");
    if (!is_profile_key(key))
      return error_at(file.path, number, fmt::format("unknown setting '{}'", key),
                      fmt::format("settings: {}", fmt::join(k_profile_keys, ", ")));
    auto& profile = file.profiles.back();
    for (const auto& s : profile.settings)
      if (s.key == key)
        return error_at(file.path, number,
                        fmt::format("'{}' is set twice in profile '{}' (first at line {})", key, profile.name, s.line));
    profile.settings.push_back({key, value, number});
  }
  return file;
}

Expected<ProfileFile> load_profiles(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(ErrorKind::usage, fmt::format("cannot read config file '{}': {}", path, std::strerror(errno)),
                "set RCTL_CONFIG to its path, or create it (see rctl(1), PROFILES)");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > k_max_config_bytes)
    return fail(ErrorKind::usage, fmt::format("config file '{}' is larger than 1 MiB", path));
  auto file = parse_profiles(text.str(), path);
  if (!file) return file;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) file->readable_by_others = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
  return file;
}

Expected<void> apply_profile(const ProfileFile& file, std::string_view name, Role role, const Environment& env,
                             ConnectionFlags& flags, std::string& output, std::vector<std::string>& warnings) {
  auto found =
      std::find_if(file.profiles.begin(), file.profiles.end(), [&](const Profile& p) { return p.name == name; });
  if (found == file.profiles.end()) {
    std::vector<std::string> names;
    for (const auto& p : file.profiles) names.push_back(p.name);
    return fail(ErrorKind::usage, fmt::format("no profile '{}' in {}", name, file.path),
                names.empty() ? "the file defines no profile" : fmt::format("profiles: {}", fmt::join(names, ", ")));
  }
  const auto& p = *found;
  auto get = [&](std::string_view key) -> const ProfileSetting* {
    for (const auto& s : p.settings)
      if (s.key == key) return &s;
    return nullptr;
  };
  flags.profile = p.name;
  const bool endpoint_on_command_line = flags.url || flags.host || flags.port || flags.socket;
  const bool password_on_command_line =
      flags.password || flags.password_file || flags.password_command || flags.askpass;
  const char* role_key = role == Role::session     ? "session-url"
                         : role == Role::ratelimit ? "ratelimit-url"
                         : role == Role::queue     ? "queue-url"
                                                   : nullptr;
  if (!endpoint_on_command_line) {
    const ProfileSetting* url = role_key ? get(role_key) : nullptr;
    if (!url) url = get("url");
    if (url) {
      flags.url = url->value;
      flags.url_from_profile = true;
    }
    if (auto s = get("host")) flags.host = s->value;
    if (auto s = get("port")) {
      auto n = parse_int_in(*s, file.path, 1, 65535);
      if (!n) return std::unexpected(n.error());
      flags.port = *n;
    }
    if (auto s = get("socket")) flags.socket = file_path(s->value, file, env);
  }
  if (auto s = get("db"); s && !flags.db) {
    auto n = parse_int_in(*s, file.path, 0, 1'000'000);
    if (!n) return std::unexpected(n.error());
    flags.db = *n;
  }
  // The profile's credentials belong to its endpoint: never sent to a server named on the
  // command line instead.
  if (auto s = get("user"); s && !flags.user && !endpoint_on_command_line) flags.user = s->value;
  bool holds_password = false;
  if (!password_on_command_line && !endpoint_on_command_line) {
    auto password = get("password");
    auto password_file = get("password-file");
    auto password_command = get("password-command");
    if ((password ? 1 : 0) + (password_file ? 1 : 0) + (password_command ? 1 : 0) > 1)
      return error_at(
          file.path, (password_command ? password_command : password_file)->line,
          fmt::format("profile '{}' sets more than one of password, password-file and password-command", p.name));
    if (password) {
      flags.password = password->value;
      flags.password_from_profile = true;
      holds_password = true;
    }
    if (password_file) {
      flags.password_file = file_path(password_file->value, file, env);
      flags.password_from_profile = true;
    }
    if (password_command) {
      // Run as written, by /bin/sh from rctl's working directory (as git runs its helpers).
      flags.password_command = password_command->value;
      flags.password_from_profile = true;
    }
  }
  if (auto s = get("auth"); s && !password_on_command_line && !endpoint_on_command_line) {
    auto kind = util::to_lower(s->value);
    if (kind == "iam") flags.iam = !flags.entra;
    else if (kind == "entra") flags.entra = !flags.iam;
    else if (kind != "password")
      return error_at(file.path, s->line, fmt::format("auth: expected iam, entra or password, not '{}'", s->value));
  }
  if (!endpoint_on_command_line) {  // they name the profile's cache
    if (auto s = get("cache-name"); s && !flags.cache_name) flags.cache_name = s->value;
    if (auto s = get("region"); s && !flags.region) flags.region = s->value;
  }
  if (flags.url_from_profile && url_carries_password(*flags.url)) holds_password = true;
  if (holds_password && file.readable_by_others)
    warnings.push_back(
        fmt::format("config file '{}' holds a password and other users can read it (chmod 600 it, "
                    "or use password-file)",
                    file.path));
  for (auto [key, target] :
       {std::pair{"tls", &flags.tls}, std::pair{"insecure", &flags.insecure}, std::pair{"cluster", &flags.cluster},
        std::pair{"resp2", &flags.resp2}, std::pair{"serverless", &flags.serverless}}) {
    if (auto s = get(key)) {
      auto b = parse_bool(*s, file.path);
      if (!b) return std::unexpected(b.error());
      *target = *target || *b;  // a flag can only add to what the profile says
    }
  }
  if (auto s = get("cacert"); s && !flags.cacert) flags.cacert = file_path(s->value, file, env);
  if (!endpoint_on_command_line) {  // the client certificate and SNI name the profile's server
    for (auto [key, target] : {std::pair{"cert", &flags.cert}, std::pair{"key", &flags.key}})
      if (auto s = get(key); s && !*target) *target = file_path(s->value, file, env);
    if (auto s = get("sni"); s && !flags.sni) flags.sni = s->value;
  }
  if (auto s = get("connect-timeout"); s && !flags.connect_timeout) flags.connect_timeout = s->value;
  if (auto s = get("timeout"); s && !flags.timeout) flags.timeout = s->value;
  if (auto s = get("retries"); s && flags.retries == 0) {
    auto n = parse_int_in(*s, file.path, 0, 100);
    if (!n) return std::unexpected(n.error());
    flags.retries = *n;
  }
  if (auto s = get("output"); s && output.empty()) output = s->value;
  return {};
}

}  // namespace rctl::config
