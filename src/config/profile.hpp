#pragma once
// Named profiles from a config file, so that `--profile prod` stands for an endpoint, TLS
// files, a password file and timeouts. The file is INI-like:
//
//   # ~/.config/rctl/config
//   [prod]
//   url = rediss://clustercfg.my-cache.abc123.use1.cache.amazonaws.com:6379
//   password-file = prod.pass        # relative paths are relative to this file
//   timeout = 2s
//
// Keys are the long names of the global flags (see k_profile_keys) plus session-url,
// ratelimit-url and queue-url for the commands of those roles. A profile is only used when
// chosen (--profile or RCTL_PROFILE); what the command line sets wins over it.

#include "config/settings.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::config {

struct ProfileSetting {
  std::string key;
  std::string value;
  int line = 0;
};

struct Profile {
  std::string name;
  int line = 0;
  std::vector<ProfileSetting> settings;
};

struct ProfileFile {
  std::string path;
  std::vector<Profile> profiles;
  bool readable_by_others = false;  // mode has group or other read bits
};

// Every key a profile may set.
extern const std::vector<std::string_view> k_profile_keys;

// Where the config file is: $RCTL_CONFIG, else $XDG_CONFIG_HOME/rctl/config, else
// $HOME/.config/rctl/config; nullopt when none of those variables is set.
std::optional<std::string> config_path(const Environment& env);

// Parses a config file's text. Errors are ErrorKind::usage naming path:line.
Expected<ProfileFile> parse_profiles(std::string_view text, std::string path);

// Reads and parses the file at `path`.
Expected<ProfileFile> load_profiles(const std::string& path);

// Fills in what the command line left unset in `flags` from profile `name` for `role`, and
// `output` when it is empty. An endpoint given on the command line (--url, --host, --port,
// --socket) keeps the profile's endpoint out, and with it the profile's credentials (user,
// password, client certificate, SNI); a password given there keeps the profile's password
// out. Values are
// checked (numbers, booleans, durations later by resolve()); relative paths are taken from
// the file's directory and `~/` from `env`'s HOME. Adds a warning when the file holds a
// password and other users can read it.
Expected<void> apply_profile(const ProfileFile& file, std::string_view name, Role role, const Environment& env,
                             ConnectionFlags& flags, std::string& output, std::vector<std::string>& warnings);

}  // namespace rctl::config
