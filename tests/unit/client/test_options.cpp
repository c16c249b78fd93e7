#include "client/options.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl;
using net::Transport;

namespace {

config::Settings with_url(std::string url, std::string source = "--url") {
  config::Settings s;
  s.url = std::move(url);
  s.url_source = std::move(source);
  return s;
}

client::Target target_ok(const config::Settings& s) {
  auto t = client::make_target(s);
  if (!t) FAIL("unexpected error: " << t.error().message);
  return std::move(*t);
}

std::string password_of(const client::ConnectionOptions& o) { return o.password ? o.password->reveal() : "<none>"; }

}  // namespace

TEST_CASE("client options: defaults without URL or flags") {
  auto t = target_ok({});
  const auto& o = t.options;
  CHECK(o.endpoint.transport == Transport::tcp);
  CHECK(o.endpoint.host == "127.0.0.1");
  CHECK(o.endpoint.port == 6379);
  CHECK(o.db == 0);
  CHECK(o.protocol == 3);
  CHECK_FALSE(o.username.has_value());
  CHECK_FALSE(o.password.has_value());
  CHECK(o.connect_timeout == client::k_default_timeout);
  CHECK(o.command_timeout == client::k_default_timeout);
  CHECK(client::k_default_timeout == std::chrono::seconds(5));
  CHECK(o.tls.verify_peer);
  CHECK(o.tls.verify_hostname);
  CHECK(t.warnings.empty());
}

TEST_CASE("client options: flags override the URL's parts") {
  SECTION("--host replaces the host, keeps the URL's port") {
    auto s = with_url("redis://url-host:7000/2");
    s.host = "flag-host";
    auto o = target_ok(s).options;
    CHECK(o.endpoint.host == "flag-host");
    CHECK(o.endpoint.port == 7000);
    CHECK(o.db == 2);
  }
  SECTION("--port replaces the port") {
    auto s = with_url("redis://url-host:7000");
    s.port = 7001;
    CHECK(target_ok(s).options.endpoint.port == 7001);
  }
  SECTION("--tls upgrades tcp to tls; unix sockets stay unix") {
    auto s = with_url("redis://h");
    s.tls = true;
    CHECK(target_ok(s).options.endpoint.transport == Transport::tls);
    auto u = with_url("unix:///tmp/r.sock");
    u.tls = true;
    CHECK(target_ok(u).options.endpoint.transport == Transport::unix_socket);
  }
  SECTION("--socket turns a tcp URL into a unix socket") {
    auto s = with_url("redis://h:7000");
    s.socket = "/run/redis.sock";
    auto o = target_ok(s).options;
    CHECK(o.endpoint.transport == Transport::unix_socket);
    CHECK(o.endpoint.socket_path == "/run/redis.sock");
  }
  SECTION("--host on a unix URL switches to tcp on the default port") {
    auto s = with_url("unix:///tmp/r.sock");
    s.host = "h";
    auto o = target_ok(s).options;
    CHECK(o.endpoint.transport == Transport::tcp);
    CHECK(o.endpoint.host == "h");
    CHECK(o.endpoint.port == 6379);
  }
  SECTION("the db flag beats the URL's db") {
    auto s = with_url("redis://h/2");
    s.db = 5;
    CHECK(target_ok(s).options.db == 5);
    s.db = 0;
    CHECK(target_ok(s).options.db == 0);
  }
  SECTION("an explicit password and user beat the URL's") {
    auto s = with_url("redis://url-user:url-pw@h");
    CHECK(password_of(target_ok(s).options) == "url-pw");
    CHECK(target_ok(s).options.username == "url-user");
    s.password = util::Secret("flag-pw");
    s.user = "flag-user";
    auto o = target_ok(s).options;
    CHECK(password_of(o) == "flag-pw");
    CHECK(o.username == "flag-user");
  }
  SECTION("--cacert/--cert/--key beat the URL's ssl_* options") {
    auto s = with_url("rediss://h?ssl_ca_certs=/url-ca.pem&ssl_certfile=/url-c.pem&ssl_keyfile=/url-k.pem");
    auto o = target_ok(s).options;
    CHECK(o.tls.ca_file == "/url-ca.pem");
    CHECK(o.tls.cert_file == "/url-c.pem");
    CHECK(o.tls.key_file == "/url-k.pem");
    s.cacert = "/ca.pem";
    s.cert = "/c.pem";
    s.key = "/k.pem";
    s.sni = "cache.internal";
    o = target_ok(s).options;
    CHECK(o.tls.ca_file == "/ca.pem");
    CHECK(o.tls.cert_file == "/c.pem");
    CHECK(o.tls.key_file == "/k.pem");
    CHECK(o.tls.sni == "cache.internal");
  }
}

