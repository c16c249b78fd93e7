#include "client/server_error.hpp"

#include <fmt/format.h>

#include <cctype>

namespace rctl::client {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

}  // namespace

ServerErrorKind classify(std::string_view m) {
  struct Prefix {
    std::string_view text;
    ServerErrorKind kind;
  };
  static constexpr Prefix k_prefixes[] = {
      {"WRONGTYPE", ServerErrorKind::wrong_type},
      {"NOAUTH", ServerErrorKind::no_auth},
      {"WRONGPASS", ServerErrorKind::wrong_pass},
      {"NOPERM", ServerErrorKind::no_perm},
      {"NOPROTO", ServerErrorKind::no_proto},
      {"MOVED", ServerErrorKind::moved},
      {"ASK", ServerErrorKind::ask},
      {"TRYAGAIN", ServerErrorKind::try_again},
      {"CLUSTERDOWN", ServerErrorKind::cluster_down},
      {"CROSSSLOT", ServerErrorKind::cross_slot},
      {"LOADING", ServerErrorKind::loading},
      {"BUSY", ServerErrorKind::busy},
      {"READONLY", ServerErrorKind::read_only},
      {"MASTERDOWN", ServerErrorKind::master_down},
      {"OOM", ServerErrorKind::oom},
      {"NOSCRIPT", ServerErrorKind::no_script},
      {"EXECABORT", ServerErrorKind::exec_abort},
  };
  // The whole first word: "BUSY" must not claim BUSYKEY (RESTORE) or BUSYGROUP (XGROUP).
  auto code = m.substr(0, m.find(' '));
  for (const auto& p : k_prefixes)
    if (code == p.text) return p.kind;
  if (starts_with(m, "ERR unknown command") || starts_with(m, "ERR unknown subcommand"))
    return ServerErrorKind::unknown_command;
  if (starts_with(m, "ERR invalid password") || starts_with(m, "ERR invalid username-password") ||
      starts_with(m, "ERR AUTH <password> called without any password configured") ||
      starts_with(m, "ERR Client sent AUTH, but no password is set"))
    return ServerErrorKind::wrong_pass;
  return ServerErrorKind::generic;
}

bool is_refusal(ServerErrorKind kind) {
  return kind == ServerErrorKind::unknown_command || kind == ServerErrorKind::no_perm;
}

Error to_error(std::string_view message, std::string_view context) {
  auto kind = classify(message);
  auto text = fmt::format("{}: {}", context, message);
  switch (kind) {
    case ServerErrorKind::no_auth:
      return {ErrorKind::auth, text,
              "the server requires a password: use --password-file, "
              "--askpass, REDISCLI_AUTH or a URL with credentials"};
    case ServerErrorKind::wrong_pass: return {ErrorKind::auth, text, "check the user name and password"};
    case ServerErrorKind::no_perm: return {ErrorKind::permission, text, "the ACL user lacks a permission this needs"};
    default: return {ErrorKind::server, text, {}};
  }
}

Error refusal_error(std::string_view message, std::string_view command) {
  auto error = to_error(message, command);
  if (error.kind == ErrorKind::permission) {
    // ACL names subcommands as "slowlog|get".
    std::string grant;
    for (char c : command) grant += c == ' ' ? '|' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    error.hint = fmt::format("the ACL user may not run {}: grant it (ACL SETUSER <user> +{}) or use a user that has it",
                             command, grant);
  } else if (classify(message) == ServerErrorKind::unknown_command) {
    error.hint = fmt::format("{} is disabled or renamed on this server (some providers do this)", command);
  }
  return error;
}

}  // namespace rctl::client
