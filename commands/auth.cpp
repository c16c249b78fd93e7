// rctl auth token: prints the cloud identity token that rctl would send as the password, for
// every other client (redis-cli, an application's settings, a Kubernetes secret refresher),
// as `aws rds generate-db-auth-token` does for RDS (AWS has no such command for ElastiCache).

#include "context.hpp"

#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace rctl::commands {

namespace {

int run_auth_token(Context& ctx) {
  // A profile's `auth = iam` counts as --iam: ask the resolved settings, not the flags.
  const auto& token = ctx.identity_token(config::Role::general);
  if (!token)
    throw Failure(ErrorKind::usage, "auth token needs --iam or --entra",
                  "rctl auth token --iam --user USER -u rediss://HOST:PORT [--region R] [--serverless]");
  output::Document doc;
  doc.json["kind"] = token->kind;
  doc.json["user"] = token->user;
  doc.json["token"] = token->token.reveal();
  doc.json["issued_at"] = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", token->issued_at);
  doc.json["expires_at"] = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", token->expires_at);
  // For people and scripts alike the table form is the token alone, so that
  // $(rctl auth token --iam ...) is the password.
  doc.blocks.emplace_back(output::RawBytes{token->token.reveal() + "\n"});
  ctx.printer().emit(doc);
  return 0;
}

}  // namespace

void register_auth(CLI::App& app, Context& ctx) {
  auto* auth =
      app.add_subcommand("auth", "Cloud identity tokens (ElastiCache IAM, Microsoft Entra ID) for other clients");
  auth->require_subcommand(1);
  auto* token =
      auth->add_subcommand("token", "Print the token rctl would send as the password (--iam or --entra) on stdout");
  token->callback([&ctx] { ctx.run = [&ctx] { return run_auth_token(ctx); }; });
}

}  // namespace rctl::commands
