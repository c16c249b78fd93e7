#include "config/profile.hpp"
#include "env_support.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace rctl;
using config::ConnectionFlags;
using config::Role;
using test::env_of;

namespace {

config::ProfileFile parse_ok(std::string_view text) {
  auto f = config::parse_profiles(text, "/etc/rctl/config");
  if (!f) FAIL("unexpected error: " << f.error().message);
  return std::move(*f);
}

std::string parse_error(std::string_view text) {
  auto f = config::parse_profiles(text, "/etc/rctl/config");
  REQUIRE_FALSE(f);
  CHECK(f.error().kind == ErrorKind::usage);
  return f.error().message;
}

struct Applied {
  ConnectionFlags flags;
  std::string output;
  std::vector<std::string> warnings;
};

Applied apply_ok(const config::ProfileFile& file, std::string_view name, ConnectionFlags flags = {},
                 Role role = Role::general, std::string output = {}) {
  Applied a{std::move(flags), std::move(output), {}};
  auto ok = config::apply_profile(file, name, role, env_of({{"HOME", "/home/ann"}}), a.flags, a.output, a.warnings);
  if (!ok) FAIL("unexpected error: " << ok.error().message);
  return a;
}

const char* k_sample = R"(# rctl profiles
; both comment styles

[prod]
url = rediss://clustercfg.my-cache.abc123.use1.cache.amazonaws.com:6379
session-url = rediss://sessions.abc123.cache.amazonaws.com:6379/2
user = app
password-file = secrets/prod.pass   # relative to this file
cacert = ~/certs/amazon.pem
timeout = 2s
retries = 3
cluster = yes
output = json

[ local ]
port=6380
password = "pa#ss word "
tls = false
)";

}  // namespace

TEST_CASE("config profile: config file path from RCTL_CONFIG, XDG_CONFIG_HOME, HOME") {
  CHECK(config::config_path(env_of({{"RCTL_CONFIG", "/x/c"}, {"HOME", "/h"}})) == "/x/c");
  CHECK(config::config_path(env_of({{"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/h"}})) == "/xdg/rctl/config");
  CHECK(config::config_path(env_of({{"HOME", "/h"}})) == "/h/.config/rctl/config");
  CHECK_FALSE(config::config_path(env_of({})));
}

TEST_CASE("config profile: sections, keys, comments and quoted values") {
  auto f = parse_ok(k_sample);
  REQUIRE(f.profiles.size() == 2);
  CHECK(f.profiles[0].name == "prod");
  CHECK(f.profiles[0].settings.size() == 9);
  CHECK(f.profiles[0].settings[3].key == "password-file");
  CHECK(f.profiles[0].settings[3].value == "secrets/prod.pass");  // the comment is not part of it
  CHECK(f.profiles[0].settings[3].line == 8);
  CHECK(f.profiles[1].name == "local");
  CHECK(f.profiles[1].settings[1].value == "pa#ss word ");  // quotes keep '#' and spaces
}

TEST_CASE("config profile: malformed files name the line") {
  CHECK(parse_error("[a]\nurl redis://x\n") == "/etc/rctl/config:2: expected key = value or [profile-name]");
  CHECK(parse_error("url = redis://x\n") == "/etc/rctl/config:1: 'url' is outside any profile");
  CHECK(parse_error("[a]\nhots = x\n") == "/etc/rctl/config:2: unknown setting 'hots'");
  CHECK(parse_error("[a]\n[b]\n[a]\n") == "/etc/rctl/config:3: profile 'a' is defined twice (first at line 1)");
  CHECK(parse_error("[a]\nport = 1\nport = 2\n") ==
        "/etc/rctl/config:3: 'port' is set twice in profile 'a' (first at line 2)");
  CHECK(parse_error("[a\n") == "/etc/rctl/config:1: expected [profile-name]");
  CHECK(parse_error("[]\n") == "/etc/rctl/config:1: a profile needs a name: [prod]");
}

