#include "context.hpp"

#include "client/options.hpp"
#include "identity/aws_credentials.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace rctl::commands {

output::Printer& Context::printer() {
  if (!m_printer) {
    auto format = output::parse_format(m_options.output).value_or(output::Format::table);
    m_printer.emplace(format, output::detect_terminal(m_options.no_color, m_options.wide), m_options.quiet,
                      m_options.verbose);
  }
  return *m_printer;
}

void Context::check_format(const CLI::App& command, std::string_view path) {
  auto format = output::parse_format(m_options.output);
  auto allowed = m_formats.accepted(command);
  if (!format || std::ranges::find(allowed, *format) != allowed.end()) return;
  std::string names;
  for (auto f : allowed)
    if (f != output::Format::none) names += std::string(names.empty() ? "" : ", ") + output::to_string(f);
  throw Failure(ErrorKind::usage, fmt::format("{} does not support -o {}", path, m_options.output),
                fmt::format("use one of: {}", names));
}

void Context::apply_defaults() {
  auto env = config::process_environment();
  const char* output_source = "-o";
  if (m_options.output.empty()) {
    if (auto o = env("RCTL_OUTPUT"); o && !o->empty()) m_options.output = *o, output_source = "RCTL_OUTPUT";
  }
  m_profile_name = m_options.profile.value_or(env("RCTL_PROFILE").value_or(""));
  if (!m_profile_name.empty()) {
    auto path = config::config_path(env);
    Expected<config::ProfileFile> file =
        fail(ErrorKind::usage, fmt::format("profile '{}': no config file (HOME is not set)", m_profile_name),
             "set RCTL_CONFIG to the file's path");
    if (path) file = config::load_profiles(*path);
    if (file) {
      // Checked now, for every role's settings at once; the role's URL is chosen in resolve().
      auto scratch = m_options.connection;
      std::vector<std::string> ignored;
      auto output = m_options.output;
      auto ok = config::apply_profile(*file, m_profile_name, config::Role::general, env, scratch, output, ignored);
      if (!ok) m_profile_error = ok.error();
      if (ok && output != m_options.output) m_options.output = output, output_source = "the profile";
      m_profiles = std::move(*file);
    } else {
      m_profile_error = file.error();
    }
  }
  if (m_options.output.empty()) m_options.output = "table";
  if (m_options.output != "table" && m_options.output != "json" && output_source != std::string_view("-o")) {
    auto bad = std::exchange(m_options.output, "table");
    throw Failure(ErrorKind::usage, fmt::format("output format '{}' from {}: use table or json", bad, output_source),
                  "other formats (nagios, prometheus) belong to one command: give them with -o");
  }
}

Context::Resolved Context::resolve(config::Role role) {
  if (m_profile_error) throw Failure(*m_profile_error);
  auto env = config::process_environment();
  auto flags = m_options.connection;
  std::vector<std::string> profile_warnings;
  if (m_profiles) {
    value_or_throw(
        config::apply_profile(*m_profiles, m_profile_name, role, env, flags, m_options.output, profile_warnings));
    printer().debug(fmt::format("profile '{}' from {}", m_profile_name, m_profiles->path));
  }
  for (const auto& w : profile_warnings) printer().warning(w);
  auto settings = value_or_throw(config::resolve(flags, role, env));
  for (const auto& w : settings.warnings) printer().warning(w);
  auto target = value_or_throw(client::make_target(settings));
  for (const auto& w : target.warnings) printer().warning(w);
  if (flags.iam) {
    identity::IamOptions iam{flags.user ? flags.user : target.options.username, flags.cache_name, flags.region,
                             flags.serverless};
    auto host = target.options.endpoint.host;
    m_token_source = [iam, host, env] { return identity::elasticache_iam_token(iam, host, env); };
  } else if (flags.entra) {
    auto user = flags.user ? flags.user : target.options.username;
    m_token_source = [user, env] { return identity::entra_token(user, env); };
  }
  if (m_token_source) {
    auto token = value_or_throw(m_token_source());
    for (const auto& note : token.notes) printer().debug(note);
    printer().debug(fmt::format("password: {} for user '{}', valid {}s",
                                token.kind == "entra" ? "a Microsoft Entra token" : "an ElastiCache IAM token",
                                token.user, (token.expires_at - token.issued_at).count()));
    target.options.username = token.user;
    target.options.password = token.token;
    m_token = std::move(token);
  }
  Resolved r{target.options, {}};
  r.client_options.force_cluster = target.force_cluster;
  r.client_options.retries = target.retries;
  printer().debug(fmt::format("target {} (from {})", client::describe(r.options),
                              !settings.url_source.empty() ? settings.url_source
                              : flags.profile.empty()      ? std::string("flags/defaults")
                                                           : fmt::format("profile '{}' and flags", flags.profile)));
  if (!settings.password_source.empty()) printer().debug("password from " + settings.password_source);
  return r;
}

