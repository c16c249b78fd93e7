#pragma once
// What every command needs after parsing: the global options, the printer, and a lazily
// opened connection to the target. The only place commands/ reaches into client/ and net/.

#include "format_table.hpp"

#include "cluster/client.hpp"
#include "config/profile.hpp"
#include "config/settings.hpp"
#include "identity/entra.hpp"
#include "identity/identity.hpp"
#include "net/event_loop.hpp"
#include "output/printer.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace rctl::commands {

struct GlobalOptions {
  config::ConnectionFlags connection;
  std::optional<std::string> profile;  // --profile
  std::string output;  // -o; empty until apply_defaults() picks one
  bool no_color = false;
  bool wide = false;  // --wide: tables are never cut to the terminal's width
  bool quiet = false;
  bool verbose = false;
};

class Context {
 public:
  explicit Context(GlobalOptions& options) : m_options(options) {}

  GlobalOptions& options() { return m_options; }

  // After parsing: the output format from -o, else RCTL_OUTPUT, else the chosen profile
  // (--profile, else RCTL_PROFILE), else table. A profile that cannot be used fails the first
  // command that connects, not commands that never do (completion).
  void apply_defaults();

  // The printer, created on first use from the parsed global options.
  output::Printer& printer();

  // The -o formats each command accepts, declared at registration.
  FormatTable& formats() { return m_formats; }

  // After apply_defaults(): checks that the chosen format is one `command` accepts (it may
  // come from -o, RCTL_OUTPUT or a profile); usage error naming `path` otherwise.
  void check_format(const CLI::App& command, std::string_view path);

  // Resolves settings for `role` and connects (cluster detection included). Throws Failure.
  cluster::Client& connect(config::Role role = config::Role::general);

  // A factory for commands that reconnect (health --wait): each call opens a fresh client.
  std::function<Expected<std::unique_ptr<cluster::Client>>()> connector(config::Role role);

  // Connection options for `role` without connecting (for reports about unreachable servers).
  client::ConnectionOptions connection_options(config::Role role);

  net::EventLoop& loop() { return m_loop; }

  // The cloud identity token made for `role` (--iam, --entra), resolving settings first; nullopt
  // when the settings use a password instead.
  const std::optional<identity::Token>& identity_token(config::Role role);

  // A new token when the current one is near its end (the clients' credential refresher);
  // nullopt while it is good or when no token is used.
  Expected<std::optional<std::pair<std::string, util::Secret>>> refresh_token_if_due();

  // The command's action, set by the subcommand's callback; returns the exit code.
  std::function<int()> run;

 private:
  struct Resolved {
    client::ConnectionOptions options;
    cluster::ClientOptions client_options;
  };
  Resolved resolve(config::Role role);

  GlobalOptions& m_options;
  FormatTable m_formats;
  std::optional<config::ProfileFile> m_profiles;  // loaded when a profile is chosen
  std::string m_profile_name;
  std::optional<Error> m_profile_error;
  std::optional<output::Printer> m_printer;
  std::optional<Resolved> m_resolved;
  std::optional<identity::Token> m_token;  // the --iam/--entra token the connection options carry
  std::function<Expected<identity::Token>()> m_token_source;  // makes a new one
  net::EventLoop m_loop;
  std::unique_ptr<cluster::Client> m_client;
};

// Adds the global flags to the root app.
void add_global_flags(CLI::App& app, GlobalOptions& options);

// Each command group registers its subcommand(s) here.
void register_health(CLI::App& app, Context& ctx);
void register_stats(CLI::App& app, Context& ctx);
void register_cache(CLI::App& app, Context& ctx);
void register_completion(CLI::App& app, Context& ctx);
void register_man_reference(CLI::App& app, Context& ctx);
void register_test(CLI::App& app, Context& ctx);
void register_ratelimit(CLI::App& app, Context& ctx);
void register_job(CLI::App& app, Context& ctx);
void register_session(CLI::App& app, Context& ctx);
void register_auth(CLI::App& app, Context& ctx);
void register_call(CLI::App& app, Context& ctx);
void register_latency(CLI::App& app, Context& ctx);
void register_slowlog(CLI::App& app, Context& ctx);
void register_clients(CLI::App& app, Context& ctx);
void register_keys(CLI::App& app, Context& ctx);

// The --version report: version, git revision, build type, compiler, TLS library.
output::Document version_document();

// Parses a duration flag value or throws a usage Failure naming the flag.
util::Millis duration_flag(const std::string& text, std::string_view flag);

}  // namespace rctl::commands
