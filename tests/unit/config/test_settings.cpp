#include "config/password.hpp"
#include "config/settings.hpp"
#include "env_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace rctl;
using config::ConnectionFlags;
using config::Role;
using test::env_of;

namespace {

config::Settings resolve_ok(const ConnectionFlags& flags, const config::Environment& env, Role role = Role::general) {
  auto s = config::resolve(flags, role, env);
  if (!s) FAIL("unexpected error: " << s.error().message);
  return std::move(*s);
}

std::size_t count_containing(const std::vector<std::string>& lines, std::string_view text) {
  return static_cast<std::size_t>(std::count_if(
      lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; }));
}

std::string revealed(const config::Settings& s) { return s.password ? s.password->reveal() : "<none>"; }

// A file in a fresh temporary directory, removed again when the test ends.
class TempFile {
 public:
  TempFile(const std::string& content, mode_t mode) {
    char dir[] = "/tmp/rctl-unit-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    m_dir = dir;
    m_path = m_dir + "/password";
    std::ofstream(m_path, std::ios::binary) << content;
    REQUIRE(::chmod(m_path.c_str(), mode) == 0);
  }
  ~TempFile() {
    ::unlink(m_path.c_str());
    ::rmdir(m_dir.c_str());
  }
  const std::string& path() const { return m_path; }
  std::string missing() const { return m_dir + "/no-such-file"; }

 private:
  std::string m_dir, m_path;
};

}  // namespace

TEST_CASE("config settings: URL variables per role, most specific first") {
  using V = std::vector<std::string>;
  CHECK(config::url_variables(Role::general) == V{"REDIS_URL", "REDIS_PRIVATE_URL"});
  CHECK(config::url_variables(Role::session) == V{"SESSION_REDIS_URL", "REDIS_URL", "REDIS_PRIVATE_URL"});
  CHECK(config::url_variables(Role::ratelimit) == V{"RATE_LIMIT_STORAGE_URL", "REDIS_URL", "REDIS_PRIVATE_URL"});
  CHECK(config::url_variables(Role::queue) == V{"REDIS_QUEUE_URL", "REDIS_URL", "REDIS_PRIVATE_URL"});
}