const std::optional<identity::Token>& Context::identity_token(config::Role role) {
  if (!m_resolved) m_resolved = resolve(role);
  return m_token;
}

client::ConnectionOptions Context::connection_options(config::Role role) {
  if (!m_resolved) m_resolved = resolve(role);
  return m_resolved->options;
}

Expected<std::optional<std::pair<std::string, util::Secret>>> Context::refresh_token_if_due() {
  using Fresh = std::optional<std::pair<std::string, util::Secret>>;
  if (!m_token || !m_token_source || !m_resolved) return Fresh{};
  // Early enough that a slow token source and a long batch still finish in time: a third of
  // the token's life, at most five minutes before its end.
  auto life = m_token->expires_at - m_token->issued_at;
  auto margin = std::min<std::chrono::seconds>(life / 3, std::chrono::minutes(5));
  auto now = identity::signing_time(config::process_environment());
  if (now < m_token->expires_at - margin) return Fresh{};
  auto token = m_token_source();
  if (!token) return std::unexpected(token.error());
  printer().debug(fmt::format("refreshed the {} token for user '{}', valid {}s", token->kind, token->user,
                              (token->expires_at - token->issued_at).count()));
  m_resolved->options.username = token->user;
  m_resolved->options.password = token->token;
  m_token = std::move(*token);
  return Fresh(std::pair{m_token->user, m_token->token});
}

cluster::Client& Context::connect(config::Role role) {
  if (m_client) return *m_client;
  if (!m_resolved) m_resolved = resolve(role);
  if (auto fresh = refresh_token_if_due(); !fresh) throw Failure(fresh.error());
  m_client = value_or_throw(cluster::Client::open(m_loop, m_resolved->options, m_resolved->client_options));
  if (m_token) m_client->set_credential_refresher([this] { return refresh_token_if_due(); });
  printer().debug(fmt::format("connected: {}, RESP{}{}", m_client->is_cluster() ? "cluster" : "standalone",
                              m_client->seed().report().protocol,
                              m_client->is_cluster() ? fmt::format(", {} nodes", m_client->nodes().size()) : ""));
  return *m_client;
}

std::function<Expected<std::unique_ptr<cluster::Client>>()> Context::connector(config::Role role) {
  if (!m_resolved) m_resolved = resolve(role);
  return [this]() -> Expected<std::unique_ptr<cluster::Client>> {
    // Each attempt of a long wait connects with a token that is still good.
    if (auto fresh = refresh_token_if_due(); !fresh) return std::unexpected(fresh.error());
    auto client = cluster::Client::open(m_loop, m_resolved->options, m_resolved->client_options);
    if (client && m_token) (*client)->set_credential_refresher([this] { return refresh_token_if_due(); });
    return client;
  };
}

util::Millis duration_flag(const std::string& text, std::string_view flag) {
  return value_or_throw(util::parse_duration(text, flag));
}

