// The parsers of what credential endpoints answer: HTTP replies, credential JSON, the STS
// AssumeRole XML, JWT claims. Their output holds secrets: errors must never quote it.
#include "identity/aws_credentials.hpp"
#include "identity/entra.hpp"
#include "identity/http.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl;
using namespace rctl::identity;

TEST_CASE("http reply: Content-Length, chunked, and up to the end") {
  auto r = parse_http_response("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello+junk");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->header("content-type") == "text/plain");
  CHECK(r->body == "hello");
  r = parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n");
  REQUIRE(r);
  CHECK(r->body == "abcde");
  r = parse_http_response("HTTP/1.0 404 Not Found\r\n\r\nnone");
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(r->body == "none");
}

TEST_CASE("http reply: malformed ones are protocol errors") {
  for (std::string_view bad : {"HTTP/1.1 200 OK\r\n", "SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
                               "HTTP/1.1 200 OK\r\nno-colon\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab",
                               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"}) {
    auto r = parse_http_response(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::protocol);
  }
}

TEST_CASE("http url: hosts, ports and targets") {
  auto u = parse_http_url("http://169.254.169.254");
  REQUIRE(u);
  CHECK((u->host == "169.254.169.254" && u->port == 80 && u->target == "/" && !u->https));
  u = parse_http_url("https://sts.eu-west-1.amazonaws.com/?x=1");
  REQUIRE(u);
  CHECK((u->https && u->port == 443 && u->target == "/?x=1"));
  u = parse_http_url("http://[fd00:ec2::254]:8080/latest");
  REQUIRE(u);
  CHECK((u->host == "fd00:ec2::254" && u->port == 8080 && u->target == "/latest"));
  CHECK_FALSE(parse_http_url("ftp://x"));
  CHECK_FALSE(parse_http_url("http://user:pw@host/"));
  CHECK_FALSE(parse_http_url("http://host:99999/"));
}

TEST_CASE("credentials json: IMDS, ECS and credential_process forms") {
  auto c = parse_credentials_json(R"({"Code":"Success","AccessKeyId":"ASIA1","SecretAccessKey":"sk/1",)"
                                  R"("Token":"tok","Expiration":"2024-01-02T03:04:05Z"})",
                                  "imds");
  REQUIRE(c);
  CHECK(c->access_key_id == "ASIA1");
  CHECK(c->secret_access_key.reveal() == "sk/1");
  CHECK(c->session_token.reveal() == "tok");
  REQUIRE(c->expiration);
  CHECK(c->expiration->time_since_epoch().count() == 1704164645);
  c = parse_credentials_json(R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","SessionToken":"ST"})", "p");
  REQUIRE(c);
  CHECK(c->session_token.reveal() == "ST");
  CHECK_FALSE(c->expiration);
  auto bad = parse_credentials_json(R"({"AccessKeyId":"AK","SecretAccessKey":"the-secret" )", "proc");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::auth);
  CHECK(bad.error().message == "proc: the reply is not JSON");
  bad = parse_credentials_json(R"({"Code":"Failed","AccessKeyId":"AK","SecretAccessKey":"x"})", "imds");
  CHECK(bad.error().message == "imds: the endpoint answered Failed");
  CHECK_FALSE(parse_credentials_json(R"({"AccessKeyId":"AK"})", "x"));
}

TEST_CASE("sts reply: credentials, entities, and refusals") {
  auto c = parse_assume_role_reply(
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId>"
      "<SecretAccessKey>s/k</SecretAccessKey><SessionToken>a&amp;b&lt;c</SessionToken>"
      "<Expiration>2024-01-02T03:04:05.123Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
      200);
  REQUIRE(c);
  CHECK(c->session_token.reveal() == "a&b<c");
  CHECK(c->expiration);
  auto refused = parse_assume_role_reply(
      "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error>"
      "</ErrorResponse>",
      403);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::auth);
  CHECK(refused.error().message == "STS AssumeRole refused (HTTP 403): AccessDenied: not allowed");
  CHECK(parse_assume_role_reply("", 502).error().message == "STS AssumeRole refused (HTTP 502): no error code");
  CHECK_FALSE(parse_assume_role_reply("<Credentials><AccessKeyId>A</AccessKeyId></Credentials>", 200));
}

TEST_CASE("iso 8601 times") {
  CHECK(parse_iso8601("2024-01-02T03:04:05Z")->time_since_epoch().count() == 1704164645);
  CHECK(parse_iso8601("2024-01-02T03:04:05+00:00"));
  CHECK_FALSE(parse_iso8601("2024-01-02 03:04:05"));
  CHECK_FALSE(parse_iso8601("2024-02-30T03:04:05Z"));
  CHECK_FALSE(parse_iso8601("2024-01-02T03:04:05+02:00"));
}

TEST_CASE("jwt claims: oid and exp from the payload") {
  // {"alg":"none"} . {"oid":"11111111-2222-3333-4444-555555555555","exp":1704164645} . sig
  const std::string jwt =
      "eyJhbGciOiJub25lIn0.eyJvaWQiOiIxMTExMTExMS0yMjIyLTMzMzMtNDQ0NC01NTU1NTU1NTU1NTUiLCJleHAiOjE3MDQxNjQ2NDV9.c2ln";
  auto claims = read_jwt_claims(jwt);
  CHECK(claims.oid == "11111111-2222-3333-4444-555555555555");
  CHECK(claims.exp == 1704164645);
  CHECK_FALSE(read_jwt_claims("not-a-jwt").oid);
  CHECK_FALSE(read_jwt_claims("a.!!!.c").oid);
  CHECK_FALSE(read_jwt_claims("a.eyJ4IjoxfQ.c").oid);  // {"x":1}
}