TEST_CASE("config settings: each role picks its URL variable, then REDIS_URL, then REDIS_PRIVATE_URL") {
  struct Case {
    Role role;
    std::map<std::string, std::string> env;
    std::optional<std::string> url, source;
  };
  const std::map<std::string, std::string> all = {
      {"SESSION_REDIS_URL", "redis://sessions"}, {"RATE_LIMIT_STORAGE_URL", "redis://limits"},
      {"REDIS_QUEUE_URL", "redis://queue"},      {"REDIS_URL", "redis://main"},
      {"REDIS_PRIVATE_URL", "redis://private"},
  };
  const Case cases[] = {
      {Role::general, all, "redis://main", "REDIS_URL"},
      {Role::session, all, "redis://sessions", "SESSION_REDIS_URL"},
      {Role::ratelimit, all, "redis://limits", "RATE_LIMIT_STORAGE_URL"},
      {Role::queue, all, "redis://queue", "REDIS_QUEUE_URL"},
      {Role::session,
       {{"REDIS_URL", "redis://main"}, {"REDIS_QUEUE_URL", "redis://queue"}},
       "redis://main",
       "REDIS_URL"},
      {Role::queue, {{"REDIS_PRIVATE_URL", "redis://private"}}, "redis://private", "REDIS_PRIVATE_URL"},
      {Role::ratelimit, {{"RATE_LIMIT_STORAGE_URL", ""}, {"REDIS_URL", "redis://main"}}, "redis://main", "REDIS_URL"},
      {Role::general, {{"SESSION_REDIS_URL", "redis://sessions"}}, std::nullopt, std::nullopt},
      {Role::general, {}, std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    INFO("role " << static_cast<int>(c.role) << ", expecting " << c.source.value_or("no URL"));
    auto s = resolve_ok({}, env_of(c.env), c.role);
    CHECK(s.url == c.url);
    if (c.source) CHECK(s.url_source == *c.source);
  }
}

TEST_CASE("config settings: flags beat the environment") {
  auto env = env_of({{"REDIS_URL", "redis://env-host:7000/4"},
                     {"REDIS_HOST", "env-host"},
                     {"REDIS_PORT", "7001"},
                     {"REDIS_DB", "5"}});
  SECTION("--url replaces REDIS_URL; REDIS_DB does not override it") {
    ConnectionFlags f;
    f.url = "redis://flag-host";
    auto s = resolve_ok(f, env);
    CHECK(s.url == "redis://flag-host");
    CHECK(s.url_source == "--url");
    CHECK_FALSE(s.db.has_value());
  }
  SECTION("--host or --port or --socket: the environment URL is not used") {
    ConnectionFlags host, port, socket;
    host.host = "flag-host";
    port.port = 7100;
    socket.socket = "/tmp/r.sock";
    for (const auto* f : {&host, &port, &socket}) {
      auto s = resolve_ok(*f, env);
      CHECK_FALSE(s.url.has_value());
      CHECK(s.host == f->host);
      CHECK(s.port == f->port);
      CHECK(s.socket == f->socket);
    }
  }
  SECTION("--db beats REDIS_DB") {
    ConnectionFlags f;
    f.db = 9;
    CHECK(resolve_ok(f, env).db == 9);
  }
}

TEST_CASE("config settings: REDIS_HOST, REDIS_PORT and REDIS_DB") {
  auto s = resolve_ok({}, env_of({{"REDIS_HOST", "cache"}, {"REDIS_PORT", "6380"}, {"REDIS_DB", "2"}}));
  CHECK_FALSE(s.url.has_value());
  CHECK(s.host == "cache");
  CHECK(s.port == 6380);
  CHECK(s.db == 2);

  // With a URL from the environment, REDIS_HOST/PORT are not mixed in.
  auto with_url = resolve_ok({}, env_of({{"REDIS_URL", "redis://u"}, {"REDIS_HOST", "cache"}, {"REDIS_PORT", "6380"}}));
  CHECK(with_url.url == "redis://u");
  CHECK_FALSE(with_url.host.has_value());
  CHECK_FALSE(with_url.port.has_value());

  // Empty variables count as unset.
  auto empty = resolve_ok({}, env_of({{"REDIS_HOST", ""}, {"REDIS_PORT", ""}, {"REDIS_DB", ""}}));
  CHECK_FALSE(empty.host.has_value());
  CHECK_FALSE(empty.port.has_value());
  CHECK_FALSE(empty.db.has_value());

  const std::map<std::string, std::string> bad[] = {
      {{"REDIS_PORT", "0"}}, {{"REDIS_PORT", "65536"}}, {{"REDIS_PORT", "http"}},
      {{"REDIS_DB", "-1"}},  {{"REDIS_DB", "x"}},
  };
  for (const auto& vars : bad) {
    INFO(vars.begin()->first << "=" << vars.begin()->second);
    auto r = config::resolve({}, Role::general, env_of(vars));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::usage);
    CHECK_THAT(r.error().message, Catch::Contains(vars.begin()->first));
  }
}

TEST_CASE("config settings: a URL's lone user@ is the user name when a flag gives the password") {
  ConnectionFlags f;
  f.url = "redis://ro@host";
  f.password = "flagpw";
  f.no_auth_warning = true;
  auto s = resolve_ok(f, env_of({}));
  CHECK(s.password_explicit);
  CHECK(s.warnings.empty());
  ConnectionFlags bare;
  bare.url = "redis://secret@host";  // redis-cli's reading: a password; warned about
  auto b = resolve_ok(bare, env_of({}));
  CHECK_FALSE(b.password_explicit);
  CHECK(b.warnings.size() == 1);
}