void add_global_flags(CLI::App& app, GlobalOptions& o) {
  auto& c = o.connection;
  const char* conn = "Connection";
  app.add_option("-u,--url", c.url, "Redis URL: redis://[user:password@]host[:port][/db], rediss://..., unix:///path")
      ->group(conn)
      ->type_name("URL");
  app.add_option("-h,--host", c.host, "Server host name or IP (default 127.0.0.1)")->group(conn)->type_name("HOST");
  app.add_option("-p,--port", c.port, "Server port (default 6379)")
      ->group(conn)
      ->type_name("PORT")
      ->check(CLI::Range(1, 65535));
  app.add_option("-s,--socket", c.socket, "Unix socket path")->group(conn)->type_name("PATH");
  app.add_option("-n,--db", c.db, "Database number")->group(conn)->type_name("N")->check(CLI::Range(0, 1000000));
  app.add_option("--user", c.user, "ACL user name")->group(conn)->type_name("USER");
  app.add_option("-a,--password,--pass", c.password, "Password (visible in ps; prefer --password-file or --askpass)")
      ->group(conn)
      ->type_name("PASSWORD");
  app.add_option("--password-file", c.password_file,
                 "Read the password from a file, - for standard input (trailing newline dropped)")
      ->group(conn)
      ->type_name("FILE");
  app.add_option("--password-command", c.password_command,
                 "Run CMD with /bin/sh and use its output as the password (a secret store's CLI, a token helper)")
      ->group(conn)
      ->type_name("CMD");
  app.add_flag("--askpass", c.askpass, "Prompt for the password on the terminal")->group(conn);
  const char* identity = "Cloud identity";
  app.add_flag("--iam", c.iam,
               "Authenticate to ElastiCache with an IAM token made from your AWS credentials (needs --user)")
      ->group(identity);
  app.add_option("--cache-name", c.cache_name,
                 "For --iam, the replication group or serverless cache name (default: from the endpoint host)")
      ->group(identity)
      ->type_name("NAME");
  app.add_option("--region", c.region, "For --iam, the AWS region (default: from the endpoint host, else AWS_REGION)")
      ->group(identity)
      ->type_name("REGION");
  app.add_flag("--serverless", c.serverless, "For --iam, the cache is ElastiCache Serverless")->group(identity);
  app.add_flag("--entra", c.entra,
               "Authenticate to Azure Cache for Redis with a Microsoft Entra token (managed identity, else az login)")
      ->group(identity);
  app.add_flag("--no-auth-warning", c.no_auth_warning, "Do not warn about a password on the command line")->group(conn);
  app.add_flag("--tls", c.tls, "Use TLS (same as rediss://)")->group(conn);
  app.add_option("--cacert", c.cacert, "CA certificate bundle (PEM) to verify the server")
      ->group(conn)
      ->type_name("FILE");
  app.add_option("--cert", c.cert, "Client certificate (PEM) for mutual TLS")->group(conn)->type_name("FILE");
  app.add_option("--key", c.key, "Client private key (PEM) for mutual TLS")->group(conn)->type_name("FILE");
  app.add_option("--sni", c.sni, "TLS server name to send and verify (default: the host)")
      ->group(conn)
      ->type_name("NAME");
  app.add_flag("--insecure", c.insecure, "Do not verify the server certificate (not recommended)")->group(conn);
  app.add_option("--connect-timeout", c.connect_timeout, "Connect timeout (default 5s)")->group(conn)->type_name("DUR");
  app.add_option("--timeout", c.timeout, "Deadline for each whole reply, not an idle timer (default 5s)")
      ->group(conn)
      ->type_name("DUR");
  app.add_option("--profile", o.profile,
                 "Use this profile from the config file (also RCTL_PROFILE; see PROFILES in rctl(1))")
      ->group(conn)
      ->type_name("NAME");
  app.add_option("--retries", c.retries, "Extra connection attempts on failure (default 0)")
      ->group(conn)
      ->type_name("N")
      ->check(CLI::Range(0, 100));
  app.add_flag("--cluster", c.cluster, "Require cluster mode (otherwise detected)")->group(conn);
  app.add_flag("--resp2", c.resp2, "Speak RESP2 only (skip HELLO 3)")->group(conn);
  const char* out = "Output";
  app.add_option("-o,--output", o.output,
                 "Output format (completed by main once every command has declared its formats)")
      ->group(out)
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"table", "json", "nagios", "prometheus", "none"}));
  app.add_flag("--no-color", o.no_color, "No colours (also NO_COLOR=1)")->group(out);
  app.add_flag("--wide", o.wide, "Never shorten table columns to fit the terminal")->group(out);
  app.add_flag("-q,--quiet", o.quiet, "No warnings or progress on stderr")->group(out);
  app.add_flag("-v,--verbose", o.verbose, "Debug messages on stderr (secrets redacted)")->group(out);
}

}  // namespace rctl::commands
