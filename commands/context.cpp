#include "context.hpp"

#include "client/options.hpp"

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

client::ConnectionOptions Context::connection_options(config::Role role) {
  if (!m_resolved) m_resolved = resolve(role);
  return m_resolved->options;
}

cluster::Client& Context::connect(config::Role role) {
  if (m_client) return *m_client;
  if (!m_resolved) m_resolved = resolve(role);
  m_client = value_or_throw(cluster::Client::open(m_loop, m_resolved->options, m_resolved->client_options));
  printer().debug(fmt::format("connected: {}, RESP{}{}", m_client->is_cluster() ? "cluster" : "standalone",
                              m_client->seed().report().protocol,
                              m_client->is_cluster() ? fmt::format(", {} nodes", m_client->nodes().size()) : ""));
  return *m_client;
}

std::function<Expected<std::unique_ptr<cluster::Client>>()> Context::connector(config::Role role) {
  if (!m_resolved) m_resolved = resolve(role);
  return [this] { return cluster::Client::open(m_loop, m_resolved->options, m_resolved->client_options); };
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
  app.add_flag("--askpass", c.askpass, "Prompt for the password on the terminal")->group(conn);
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
                 "Output format: table, json, none (exit code only; health: nagios; stats: prometheus)")
      ->group(out)
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"table", "json", "nagios", "prometheus", "none"}));
  app.add_flag("--no-color", o.no_color, "No colours (also NO_COLOR=1)")->group(out);
  app.add_flag("--wide", o.wide, "Never shorten table columns to fit the terminal")->group(out);
  app.add_flag("-q,--quiet", o.quiet, "No warnings or progress on stderr")->group(out);
  app.add_flag("-v,--verbose", o.verbose, "Debug messages on stderr (secrets redacted)")->group(out);
}

}  // namespace rctl::commands