TEST_CASE("config profile: a profile fills in what the command line left unset") {
  auto f = parse_ok(k_sample);
  auto a = apply_ok(f, "prod");
  CHECK(a.flags.profile == "prod");
  CHECK(a.flags.url == "rediss://clustercfg.my-cache.abc123.use1.cache.amazonaws.com:6379");
  CHECK(a.flags.url_from_profile);
  CHECK(a.flags.user == "app");
  CHECK(a.flags.password_file == "/etc/rctl/secrets/prod.pass");  // relative to the file
  CHECK(a.flags.password_from_profile);
  CHECK(a.flags.cacert == "/home/ann/certs/amazon.pem");  // ~ from HOME
  CHECK(a.flags.timeout == "2s");
  CHECK(a.flags.retries == 3);
  CHECK(a.flags.cluster);
  CHECK(a.output == "json");
  CHECK(a.warnings.empty());

  SECTION("flags win") {
    ConnectionFlags given;
    given.timeout = "100ms";
    given.user = "ops";
    auto b = apply_ok(f, "prod", given, Role::general, "table");
    CHECK(b.flags.timeout == "100ms");
    CHECK(b.flags.user == "ops");
    CHECK(b.output == "table");
  }
  SECTION("an endpoint on the command line keeps the profile's endpoint out") {
    ConnectionFlags given;
    given.port = 7000;
    auto b = apply_ok(f, "prod", given);
    CHECK_FALSE(b.flags.url);
    CHECK_FALSE(b.flags.url_from_profile);
    CHECK(b.flags.port == 7000);
    CHECK_FALSE(b.flags.user);  // the profile's credentials stay with its endpoint
    CHECK_FALSE(b.flags.password_file);
    CHECK(b.flags.timeout == "2s");  // the rest still applies
    CHECK(b.flags.cacert == "/home/ann/certs/amazon.pem");
  }
  SECTION("a password on the command line keeps the profile's password out") {
    ConnectionFlags given;
    given.askpass = true;
    auto b = apply_ok(f, "prod", given);
    CHECK_FALSE(b.flags.password_file);
    CHECK_FALSE(b.flags.password_from_profile);
  }
  SECTION("the role's URL comes first") {
    CHECK(apply_ok(f, "prod", {}, Role::session).flags.url == "rediss://sessions.abc123.cache.amazonaws.com:6379/2");
    CHECK(apply_ok(f, "prod", {}, Role::queue).flags.url ==
          "rediss://clustercfg.my-cache.abc123.use1.cache.amazonaws.com:6379");
  }
}

TEST_CASE("config profile: booleans and numbers are checked") {
  auto f = parse_ok("[a]\ntls = maybe\n[b]\nport = 70000\n[c]\nretries = -1\n[d]\ntls = on\ninsecure = 0\n");
  auto check_error = [&](std::string_view name, std::string_view message) {
    ConnectionFlags flags;
    std::string output;
    std::vector<std::string> warnings;
    auto r = config::apply_profile(f, name, Role::general, env_of({}), flags, output, warnings);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::usage);
    CHECK(r.error().message == message);
  };
  check_error("a", "/etc/rctl/config:2: tls: expected true or false, not 'maybe'");
  check_error("b", "/etc/rctl/config:4: port: expected a number from 1 to 65535, not '70000'");
  check_error("c", "/etc/rctl/config:6: retries: expected a number from 0 to 100, not '-1'");
  auto d = apply_ok(f, "d");
  CHECK(d.flags.tls);
  CHECK_FALSE(d.flags.insecure);
}

TEST_CASE("config profile: unknown profile names the ones there are") {
  auto f = parse_ok(k_sample);
  ConnectionFlags flags;
  std::string output;
  std::vector<std::string> warnings;
  auto r = config::apply_profile(f, "stage", Role::general, env_of({}), flags, output, warnings);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "no profile 'stage' in /etc/rctl/config");
  CHECK(r.error().hint == "profiles: prod, local");
}

TEST_CASE("config profile: a password in a file others can read is warned about") {
  auto f = parse_ok(k_sample);
  f.readable_by_others = true;
  auto local = apply_ok(f, "local");
  CHECK(local.flags.password == "pa#ss word ");
  REQUIRE(local.warnings.size() == 1);
  CHECK(local.warnings[0].find("holds a password and other users can read it") != std::string::npos);
  CHECK(local.warnings[0].find("pa#ss") == std::string::npos);
  CHECK(apply_ok(f, "prod").warnings.empty());  // a password file is not a password
  auto url = parse_ok("[u]\nurl = redis://:secret@h:1\n");
  url.readable_by_others = true;
  CHECK(apply_ok(url, "u").warnings.size() == 1);
  auto bare = parse_ok("[b]\nurl = redis://secret@h:1\n");  // a password alone, as redis-cli reads it
  bare.readable_by_others = true;
  CHECK(apply_ok(bare, "b").warnings.size() == 1);
}

TEST_CASE("config profile: two password sources together are refused") {
  ConnectionFlags flags;
  std::string output;
  std::vector<std::string> warnings;
  auto r = config::apply_profile(parse_ok("[x]\npassword = a\npassword-file = b\n"), "x", Role::general, env_of({}),
                                 flags, output, warnings);
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "/etc/rctl/config:3: profile 'x' sets more than one of password, password-file and password-command");
  r = config::apply_profile(parse_ok("[x]\npassword-command = pass show redis\npassword = a\n"), "x", Role::general,
                            env_of({}), flags, output, warnings);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.starts_with("/etc/rctl/config:2: profile 'x' sets more than one of"));
}

