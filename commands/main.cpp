// rctl entry point: builds the command tree, parses, runs the one chosen action, and maps
// every error to its exit code. The only try/catch of the program.

#include "context.hpp"

#include "output/printer.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace {

using namespace rctl;

// Overwrites passwords in argv so that `ps` and /proc/<pid>/cmdline no longer show them
// once parsing is done (CLI11 has copied what it needs).
void scrub_secrets(int argc, char** argv) {
  auto mask = [](char* s, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) s[i] = '*';
  };
  auto mask_url_password = [&](char* s) {
    std::string_view url(s);
    auto start = url.find("://");
    if (start == std::string_view::npos) return;
    start += 3;
    auto end = url.find_first_of("/?#", start);
    auto at = url.rfind('@', end == std::string_view::npos ? url.npos : end);
    if (at != std::string_view::npos && at > start) {
      auto colon = url.find(':', start);
      mask(s, colon != std::string_view::npos && colon < at ? colon + 1 : start, at);
    }
    for (auto pos = url.find("password="); pos != std::string_view::npos; pos = url.find("password=", pos + 1)) {
      auto value_end = url.find('&', pos);
      mask(s, pos + 9, value_end == std::string_view::npos ? url.size() : value_end);
    }
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    if ((arg == "-a" || arg == "--password" || arg == "--pass") && i + 1 < argc) {
      mask(argv[i + 1], 0, std::strlen(argv[i + 1]));
    } else if (arg.starts_with("--password=") || arg.starts_with("--pass=")) {
      mask(argv[i], arg.find('=') + 1, arg.size());
    } else if (arg.starts_with("-a") && arg.size() > 2 && arg[2] != '-') {
      mask(argv[i], 2, arg.size());
    } else if ((arg == "-u" || arg == "--url") && i + 1 < argc) {
      mask_url_password(argv[i + 1]);
    } else if (arg.starts_with("--url=") || (arg.starts_with("-u") && arg.size() > 2)) {
      mask_url_password(argv[i]);
    }
  }
}

// The output format the command line asks for (json, nagios, else table), so that even
// parse errors are JSON, or a nagios UNKNOWN line.
std::string requested_format(int argc, char** argv) {
  std::string format = "table";
  for (int i = 1; i < argc; ++i) {
    std::string_view a(argv[i]);
    std::string_view value;
    if ((a == "-o" || a == "--output") && i + 1 < argc) value = argv[i + 1];
    else if (a.starts_with("--output=")) value = a.substr(9);
    else if (a.starts_with("-o") && a.size() > 2) value = a.substr(2);
    if (value == "json" || value == "nagios") format = value;
  }
  return format;
}

// `-h` is the host, as in redis-cli, psql and mysql. A trailing `-h` with no value left
// (`rctl -h`, `rctl health -h`) can only mean help, so it becomes `--help`.
void trailing_h_means_help(int argc, char** argv) {
  static char help[] = "--help";
  for (int i = 1; i < argc - 1; ++i) {
    // After --, or after `call COMMAND`, `-h` is an argument (a key) for the server.
    std::string_view a(argv[i]);
    if (a == "--" || (a == "call" && i < argc - 2)) return;
  }
  if (argc > 1 && std::string_view(argv[argc - 1]) == "-h") argv[argc - 1] = help;
}

// Help is a success only when nothing but command words came with it: `rctl -p 1 health
// -o nagios --help` must not tell a monitor that the check passed.
std::vector<std::string> words_besides_help(int argc, char** argv, const CLI::App& app) {
  std::vector<std::string> commands;
  for (const CLI::App* at = &app; !at->get_subcommands().empty(); at = at->get_subcommands().front())
    commands.push_back(at->get_subcommands().front()->get_name());
  std::vector<std::string> extra;
  std::size_t next_command = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view a(argv[i]);
    if (a == "--help") continue;
    if (next_command < commands.size() && a == commands[next_command]) {
      ++next_command;
      continue;
    }
    extra.emplace_back(a);
  }
  return extra;
}