TEST_CASE("config settings: environment passwords apply when no flag gives one") {
  for (const char* name : {"REDISCLI_AUTH", "REDIS_PASSWORD"}) {
    INFO(name);
    auto s = resolve_ok({}, env_of({{name, "envpw"}}));
    CHECK(revealed(s) == "envpw");
    CHECK(s.password_source == name);
    CHECK(s.warnings.empty());

    ConnectionFlags f;
    f.password = "flagpw";
    f.no_auth_warning = true;
    auto flagged = resolve_ok(f, env_of({{name, "envpw"}}));
    CHECK(revealed(flagged) == "flagpw");
    CHECK(flagged.password_source == "--password");

    // --url without a password takes the environment's, as redis-cli does (issue 17); one
    // with a password of its own keeps it.
    ConnectionFlags url;
    url.url = "redis://host";
    CHECK(revealed(resolve_ok(url, env_of({{name, "envpw"}}))) == "envpw");
    url.url = "redis://:urlpw@host";
    url.no_auth_warning = true;
    CHECK_FALSE(resolve_ok(url, env_of({{name, "envpw"}})).password.has_value());
    // REDIS_URL does not: the variable still applies.
    CHECK(revealed(resolve_ok({}, env_of({{name, "envpw"}, {"REDIS_URL", "redis://h"}}))) == "envpw");
  }
  CHECK_FALSE(resolve_ok({}, env_of({{"REDISCLI_AUTH", ""}})).password.has_value());
}

TEST_CASE("config settings: a password on the command line warns once") {
  struct Case {
    std::optional<std::string> password, url;
    bool no_auth_warning;
    std::size_t warnings;
  };
  const Case cases[] = {
      {"pw", std::nullopt, false, 1},
      {"pw", std::nullopt, true, 0},
      {std::nullopt, "redis://:pw@host", false, 1},
      {std::nullopt, "redis://user:pw@host", false, 1},
      {std::nullopt, "redis://pw@host", false, 1},
      {std::nullopt, "redis://host?password=pw", false, 1},
      {std::nullopt, "redis://:pw@host", true, 0},
      {"pw", "redis://:pw@host", false, 1},
      {std::nullopt, "redis://host", false, 0},
      {std::nullopt, "redis://user:@host", false, 0},
      {std::nullopt, std::nullopt, false, 0},
  };
  for (const auto& c : cases) {
    INFO("password " << c.password.value_or("-") << ", url " << c.url.value_or("-") << ", no_auth_warning "
                     << c.no_auth_warning);
    ConnectionFlags f;
    f.password = c.password;
    f.url = c.url;
    f.no_auth_warning = c.no_auth_warning;
    auto s = resolve_ok(f, env_of({}));
    CHECK(count_containing(s.warnings, "command line") == c.warnings);
    CHECK(s.warnings.size() == c.warnings);
  }
  // The same URL in REDIS_URL is not on the command line.
  CHECK(resolve_ok({}, env_of({{"REDIS_URL", "redis://:pw@host"}})).warnings.empty());
}