TEST_CASE("config profile: password-command is kept as written and counts as the profile's password") {
  ConnectionFlags flags;
  std::string output;
  std::vector<std::string> warnings;
  auto r = config::apply_profile(parse_ok("[x]\nurl = redis://h\npassword-command = pass show \"redis/prod\"\n"), "x",
                                 Role::general, env_of({}), flags, output, warnings);
  REQUIRE(r);
  CHECK(flags.password_command == "pass show \"redis/prod\"");
  CHECK(flags.password_from_profile);
  ConnectionFlags on_command_line;
  on_command_line.password_file = "f";
  r = config::apply_profile(parse_ok("[x]\npassword-command = helper\n"), "x", Role::general, env_of({}),
                            on_command_line, output, warnings);
  REQUIRE(r);
  CHECK_FALSE(on_command_line.password_command);
}

TEST_CASE("config profile: resolve() names the profile as the source") {
  auto f = parse_ok("[p]\nurl = redis://:urlpw@127.0.0.1:7000/3\n[q]\nurl = redis://127.0.0.1:7001\npassword = pw\n");
  auto env = env_of({{"REDISCLI_AUTH", "envpw"}, {"REDIS_DB", "5"}});
  auto p = apply_ok(f, "p");
  auto s = config::resolve(p.flags, Role::general, env);
  REQUIRE(s);
  CHECK(s->url_source == "profile 'p'");
  CHECK_FALSE(s->password);  // the URL's own password is used, not the environment's
  CHECK_FALSE(s->db);  // nor REDIS_DB: the profile's URL names its db
  CHECK(s->warnings.empty());  // no "password on the command line" warning
  auto q = apply_ok(f, "q");
  s = config::resolve(q.flags, Role::general, env);
  REQUIRE(s);
  CHECK(s->password_source == "profile 'q'");
  CHECK(s->password->reveal() == "pw");
  CHECK(s->warnings.empty());
  auto bare = apply_ok(parse_ok("[b]\nurl = redis://127.0.0.1:7002\n"), "b");
  s = config::resolve(bare.flags, Role::general, env);
  REQUIRE(s);
  CHECK(s->password_source == "REDISCLI_AUTH");  // a URL without a password takes the environment's
}

TEST_CASE("config profile: auth = iam or entra, with the IAM settings") {
  ConnectionFlags flags;
  std::string output;
  std::vector<std::string> warnings;
  auto r = config::apply_profile(
      parse_ok("[aws]\nurl = rediss://h\nauth = IAM\ncache-name = c1\nregion = eu-west-1\nserverless = yes\n"), "aws",
      Role::general, env_of({}), flags, output, warnings);
  REQUIRE(r);
  CHECK(flags.iam);
  CHECK_FALSE(flags.entra);
  CHECK(flags.cache_name == "c1");
  CHECK(flags.region == "eu-west-1");
  CHECK(flags.serverless);
  ConnectionFlags azure;
  REQUIRE(config::apply_profile(parse_ok("[az]\nauth = entra\n"), "az", Role::general, env_of({}), azure, output,
                                warnings));
  CHECK(azure.entra);
  // A password on the command line wins over the profile's identity.
  ConnectionFlags with_password;
  with_password.password_file = "f";
  REQUIRE(config::apply_profile(parse_ok("[aws]\nauth = iam\n"), "aws", Role::general, env_of({}), with_password,
                                output, warnings));
  CHECK_FALSE(with_password.iam);
  ConnectionFlags bad;
  auto e =
      config::apply_profile(parse_ok("[x]\nauth = kerberos\n"), "x", Role::general, env_of({}), bad, output, warnings);
  REQUIRE_FALSE(e);
  CHECK(e.error().message == "/etc/rctl/config:2: auth: expected iam, entra or password, not 'kerberos'");
}

TEST_CASE("config settings: a token identity takes no other password") {
  ConnectionFlags flags;
  flags.iam = true;
  flags.password = "pw";
  auto s = config::resolve(flags, Role::general, env_of({}));
  REQUIRE_FALSE(s);
  CHECK(s.error().message == "--iam makes the password: give no other password");
  flags.password.reset();
  flags.url = "redis://:pw@h";
  CHECK(config::resolve(flags, Role::general, env_of({})).error().message ==
        "--iam makes the password: the URL may not carry one");
  // "user@" is the user name, and the environment's password is not used.
  flags.url = "redis://app@h";
  auto ok = config::resolve(flags, Role::general, env_of({{"REDISCLI_AUTH", "envpw"}}));
  REQUIRE(ok);
  CHECK(ok->password_explicit);
  CHECK_FALSE(ok->password);
  flags.entra = true;
  CHECK(config::resolve(flags, Role::general, env_of({})).error().message == "use only one of --iam and --entra");
}