int report(commands::Context& ctx, const Error& error) {
  int code =
      error.kind == ErrorKind::interrupted ? util::interrupt_exit_code() : static_cast<int>(exit_code_for(error.kind));
  // A monitoring plugin that could not check says UNKNOWN (3), whatever stopped it; a
  // server that is down is a CRITICAL report, not an error (see run_health).
  if (ctx.printer().format() == output::Format::nagios) code = 3;
  ctx.printer().error(error, code);
  return code;
}

// Help and version text go through CLI11's buffered std::cout, unlike the printer's direct
// writes: flush it and report a failed write (`rctl --help > /dev/full`) instead of exit 0.
int flushed(commands::Context& ctx, int code) {
  if (output::flush_buffered_stdout()) return code;
  return report(ctx, Error{ErrorKind::output, "cannot write the output",
                           "stdout is incomplete; check the disk or file it goes to"});
}

// The command the user was typing ("rctl cache get"): usage errors point at its --help.
std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  const CLI::App* at = &app;
  while (true) {
    auto parsed = at->get_subcommands();
    if (parsed.empty()) return path;
    at = parsed.front();
    path += " " + at->get_name();
  }
}

const CLI::App& deepest_command(const CLI::App& app) {
  const CLI::App* at = &app;
  for (auto parsed = at->get_subcommands(); !parsed.empty(); parsed = at->get_subcommands()) at = parsed.front();
  return *at;
}

// CLI11 names a missing positional by its variable name ("keys is required"); say which
// argument is missing the way --help shows it ("missing KEY ...").
std::string usage_message(const CLI::ParseError& e, const CLI::App& app) {
  std::string what = e.what();
  const auto& at = deepest_command(app);
  if (what == "A subcommand is required") {
    std::vector<std::string> names;
    for (const auto* sub : at.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); }))
      names.push_back(sub->get_name());
    auto rest = at.remaining();
    if (rest.empty()) rest = app.remaining();  // fallthrough hands unknown words to the top
    auto choices = fmt::format("{}", fmt::join(names, ", "));
    return rest.empty() || rest.front().starts_with("-")
               ? fmt::format("missing command: one of {}", choices)
               : fmt::format("unknown command '{}': one of {}", rest.front(), choices);
  }
  constexpr std::string_view suffix = " is required";
  if (what.size() > suffix.size() && what.ends_with(suffix)) {
    auto name = what.substr(0, what.size() - suffix.size());
    if (const auto* opt = at.get_option_no_throw(name); opt && opt->get_positional())
      return fmt::format("missing argument {}", opt->get_type_name().empty() ? name : opt->get_type_name());
  }
  return what;
}

// Help asked for together with options: a usage error (exit 2, UNKNOWN under -o nagios),
// so that a mistyped check never passes. The other words are counted, not echoed: they may
// hold a password.
int help_with_arguments(commands::Context& ctx, const CLI::App& app, int argc, char** argv,
                        const std::vector<std::string>& extra) {
  scrub_secrets(argc, argv);
  ctx.options().output = requested_format(argc, argv);
  return report(ctx, Error{ErrorKind::usage,
                           fmt::format("--help was given with {} other argument(s): nothing was run", extra.size()),
                           fmt::format("run '{} --help' alone to read the help", command_path(app))});
}

// CLI11 lists unexpected arguments last-first ("not expected: app:* --pattern --scan" for
// `--scan --pattern app:*`); list them in the order they were typed.
std::vector<std::string> unexpected_in_order(const CLI::App& app) {
  std::vector<std::string> words;
  for (const CLI::App* at = &app;; at = at->get_subcommands().front()) {
    auto rest = at->remaining(false);
    words.insert(words.end(), rest.begin(), rest.end());
    if (at->get_subcommands().empty()) break;
  }
  return words;
}

struct UsageText {
  std::string message, hint;
};

