#include "net/endpoint.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using namespace rctl;
using net::Transport;

namespace {

constexpr const char* k_secret = "s3cr3t";

net::ParsedUrl parse_ok(std::string_view url) {
  INFO("url: " << url);
  auto parsed = net::parse_url(url);
  if (!parsed) FAIL("unexpected error: " << parsed.error().message);
  return std::move(*parsed);
}

std::optional<std::string> password_of(const net::ParsedUrl& p) {
  if (!p.password) return std::nullopt;
  return p.password->reveal();
}

}  // namespace

TEST_CASE("net endpoint: parse_url accepts the URL forms apps hand out") {
  struct Case {
    const char* url;
    Transport transport;
    const char* host;
    int port;
    const char* socket_path;
    std::optional<std::string> username, password;
    std::optional<int> db;
  };
  const std::optional<std::string> none;
  const Case cases[] = {
      {"redis://localhost", Transport::tcp, "localhost", 6379, "", none, none, std::nullopt},
      {"redis://cache.example.com:6380/2", Transport::tcp, "cache.example.com", 6380, "", none, none, 2},
      {"rediss://app:s3cr3t@cache.example.com:6380/15", Transport::tls, "cache.example.com", 6380, "", "app", "s3cr3t",
       15},
      {"REDISS://Cache.Example.com", Transport::tls, "Cache.Example.com", 6379, "", none, none, std::nullopt},
      // Password only: the username stays unset, so AUTH gets one argument.
      {"redis://:s3cr3t@host", Transport::tcp, "host", 6379, "", none, "s3cr3t", std::nullopt},
      // A lone userinfo value is the password, as redis-cli reads it.
      {"redis://s3cr3t@host", Transport::tcp, "host", 6379, "", none, "s3cr3t", std::nullopt},
      {"redis://default:s3cr3t@host:1", Transport::tcp, "host", 1, "", "default", "s3cr3t", std::nullopt},
      {"redis://app:@host", Transport::tcp, "host", 6379, "", "app", none, std::nullopt},
      {"redis://app:p%40ss@host", Transport::tcp, "host", 6379, "", "app", "p@ss", std::nullopt},
      {"redis://a%3Ab:p%3as%2F%3F%23@host", Transport::tcp, "host", 6379, "", "a:b", "p:s/?#", std::nullopt},
      {"redis://:p@ss@host", Transport::tcp, "host", 6379, "", none, "p@ss", std::nullopt},
      {"redis://[::1]:6380", Transport::tcp, "::1", 6380, "", none, none, std::nullopt},
      {"rediss://u:pw@[2001:db8::7]/3", Transport::tls, "2001:db8::7", 6379, "", "u", "pw", 3},
      {"redis://host/", Transport::tcp, "host", 6379, "", none, none, std::nullopt},
      {"redis://host:65535/0", Transport::tcp, "host", 65535, "", none, none, 0},
      {"redis://host#ignored", Transport::tcp, "host", 6379, "", none, none, std::nullopt},
      {"redis://", Transport::tcp, "127.0.0.1", 6379, "", none, none, std::nullopt},
      {"unix:///tmp/redis.sock", Transport::unix_socket, "", 0, "/tmp/redis.sock", none, none, std::nullopt},
      {"redis+unix:///var/run/redis/redis.sock?db=4", Transport::unix_socket, "", 0, "/var/run/redis/redis.sock", none,
       none, 4},
      {"unix://:s3cr3t@/tmp/r.sock", Transport::unix_socket, "", 0, "/tmp/r.sock", none, "s3cr3t", std::nullopt},
      {"unix://app:pw@/tmp/my%20dir/r.sock", Transport::unix_socket, "", 0, "/tmp/my dir/r.sock", "app", "pw",
       std::nullopt},
  };
  for (const auto& c : cases) {
    INFO("url: " << c.url);
    auto p = parse_ok(c.url);
    CHECK(p.endpoint.transport == c.transport);
    CHECK(p.endpoint.host == c.host);
    CHECK(p.endpoint.port == c.port);
    CHECK(p.endpoint.socket_path == c.socket_path);
    CHECK(p.username == c.username);
    CHECK(password_of(p) == c.password);
    CHECK(p.db == c.db);
    CHECK(p.warnings.empty());
  }
}