TEST_CASE("config settings: --password-file") {
  struct Case {
    std::string content;
    std::string password;
  };
  const Case cases[] = {
      {"s3cr3t\n", "s3cr3t"},   {"s3cr3t\r\n", "s3cr3t"},         {"s3cr3t", "s3cr3t"},
      {"s3cr3t\n\n", "s3cr3t"}, {" pass word \n", " pass word "},
  };
  for (const auto& c : cases) {
    INFO("content: '" << c.content << "'");
    TempFile file(c.content, 0600);
    ConnectionFlags f;
    f.password_file = file.path();
    auto s = resolve_ok(f, env_of({{"REDISCLI_AUTH", "env"}}));
    CHECK(revealed(s) == c.password);
    CHECK(s.password_source == "--password-file");
    CHECK(s.warnings.empty());
  }

  SECTION("a world-readable file warns") {
    TempFile file("s3cr3t\n", 0644);
    ConnectionFlags f;
    f.password_file = file.path();
    auto s = resolve_ok(f, env_of({}));
    CHECK(revealed(s) == "s3cr3t");
    REQUIRE(s.warnings.size() == 1);
    CHECK_THAT(s.warnings[0], Catch::Contains("readable by other users") && Catch::Contains(file.path()));
  }
  SECTION("missing, empty, blank or oversized files are usage errors") {
    TempFile empty("", 0600), blank("\r\n", 0600), big(std::string(64 * 1024 + 1, 'x'), 0600);
    for (const auto& path : {empty.missing(), empty.path(), blank.path(), big.path()}) {
      INFO(path);
      ConnectionFlags f;
      f.password_file = path;
      auto r = config::resolve(f, Role::general, env_of({}));
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().kind == ErrorKind::usage);
      CHECK_THAT(r.error().message, Catch::Contains(path));
    }
  }
  SECTION("exactly at the size limit is accepted") {
    TempFile file(std::string(64 * 1024, 'x'), 0600);
    std::vector<std::string> warnings;
    auto secret = config::read_password_file(file.path(), warnings);
    REQUIRE(secret.has_value());
    CHECK(secret->reveal().size() == 64 * 1024);
    CHECK(warnings.empty());
  }
}

TEST_CASE("config settings: usage errors") {
  TempFile file("pw\n", 0600);
  auto expect_usage = [](const ConnectionFlags& f, std::string_view fragment) {
    auto r = config::resolve(f, Role::general, env_of({}));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::usage);
    CHECK_THAT(r.error().message, Catch::Contains(std::string(fragment)));
  };
  ConnectionFlags two;
  two.password = "pw";
  two.password_file = file.path();
  expect_usage(two, "only one of");
  ConnectionFlags ask;  // rejected before any terminal is opened
  ask.password_file = file.path();
  ask.askpass = true;
  expect_usage(ask, "only one of");

  for (const char* bad : {"junk", "5x", "-1s", "", "0s", "0"}) {
    INFO("--timeout " << bad);
    ConnectionFlags t;
    t.timeout = bad;
    expect_usage(t, "--timeout");
    ConnectionFlags c;
    c.connect_timeout = bad;
    expect_usage(c, "--connect-timeout");
  }
  ConnectionFlags key;
  key.key = "/k.pem";
  expect_usage(key, "--key");
  for (int retries : {-1, 101}) {
    ConnectionFlags r;
    r.retries = retries;
    expect_usage(r, "--retries");
  }
}

TEST_CASE("config settings: TLS flags, timeouts and --insecure") {
  ConnectionFlags f;
  f.tls = true;
  f.cacert = "/ca.pem";
  f.cert = "/c.pem";
  f.key = "/k.pem";
  f.sni = "cache.internal";
  f.timeout = "1.5s";
  f.connect_timeout = "250ms";
  f.retries = 3;
  f.resp2 = true;
  auto s = resolve_ok(f, env_of({}));
  CHECK(s.tls);
  CHECK(s.cacert == "/ca.pem");
  CHECK(s.cert == "/c.pem");
  CHECK(s.key == "/k.pem");
  CHECK(s.sni == "cache.internal");
  CHECK(s.timeout == util::Millis(1500));
  CHECK(s.connect_timeout == util::Millis(250));
  CHECK(s.retries == 3);
  CHECK(s.resp2);
  CHECK(s.warnings.empty());

  ConnectionFlags insecure;
  insecure.insecure = true;
  auto i = resolve_ok(insecure, env_of({}));
  CHECK(i.insecure);
  REQUIRE(i.warnings.size() == 1);
  CHECK_THAT(i.warnings[0], Catch::Contains("--insecure"));
}
