// rctl session list|show|stats|revoke: the web sessions apps keep in Redis.

#include "confirm.hpp"
#include "context.hpp"
#include "progress.hpp"

#include "client/options.hpp"
#include "decode/bytes.hpp"
#include "session/session.hpp"
#include "session/cookie.hpp"
#include "session/render.hpp"
#include "util/duration.hpp"
#include "util/interrupt.hpp"
#include "util/secret.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>

namespace rctl::commands {

namespace {

struct SessionFlags {
  std::vector<std::string> prefixes;
  std::vector<std::string> user_fields;
  std::string user;
  CLI::Option* user_option = nullptr;  // to tell `--user ""` from no --user
  std::size_t limit = session::k_default_session_limit;
  std::string sort = "id";
  std::string sid;
  std::string cookie;
  CLI::Option* cookie_option = nullptr;
  std::string secret_env;
  bool reveal = false;
  std::size_t top = session::k_default_top_users;
  std::vector<std::string> sids;
  bool dry_run = false, yes = false;
};

// Flask-Session >= 0.6 ids come from token_urlsafe() and may start with '-'.
constexpr const char* k_dash_hint =
    "an id that starts with '-' goes after '--' (rctl session show -- -AbC...); a cookie as --cookie=VALUE";

bool has_user(const SessionFlags& f) { return f.user_option && f.user_option->count() > 0; }

// --prefix and --user-field, checked; the defaults when not given.
session::SessionScanOptions scan_options(const SessionFlags& f) {
  session::SessionScanOptions o;
  if (!f.prefixes.empty()) {
    for (const auto& p : f.prefixes)
      if (p.empty()) throw Failure(ErrorKind::usage, "--prefix must not be empty (it would match every key)");
    o.prefixes = f.prefixes;
  }
  if (!f.user_fields.empty()) {
    for (const auto& u : f.user_fields)
      if (u.empty() || u.front() == '.' || u.back() == '.' || u.find("..") != std::string::npos)
        throw Failure(ErrorKind::usage, fmt::format("--user-field '{}' is not a field name or dotted path", u));
    o.user_fields = f.user_fields;
  }
  return o;
}

std::string user_flag(const SessionFlags& f) {
  if (f.user.empty()) throw Failure(ErrorKind::usage, "--user needs a user id");
  return f.user;
}

std::string progress_text(const session::SessionScanReport& r) {
  return fmt::format("scanned {} keys, {} sessions on {} node(s), {:.1f}s",
                     util::format_count(static_cast<std::int64_t>(r.keys())),
                     util::format_count(static_cast<std::int64_t>(r.sessions())), r.nodes.size(), r.seconds);
}

// progress_text as a value for with_progress (the name alone is an overload set in unity builds).
constexpr auto scan_progress = [](const session::SessionScanReport& r) { return progress_text(r); };

// After a scan's report was printed: 130 when interrupted, the first node's error code when
// a node failed, else 0.
int scan_exit(Context& ctx, const session::SessionScanReport& scan) {
  if (scan.interrupted) {
    return interrupted_exit(ctx.printer(), "interrupted: the results are partial");
  }
  for (const auto& n : scan.nodes)
    if (n.error)
      return failed_exit(ctx.printer(), *n.error,
                         fmt::format("{}: {} (results are incomplete)", n.address, n.error->message));
  return 0;
}

int run_list(Context& ctx, const SessionFlags& f) {
  session::SessionListOptions o;
  o.scan = scan_options(f);
  if (has_user(f)) o.user = user_flag(f);
  o.limit = f.limit;
  o.sort = f.sort == "ttl"    ? session::SessionSort::ttl
           : f.sort == "size" ? session::SessionSort::size
                              : session::SessionSort::id;
  auto& target = ctx.connect(config::Role::session);
  auto listing = with_progress(ctx.printer(), scan_progress,
                               [&](const auto& on_progress) { return session::list_sessions(target, o, on_progress); });
  ctx.printer().emit(session::render_session_list(listing));
  return scan_exit(ctx, listing.scan);
}

// The secret named by --secret-env, read from the environment (never from argv).
util::Secret secret_from_env(const std::string& name) {
  if (name.empty() || name.find('=') != std::string::npos)
    throw Failure(ErrorKind::usage, "--secret-env takes the name of an environment variable");
  const char* value = std::getenv(name.c_str());
  if (!value || !*value)
    throw Failure(
        ErrorKind::usage,
        fmt::format("--secret-env: the environment variable {} is not set or empty", decode::escape_for_terminal(name)),
        fmt::format("export {}=<the app's SECRET_KEY> before running rctl", decode::escape_for_terminal(name)));
  return util::Secret(value);
}

int run_show(Context& ctx, const SessionFlags& f) {
  bool by_cookie = f.cookie_option && f.cookie_option->count() > 0;
  if (by_cookie == !f.sid.empty())
    throw Failure(ErrorKind::usage, "give a session id or --cookie VALUE (one of them)", k_dash_hint);
  if (!f.secret_env.empty() && !by_cookie) throw Failure(ErrorKind::usage, "--secret-env is only used with --cookie");
  auto options = scan_options(f);
  std::string sid = f.sid;
  std::optional<session::CookieInfo> cookie;
  if (by_cookie) {
    std::optional<util::Secret> secret;
    if (!f.secret_env.empty()) secret = secret_from_env(f.secret_env);
    // Verified before any network I/O: a forged cookie never causes a lookup.
    auto parsed = value_or_throw(session::session_from_cookie(f.cookie, secret ? &*secret : nullptr));
    sid = std::move(parsed.sid);
    cookie = session::CookieInfo{parsed.signed_cookie};
  }
  auto lookup =
      session::find_session(ctx.connect(config::Role::session), sid, options.prefixes, options.user_fields, f.reveal);
  lookup.cookie = cookie;
  if (lookup.found.empty())
    throw Failure(
        ErrorKind::not_found, fmt::format("session '{}' not found", decode::escape_for_terminal(sid)),
        fmt::format("looked for {}; it may have expired or been revoked (--prefix if the app uses another prefix)",
                    decode::escape_for_terminal(util::join(lookup.tried, ", "))));
  ctx.printer().emit(session::render_session_show(lookup));
  return 0;
}

int run_stats(Context& ctx, const SessionFlags& f) {
  auto options = scan_options(f);
  auto& target = ctx.connect(config::Role::session);
  auto report = with_progress(ctx.printer(), scan_progress, [&](const auto& on_progress) {
    return session::session_stats(target, options, f.top, on_progress);
  });
  ctx.printer().emit(session::render_session_stats(report));
  return scan_exit(ctx, report.scan);
}

int run_revoke(Context& ctx, const SessionFlags& f) {
  if (has_user(f) == !f.sids.empty())
    throw Failure(ErrorKind::usage, "give session ids or --user ID (one of them)", k_dash_hint);
  auto options = scan_options(f);
  auto& printer = ctx.printer();
  auto& target = ctx.connect(config::Role::session);
  auto where = client::describe(target.seed_options());
  const auto apply = f.dry_run ? session::Apply::dry_run : session::Apply::write;
  session::RevokeReport report;
  if (has_user(f)) {
    auto user = user_flag(f);
    if (!f.dry_run)
      confirm_destructive(fmt::format("delete every session of user '{}' (prefixes {}) on {}", user,
                                      util::join(options.prefixes, ", "), where),
                          f.yes);
    report = with_progress(printer, scan_progress, [&](const auto& on_progress) {
      return session::revoke_user_sessions(target, options, user, apply, on_progress);
    });
  } else {
    if (!f.dry_run)
      confirm_destructive(
          fmt::format("delete session{} {} on {}", f.sids.size() == 1 ? "" : "s", util::join(f.sids, ", "), where),
          f.yes);
    report = session::revoke_session_ids(target, f.sids, options, apply);
  }
  bool nothing_found = report.found == 0 && !report.error && !report.interrupted;
  if (nothing_found)  // in the JSON report too, so scripts see why the exit status is 5
    report.error =
        Error{ErrorKind::not_found,
              report.user ? fmt::format("no sessions of user '{}' found", decode::escape_for_terminal(*report.user))
                          : std::string("none of the sessions exist"),
              {}};
  printer.emit(session::render_session_revoke(report));
  if (nothing_found) {
    printer.error_line(*report.error);
    return static_cast<int>(ExitCode::not_found);
  }
  if (report.interrupted) {
    return interrupted_exit(printer,
                            fmt::format("interrupted after deleting {} of {} session(s)", report.deleted, report.found),
                            "run the same command again to finish");
  }
  if (report.error)
    return failed_exit(
        printer, *report.error,
        fmt::format("{} (after deleting {} of {} session(s){})", report.error->message, report.deleted, report.found,
                    report.outcome_unknown
                        ? fmt::format(", and {} more whose outcome is unknown", report.outcome_unknown)
                        : std::string()),
        after_failed_delete_hint(*report.error, "nothing but the selected sessions was touched"));
  if (!report.missing_sids.empty())
    printer.warning(fmt::format("not found: {}", decode::escape_for_terminal(util::join(report.missing_sids, ", "))));
  return 0;
}

// --prefix and --user-field, on every subcommand that reads sessions.
void add_store_options(CLI::App* cmd, SessionFlags& f) {
  cmd->add_option("--prefix", f.prefixes,
                  "Key prefix of the sessions, repeatable (default: session:, :1:django.contrib.sessions.cache, "
                  ":1:django.contrib.sessions.cached_db, starsessions.)")
      ->type_name("PREFIX");
  cmd->add_option("--user-field", f.user_fields,
                  "Session field naming the user, repeatable, dotted paths allowed (default: user_id, _user_id, "
                  "_auth_user_id, uid, email, username)")
      ->type_name("FIELD");
}

}  // namespace

void register_session(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<SessionFlags>();
  auto* session = app.add_subcommand(
      "session", "Inspect, measure and revoke web sessions (Flask-Session, Django, starsessions, JSON)");
  session->require_subcommand(1);

  auto* list = session->add_subcommand("list", "List sessions with id, user, TTL, size, format (SCAN, every primary)");
  add_store_options(list, *f);
  auto* list_user =
      list->add_option("--user", f->user, "Only this user's sessions (the global ACL --user goes before 'session')")
          ->type_name("ID");
  list->add_option("--limit", f->limit, "Most sessions to list (default 100)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000000));
  list->add_option("--sort", f->sort, "id (ascending), ttl (soonest expiry first) or size (largest first)")
      ->type_name("KEY")
      ->check(CLI::IsMember({"id", "ttl", "size"}));
  list->callback([&ctx, f, list_user] {
    f->user_option = list_user;
    ctx.run = [&ctx, f] { return run_list(ctx, *f); };
  });

  auto* show = session->add_subcommand("show", "Show one session's decoded content, TTL and size (secrets masked)");
  add_store_options(show, *f);
  show->add_option("sid", f->sid, "Session id (or a whole key)")->type_name("SID");
  f->cookie_option =
      show->add_option("--cookie", f->cookie, "Look up by the session cookie's value (sid or sid.signature)")
          ->type_name("VALUE");
  show->add_option("--secret-env", f->secret_env,
                   "Environment variable holding the app's SECRET_KEY, to verify a signed cookie")
      ->type_name("NAME");
  show->add_flag("--reveal", f->reveal, "Show values under sensitive keys (passwords, tokens, CSRF, API keys...)");
  show->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_show(ctx, *f); }; });

  auto* stats = session->add_subcommand("stats", "Count sessions: TTL histogram, size percentiles, formats, top users");
  add_store_options(stats, *f);
  stats->add_option("--top", f->top, "Users listed by session count (default 10)")
      ->type_name("N")
      ->check(CLI::Range(0, 10000));
  stats->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_stats(ctx, *f); }; });

  auto* revoke =
      session->add_subcommand("revoke", "Delete sessions by id, or every session of a user (log out everywhere)");
  add_store_options(revoke, *f);
  revoke->add_option("sids", f->sids, "Session ids (or whole keys)")->type_name("SID");
  auto* revoke_user =
      revoke->add_option("--user", f->user, "Every session of this user (the global ACL --user goes before 'session')")
          ->type_name("ID");
  revoke->add_flag("--dry-run", f->dry_run, "Show what would be deleted; delete nothing");
  revoke->add_flag("-y,--yes", f->yes, "Do not ask for confirmation (required when stdin is not a terminal)");
  revoke->callback([&ctx, f, revoke_user] {
    f->user_option = revoke_user;
    ctx.run = [&ctx, f] { return run_revoke(ctx, *f); };
  });
}

}  // namespace rctl::commands