TEST_CASE("net endpoint: query options") {
  auto p = parse_ok(
      "rediss://host?ssl_cert_reqs=none&db=3&password=p%26w&ssl_ca_certs=%2Fetc%2Fca.pem"
      "&socket_timeout=1.5&socket_connect_timeout=2&protocol=2&ssl_check_hostname=false"
      "&ssl_certfile=/c.pem&ssl_keyfile=/k.pem&username=app");
  CHECK(p.verify_peer == false);
  CHECK(p.check_hostname == false);
  CHECK(p.db == 3);
  CHECK(password_of(p) == "p&w");
  CHECK(p.username == "app");
  CHECK(p.ca_file == "/etc/ca.pem");
  CHECK(p.cert_file == "/c.pem");
  CHECK(p.key_file == "/k.pem");
  CHECK(p.command_timeout == util::Millis(1500));
  CHECK(p.connect_timeout == util::Millis(2000));
  CHECK(p.protocol == 2);
  CHECK(p.warnings.empty());

  SECTION("ssl_cert_reqs spellings") {
    CHECK(parse_ok("rediss://h?ssl_cert_reqs=CERT_NONE").verify_peer == false);
    CHECK(parse_ok("rediss://h?ssl_cert_reqs=required").verify_peer == true);
    CHECK(parse_ok("rediss://h?ssl_cert_reqs=optional").verify_peer == true);
    CHECK_FALSE(parse_ok("rediss://h").verify_peer.has_value());
  }
  SECTION("a query db beats the path db (it comes later)") { CHECK(parse_ok("redis://h/1?db=2").db == 2); }
  SECTION("an unknown option is a warning, not an error") {
    auto q = parse_ok("redis://h?health_check_interval=10&&retry_on_timeout=yes");
    REQUIRE(q.warnings.size() == 2);
    CHECK(q.warnings[0].find("health_check_interval") != std::string::npos);
    CHECK(q.warnings[1].find("retry_on_timeout") != std::string::npos);
  }
}

TEST_CASE("net endpoint: bad URLs are usage errors that never show the password") {
  const char* urls[] = {
      "localhost:6379",  // missing scheme
      "//:s3cr3t@localhost",
      "http://:s3cr3t@host",
      "redis://:s3cr3t@host:0",
      "redis://:s3cr3t@host:65536",
      "redis://:s3cr3t@host:-1",
      "redis://:s3cr3t@host:junk",
      "redis://:s3cr3t@host:",
      "redis://:s3cr3t@host:99999999999999999999999",
      "redis://:s3cr3t@::1:6379",  // IPv6 without brackets
      "redis://:s3cr3t@[::1",
      "redis://:s3cr3t@[::1]x",
      "redis://:s3cr3t@[::1]:",
      "redis://:s3cr3t@[not-an-ip]:6379",
      "redis://:s3cr3t@ho st",
      "redis://:s3cr3t@host%00",
      "redis://:s3cr3t@host/abc",
      "redis://:s3cr3t@host/-1",
      "redis://:s3cr3t@host/1000001",
      "redis://:s3cr3t@host/1/2",
      "redis://user:s3cr3t%zz@host",
      "redis://user:s3cr3t%4@host",  // truncated escape at the end of the userinfo
      "redis://%zzuser:s3cr3t@host",
      "redis://host?password=s3cr3t%4",
      "redis://host?password=s3cr3t&db=x",
      "redis://:s3cr3t@host?db=-1",
      "redis://:s3cr3t@host?protocol=4",
      "redis://:s3cr3t@host?socket_timeout=abc",
      "redis://:s3cr3t@host?socket_timeout=-1",
      "redis://:s3cr3t@host?socket_timeout=nan",
      "redis://:s3cr3t@host?socket_connect_timeout=inf",
      "redis://:s3cr3t@host?ssl_cert_reqs=maybe",
      "redis://:s3cr3t@host?ssl_check_hostname=perhaps",
      "redis://:s3cr3t@host?%zz=1",
      "unix://:s3cr3t@relative/redis.sock",
      "unix://:s3cr3t@",
      "unix://:s3cr3t@/tmp/r%zz.sock",
      // Passwords with an unencoded '/', '?' or '#' cut the authority short; the pieces must
      // not be quoted back (ElastiCache tokens may contain '#' and '?').
      "redis://:s3cr3t#x@host",
      "redis://:s3cr3t?x@host",
      "redis://:s3cr3t/x@host",
      "redis://user:s3cr3t?a=b@host",
      "redis://:123#s3cr3t@host",
      "redis://:123?s3cr3t@host",
      "unix://:s3cr3t#x@/tmp/r.sock",
      // Issue 16: an '@' inside the password as well, so the authority has one too.
      "redis://user:p@s3cr3t/s3cr3t@127.0.0.1:6379",
      "redis://user:p@s3cr3t?s3cr3t@127.0.0.1:6379",
      "redis://p@s3cr3t#s3cr3t@127.0.0.1:6379",
  };
  for (const char* url : urls) {
    INFO("url: " << url);
    auto parsed = net::parse_url(url);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().kind == ErrorKind::usage);
    CHECK(parsed.error().message.find(k_secret) == std::string::npos);
    CHECK(parsed.error().hint.find(k_secret) == std::string::npos);
    CHECK_FALSE(parsed.error().message.empty());
  }
}

