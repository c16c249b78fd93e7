// The URLs the limits library takes for a cluster (redis+cluster://) and for Sentinel.

#include "client/options.hpp"
#include "net/endpoint.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl;
using net::Transport;

namespace {

config::Settings with_url(std::string url) {
  config::Settings s;
  s.url = std::move(url);
  s.url_source = "RATE_LIMIT_STORAGE_URL";
  return s;
}

}  // namespace

TEST_CASE("net endpoint: redis+cluster:// is a cluster seed") {
  auto p = net::parse_url("redis+cluster://:s3cr3t@node-a:7000");
  REQUIRE(p);
  CHECK(p->cluster);
  CHECK(p->endpoint.transport == Transport::tcp);
  CHECK(p->endpoint.host == "node-a");
  CHECK(p->endpoint.port == 7000);
  REQUIRE(p->password);
  CHECK(p->password->reveal() == "s3cr3t");
  CHECK(p->warnings.empty());

  auto tls = net::parse_url("REDISS+CLUSTER://node-a:7000");
  REQUIRE(tls);
  CHECK(tls->cluster);
  CHECK(tls->endpoint.transport == Transport::tls);

  auto plain = net::parse_url("redis://node-a:7000");
  REQUIRE(plain);
  CHECK_FALSE(plain->cluster);
}

TEST_CASE("net endpoint: redis+cluster:// with several seeds uses the first and says so") {
  auto p = net::parse_url("redis+cluster://:pw@node-a:7000,node-b:7001,[::1]:7002");
  REQUIRE(p);
  CHECK(p->endpoint.host == "node-a");
  CHECK(p->endpoint.port == 7000);
  REQUIRE(p->warnings.size() == 1);
  CHECK(p->warnings.front().find("3 seed nodes") != std::string::npos);
  CHECK(p->warnings.front().find("pw") == std::string::npos);
  // A bad first seed is a bad URL; an IPv6 seed needs brackets like anywhere else.
  CHECK_FALSE(net::parse_url("redis+cluster://node-a:99999,node-b:1"));
  auto v6 = net::parse_url("redis+cluster://[::1]:7000,node-b:1");
  REQUIRE(v6);
  CHECK(v6->endpoint.host == "::1");
}

TEST_CASE("net endpoint: redis+sentinel:// is refused with a way out, without the password") {
  auto p = net::parse_url("redis+sentinel://:s3cr3t@sentinel:26379/mymaster");
  REQUIRE_FALSE(p);
  CHECK(p.error().kind == ErrorKind::usage);
  CHECK(p.error().message.find("not supported") != std::string::npos);
  CHECK(p.error().message.find("s3cr3t") == std::string::npos);
  CHECK(p.error().hint.find("SENTINEL get-master-addr-by-name") != std::string::npos);
}

TEST_CASE("client options: a redis+cluster:// URL requires cluster mode") {
  auto t = client::make_target(with_url("redis+cluster://node-a:7000"));
  REQUIRE(t);
  CHECK(t->force_cluster);
  CHECK(t->options.endpoint.host == "node-a");
  auto plain = client::make_target(with_url("redis://node-a:7000"));
  REQUIRE(plain);
  CHECK_FALSE(plain->force_cluster);
}