UsageText usage_text(const CLI::ParseError& e, const CLI::App& app) {
  UsageText out{usage_message(e, app), fmt::format("see {} --help", command_path(app))};
  if (dynamic_cast<const CLI::ExtrasError*>(&e) == nullptr) return out;
  auto words = unexpected_in_order(app);
  std::vector<std::string> reversed(words.rbegin(), words.rend());
  // Only when these are exactly the words CLI11 named; otherwise keep its message as it is.
  if (words.empty() || !out.message.ends_with(fmt::format("{}", fmt::join(reversed, " ")))) return out;
  auto listed = fmt::format("{}", fmt::join(reversed, " "));
  out.message.replace(out.message.rfind(listed), listed.size(), fmt::format("{}", fmt::join(words, " ")));
  if (std::ranges::find(words, "--json") != words.end())
    out.hint = fmt::format("for JSON output use -o json; see {} --help", command_path(app));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  // The password is in this process's memory: no core dump (and no ptrace by other users'
  // processes) may copy it to disk.
  prctl(PR_SET_DUMPABLE, 0);
  commands::GlobalOptions options;
  commands::Context ctx(options);
  CLI::App app{
      "rctl: check, measure and operate the Redis behind your application "
      "(health, stats, memory, slow log, clients, latency, cache, sessions, rate limits, jobs)",
      "rctl"};
  app.set_version_flag("--version", std::string("rctl ") + RCTL_VERSION);
  // Only the long form: `-h` is the host (add_global_flags). Set before any subcommand,
  // which copies its parent's help flag.
  app.set_help_flag("--help", "Print this help message and exit");
  app.require_subcommand(1);
  app.fallthrough();
  commands::add_global_flags(app, options);
  // In the order of --help: the incident questions first, then the application data, then tools.
  commands::register_health(app, ctx);
  commands::register_stats(app, ctx);
  commands::register_keys(app, ctx);
  commands::register_slowlog(app, ctx);
  commands::register_clients(app, ctx);
  commands::register_latency(app, ctx);
  commands::register_call(app, ctx);
  commands::register_cache(app, ctx);
  commands::register_session(app, ctx);
  commands::register_ratelimit(app, ctx);
  commands::register_job(app, ctx);
  commands::register_test(app, ctx);
  commands::register_auth(app, ctx);
  commands::register_completion(app, ctx);
  commands::register_man_reference(app, ctx);
  // The formats only some commands print are known once every command has registered.
  app.get_option("-o")->description(ctx.formats().help());

  trailing_h_means_help(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    if (auto extra = words_besides_help(argc, argv, app); !extra.empty())
      return help_with_arguments(ctx, app, argc, argv, extra);
    return flushed(ctx, app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    if (auto extra = words_besides_help(argc, argv, app); !extra.empty())
      return help_with_arguments(ctx, app, argc, argv, extra);
    return flushed(ctx, app.exit(e));
  } catch (const CLI::CallForVersion&) {
    // Through the printer, so that `--version -o json` is JSON like every other output.
    options.output = requested_format(argc, argv) == "json" ? "json" : "table";
    ctx.printer().emit(commands::version_document());
    return flushed(ctx, 0);
  } catch (const CLI::ParseError& e) {
    scrub_secrets(argc, argv);
    options.output = requested_format(argc, argv);
    auto text = usage_text(e, app);
    return report(ctx, Error{ErrorKind::usage, std::move(text.message), std::move(text.hint)});
  }
  scrub_secrets(argc, argv);

  try {
    if (!ctx.run) return report(ctx, Error{ErrorKind::usage, "no command given", "see rctl --help"});
    ctx.apply_defaults();
    ctx.check_format(deepest_command(app), command_path(app).substr(app.get_name().size() + 1));
    int code = ctx.run();
    // Stopped by SIGTERM or SIGHUP rather than Ctrl-C: the status names the signal.
    return code == static_cast<int>(ExitCode::interrupted) ? util::interrupt_exit_code() : code;
  } catch (const Failure& f) {
    return report(ctx, f.error());
  } catch (const output::StdoutClosed&) {
    return 0;
  } catch (const output::StdoutFailed& e) {
    return report(ctx,
                  Error{ErrorKind::output, fmt::format("cannot write the output: {}", std::strerror(e.error_number)),
                        "stdout is incomplete; check the disk or file it goes to"});
  } catch (const std::exception& e) {
    return report(
        ctx, Error{ErrorKind::internal, fmt::format("internal error: {}", e.what()), "please report this as a bug"});
  }
}