TEST_CASE("net endpoint: error messages say what is wrong") {
  struct Case {
    const char* url;
    const char* fragment;
  };
  const Case cases[] = {
      {"localhost:6379", "missing scheme"},
      {"http://host", "unknown scheme 'http'"},
      {"redis://host:0", "invalid port '0'"},
      {"redis://host:", "empty port"},
      {"redis://::1:6379", "brackets"},
      {"redis://host/abc", "invalid database number 'abc'"},
      {"redis://h:pw%zz@host", "illegal character in URL encoding"},
      {"unix://relative", "absolute"},
      {"redis://:pw#x@host", "percent-encode"},
      {"redis://u:p@ss/x@host", "percent-encode"},
  };
  for (const auto& c : cases) {
    INFO("url: " << c.url);
    auto parsed = net::parse_url(c.url);
    REQUIRE_FALSE(parsed.has_value());
    CHECK_THAT(parsed.error().message, Catch::Contains(c.fragment));
  }
}

TEST_CASE("net endpoint: redact_url masks passwords") {
  struct Case {
    const char* url;
    const char* expected;
  };
  const Case cases[] = {
      {"redis://user:s3cr3t@host:6379/0", "redis://user:****@host:6379/0"},
      {"redis://:s3cr3t@host", "redis://:****@host"},
      {"redis://s3cr3t@host", "redis://****@host"},
      {"rediss://u:p@ss@host", "rediss://u:****@host"},
      {"redis://host:6379", "redis://host:6379"},
      {"redis://host/0?password=s3cr3t&db=1", "redis://host/0?password=****&db=1"},
      {"redis://host?db=1&password=s3cr3t", "redis://host?db=1&password=****"},
      {"redis://host?ssl_password=s3cr3t", "redis://host?ssl_password=****"},
      {"unix://:s3cr3t@/tmp/r.sock", "unix://:****@/tmp/r.sock"},
      {"s3cr3t@host", "****@host"},
      {"redis://:s3cr3t#x@host", "redis://:****@host"},
      {"redis://user:s3cr3t/x@host/1", "redis://user:****@host/1"},
      {"redis://host?password=s3@cr3t", "redis://host?password=****"},
      // Found by fuzz_url: "password=" inside a userinfo password is not a query key.
      {"redis://:mypassword=s3cr3t@host", "redis://:****@host"},
      {"redis://host:63onne-passwordssl_password=@cache.example.com:6380/2",
       "redis://host:****@cache.example.com:6380/2"},
      {"redis://u:xpassword=1@host?password=s3cr3t", "redis://u:****@host?password=****"},
      {"redis://name'3&password=@1?_t!meout=k&db=1", "redis://****&db=1"},
      // Issue 16: an '@' before a '/' in the password is not where the authority ends.
      {"redis://user:p@ss/SECRET@127.0.0.1:6379", "redis://user:****@127.0.0.1:6379"},
      {"redis://user:p@ss?x#SECRET@127.0.0.1:6379/0", "redis://user:****@127.0.0.1:6379/0"},
      // Found by fuzz_url: a '?' in front of "://" starts no query, so "&password=" after it
      // is still part of the userinfo.
      {"re?s://name'3&password=@host?x", "re?s://****"},
      // A name holding '@' before the first ':' is not shown as a user name.
      {"redis://p@ss:x@host", "redis://****@host"},
  };
  for (const auto& c : cases) {
    INFO("url: " << c.url);
    CHECK(net::redact_url(c.url) == c.expected);
  }
}

TEST_CASE("net endpoint: describe and is_ip_literal") {
  net::Endpoint tcp{Transport::tcp, "cache.example.com", 6380, ""};
  CHECK(net::describe(tcp) == "cache.example.com:6380");
  net::Endpoint v6{Transport::tls, "2001:db8::1", 6379, ""};
  CHECK(net::describe(v6) == "[2001:db8::1]:6379");
  net::Endpoint sock{Transport::unix_socket, "", 0, "/run/redis.sock"};
  CHECK(net::describe(sock) == "unix:/run/redis.sock");
  CHECK(net::describe(parse_ok("redis://[::1]:7000").endpoint) == "[::1]:7000");

  struct Case {
    const char* host;
    bool literal;
  };
  const Case cases[] = {
      {"127.0.0.1", true},  {"::1", true},       {"2001:db8::7", true},        {"::ffff:10.0.0.1", true},
      {"localhost", false}, {"10.0.0", false},   {"256.1.1.1", false},         {"[::1]", false},
      {"", false},          {"1.2.3.4 ", false}, {"redis.example.com", false},
  };
  for (const auto& c : cases) {
    INFO("host: '" << c.host << "'");
    CHECK(net::is_ip_literal(c.host) == c.literal);
  }
}