TEST_CASE("client options: certificate verification") {
  struct Case {
    const char* url;
    bool insecure;
    bool verify_peer, verify_hostname;
    std::size_t warnings;
    const char* warning = "";
  };
  const Case cases[] = {
      {"rediss://h", false, true, true, 0},
      {"rediss://h?ssl_cert_reqs=none", false, false, false, 1, "ssl_cert_reqs=none"},
      {"rediss://h?ssl_cert_reqs=required", false, true, true, 0},
      {"rediss://h?ssl_check_hostname=false", false, true, false, 1, "ssl_check_hostname=false"},
      {"rediss://h?ssl_check_hostname=true", false, true, true, 0},
      {"rediss://h?ssl_cert_reqs=none&ssl_check_hostname=false", false, false, false, 1, "ssl_cert_reqs=none"},
      {"rediss://h", true, false, false, 0},  // --insecure warns in resolve()
      {"rediss://h?ssl_cert_reqs=none", true, false, false, 0},  // ... once, not twice
      {"rediss://h?ssl_check_hostname=false", true, false, false, 0},
      {"redis://h?ssl_cert_reqs=none", false, false, false, 0},  // no TLS: nothing to warn about
      {"redis://h?ssl_check_hostname=false", false, true, false, 0},
  };
  for (const auto& c : cases) {
    INFO(c.url << (c.insecure ? " --insecure" : ""));
    auto s = with_url(c.url);
    s.insecure = c.insecure;
    auto t = target_ok(s);
    CHECK(t.options.tls.verify_peer == c.verify_peer);
    CHECK(t.options.tls.verify_hostname == c.verify_hostname);
    REQUIRE(t.warnings.size() == c.warnings);
    if (c.warnings) CHECK_THAT(t.warnings[0], Catch::Contains(c.warning));
  }
}

TEST_CASE("client options: timeouts are flag, then URL, then 5s") {
  auto s = with_url("redis://h?socket_timeout=1.5&socket_connect_timeout=0.25");
  auto o = target_ok(s).options;
  CHECK(o.command_timeout == util::Millis(1500));
  CHECK(o.connect_timeout == util::Millis(250));
  s.timeout = util::Millis(2000);
  s.connect_timeout = util::Millis(3000);
  o = target_ok(s).options;
  CHECK(o.command_timeout == util::Millis(2000));
  CHECK(o.connect_timeout == util::Millis(3000));
  o = target_ok(with_url("redis://h")).options;
  CHECK(o.command_timeout == util::Millis(5000));
  CHECK(o.connect_timeout == util::Millis(5000));
}

TEST_CASE("client options: protocol, cluster, retries and URL warnings") {
  CHECK(target_ok(with_url("redis://h")).options.protocol == 3);
  CHECK(target_ok(with_url("redis://h?protocol=2")).options.protocol == 2);
  auto s = with_url("redis://h?protocol=3");
  s.resp2 = true;
  s.cluster = true;
  s.retries = 2;
  auto t = target_ok(s);
  CHECK(t.options.protocol == 2);
  CHECK(t.force_cluster);
  CHECK(t.retries == 2);

  auto w = target_ok(with_url("redis://h?decode_responses=true"));
  REQUIRE(w.warnings.size() == 1);
  CHECK_THAT(w.warnings[0], Catch::Contains("decode_responses"));
}

TEST_CASE("client options: a bad URL names its source, never its password") {
  auto from_flag = client::make_target(with_url("redis://:s3cr3t@h:99999"));
  REQUIRE_FALSE(from_flag.has_value());
  CHECK(from_flag.error().kind == ErrorKind::usage);
  CHECK(from_flag.error().message.find("s3cr3t") == std::string::npos);
  CHECK(from_flag.error().message.find("(from") == std::string::npos);

  auto from_env = client::make_target(with_url("redis://:s3cr3t@h:99999", "SESSION_REDIS_URL"));
  REQUIRE_FALSE(from_env.has_value());
  CHECK(from_env.error().message.find("s3cr3t") == std::string::npos);
  CHECK_THAT(from_env.error().message, Catch::EndsWith("(from SESSION_REDIS_URL)"));
}

TEST_CASE("client options: describe masks the password") {
  struct Case {
    const char* url;
    const char* described;
  };
  const Case cases[] = {
      {"rediss://app:s3cr3t@cache.example.com:6380/2", "rediss://app:****@cache.example.com:6380/2"},
      {"redis://:s3cr3t@h", "redis://:****@h:6379"},
      {"redis://s3cr3t@h", "redis://:****@h:6379"},
      {"redis://app@h", "redis://:****@h:6379"},  // a lone userinfo value is a password
      {"redis://h/0", "redis://h:6379"},
      {"redis://[::1]:7000/1", "redis://[::1]:7000/1"},
      {"unix://:s3cr3t@/tmp/r.sock?db=3", "unix://:****@/tmp/r.sock?db=3"},
      {"unix:///tmp/r.sock", "unix:///tmp/r.sock"},
      {"redis://h?password=s3cr3t", "redis://:****@h:6379"},
  };
  for (const auto& c : cases) {
    INFO(c.url);
    auto o = target_ok(with_url(c.url)).options;
    auto text = client::describe(o);
    CHECK(text == c.described);
    CHECK(text.find("s3cr3t") == std::string::npos);
  }
}
