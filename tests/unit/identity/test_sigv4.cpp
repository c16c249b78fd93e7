// SigV4 against AWS's published test suite (aws-sig-v4-test-suite: credentials AKIDEXAMPLE,
// us-east-1, service "service", 2015-08-30T12:36:00Z, host example.amazonaws.com) and the
// ElastiCache IAM token against botocore 1.29.27's presign of the same request
// (/work/shared/reference/formats.md, section 6.1).
#include "identity/elasticache.hpp"
#include "identity/sigv4.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <string>

using namespace rctl;
using namespace rctl::identity;
using namespace std::chrono;

namespace {

AwsCredentials suite_credentials(std::string token = {}) {
  AwsCredentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = util::Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  c.session_token = util::Secret(std::move(token));
  return c;
}

const SigV4Scope k_suite_scope{"us-east-1", "service", sys_days{year{2015} / 8 / 30} + hours{12} + minutes{36}};

std::string suite_authorization(SigV4Request request) {
  request.host = "example.amazonaws.com";
  auto headers = sign_headers(request, k_suite_scope, suite_credentials());
  REQUIRE(headers);
  REQUIRE(headers->size() == 2);
  CHECK(headers->at(0) == std::pair<std::string, std::string>{"X-Amz-Date", "20150830T123600Z"});
  CHECK(headers->at(1).first == "Authorization");
  return headers->at(1).second;
}

std::string suite_signed(std::string_view names, std::string_view signature) {
  return fmt::format(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders={}, "
      "Signature={}",
      names, signature);
}

const std::string k_unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

}  // namespace

TEST_CASE("sigv4: AWS test suite, get-vanilla and post-vanilla") {
  CHECK(suite_authorization({}) ==
        suite_signed("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  SigV4Request post;
  post.method = "POST";
  CHECK(suite_authorization(post) ==
        suite_signed("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
}

TEST_CASE("sigv4: AWS test suite, get-vanilla-query-order-key-case") {
  SigV4Request r;
  r.query = {{"Param2", "value2"}, {"Param1", "value1"}};
  CHECK(suite_authorization(r) ==
        suite_signed("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
  r.host = "example.amazonaws.com";
  r.headers = {{"X-Amz-Date", "20150830T123600Z"}};
  CHECK(canonical_request(r).value() ==
        "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
        "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("sigv4: AWS test suite, get-vanilla-query-unreserved and get-vanilla-utf8-query") {
  SigV4Request r;
  r.query = {{k_unreserved, k_unreserved}};
  CHECK(suite_authorization(r) ==
        suite_signed("host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"));
  r.query = {{"\xe1\x88\xb4", "bar"}};
  CHECK(suite_authorization(r) ==
        suite_signed("host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));
}

TEST_CASE("sigv4: AWS test suite, post-x-www-form-urlencoded and get-header-value-trim") {
  SigV4Request post;
  post.method = "POST";
  post.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  post.body = "Param1=value1";
  CHECK(suite_authorization(post) == suite_signed("content-type;host;x-amz-date",
                                                  "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
  SigV4Request trim;
  trim.headers = {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}};
  CHECK(suite_authorization(trim) == suite_signed("host;my-header1;my-header2;x-amz-date",
                                                  "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
}

TEST_CASE("sigv4: a session token is signed as X-Amz-Security-Token") {
  SigV4Request r;
  r.host = "example.amazonaws.com";
  auto headers = sign_headers(r, k_suite_scope, suite_credentials("tok/en+="));
  REQUIRE(headers);
  REQUIRE(headers->size() == 3);
  CHECK(headers->at(1) == std::pair<std::string, std::string>{"X-Amz-Security-Token", "tok/en+="});
  CHECK(headers->at(2).second.find("SignedHeaders=host;x-amz-date;x-amz-security-token,") != std::string::npos);
}

TEST_CASE("sigv4: URI encoding keeps only the unreserved characters") {
  CHECK(aws_uri_encode(k_unreserved) == k_unreserved);
  CHECK(aws_uri_encode("a b+c/d=e%") == "a%20b%2Bc%2Fd%3De%25");
  CHECK(aws_uri_encode("/a b/", true) == "/a%20b/");
  CHECK(aws_uri_encode("\xe1\x88\xb4") == "%E1%88%B4");
}

namespace {

// formats.md: AKIDEXAMPLE, us-east-1, host my-cache, user my-iam-user, 2024-01-02T03:04:05Z.
ElastiCacheTokenRequest reference_request() {
  return {"my-cache", "my-iam-user", "us-east-1", false,
          sys_days{year{2024} / 1 / 2} + hours{3} + minutes{4} + seconds{5}};
}

const std::string k_token_prefix =
    "my-cache/"
    "?Action=connect&User=my-iam-user&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240102%"
    "2Fus-east-1%2Felasticache%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host";

}  // namespace

TEST_CASE("elasticache token: byte for byte as botocore presigns it") {
  auto token = elasticache_token(reference_request(), suite_credentials());
  REQUIRE(token);
  CHECK(token->reveal() ==
        k_token_prefix + "&X-Amz-Signature=234aa559c45f199506e82c2395112d72bc57941090017ea84f6f71c7ebbc31ad");
  // The cache name is lower-cased: the same token for MY-CACHE.
  auto upper = reference_request();
  upper.cache_name = "MY-CACHE";
  CHECK(elasticache_token(upper, suite_credentials())->reveal() == token->reveal());
}

TEST_CASE("elasticache token: serverless and with a session token, as botocore") {
  auto serverless = reference_request();
  serverless.serverless = true;
  auto token = elasticache_token(serverless, suite_credentials());
  REQUIRE(token);
  CHECK(token->reveal().starts_with("my-cache/?Action=connect&User=my-iam-user&ResourceType=ServerlessCache&X-Amz-"));
  CHECK(token->reveal().ends_with("&X-Amz-Signature=109d2b980afdbbee9c736e0121b24a1c7a4e8432c57579417629c4ff5ccc737f"));
  token = elasticache_token(reference_request(), suite_credentials("FQoGZXIvYXdzE+/tok="));
  REQUIRE(token);
  CHECK(token->reveal() == k_token_prefix +
                               "&X-Amz-Security-Token=FQoGZXIvYXdzE%2B%2Ftok%3D&X-Amz-Signature="
                               "d1667b60d5090456af3bd83c53cecb29767b818de146935b3498de22b7123626");
}

TEST_CASE("elasticache token: what is missing is a usage error") {
  auto r = reference_request();
  r.region.clear();
  CHECK(elasticache_token(r, suite_credentials()).error().kind == ErrorKind::usage);
  r = reference_request();
  r.user.clear();
  CHECK(elasticache_token(r, suite_credentials()).error().message.find("--user") != std::string::npos);
}

TEST_CASE("elasticache host: AWS's endpoint forms") {
  auto h = parse_elasticache_host("master.my-rg.abc123.use1.cache.amazonaws.com");
  CHECK(h.cache_name == "my-rg");
  CHECK(h.region == "us-east-1");
  CHECK_FALSE(h.serverless);
  CHECK(parse_elasticache_host("replica.my-rg.abc123.euw1.cache.amazonaws.com").region == "eu-west-1");
  CHECK(parse_elasticache_host("clustercfg.my-rg.abc123.apse2.cache.amazonaws.com").cache_name == "my-rg");
  CHECK(parse_elasticache_host("clustercfg.my-rg.abc123.apse2.cache.amazonaws.com").region == "ap-southeast-2");
  CHECK(parse_elasticache_host("my-rg.abc123.ng.0001.usw2.cache.amazonaws.com").cache_name == "my-rg");
  CHECK(parse_elasticache_host("my-rg.abc123.clustercfg.euc1.cache.amazonaws.com").cache_name == "my-rg");
  CHECK(parse_elasticache_host("my-rg-0001-001.my-rg.abc123.use1.cache.amazonaws.com").cache_name == "my-rg");
  auto s = parse_elasticache_host("My-Cache-x1y2z3.serverless.apne1.cache.amazonaws.com.");
  CHECK(s.serverless);
  CHECK(s.cache_name == "my-cache");
  CHECK(s.region == "ap-northeast-1");
  auto bare = parse_elasticache_host("my-cache.xxxxxx.cache.amazonaws.com");
  CHECK(bare.cache_name == "my-cache");
  CHECK_FALSE(bare.region);
  // Forms that do not name the group for sure, and other hosts, give nothing.
  CHECK_FALSE(parse_elasticache_host("my-rg-001.abc123.0001.use1.cache.amazonaws.com").cache_name);
  CHECK_FALSE(parse_elasticache_host("redis.example.com").cache_name);
  CHECK_FALSE(parse_elasticache_host("redis.example.com").region);
  CHECK_FALSE(parse_elasticache_host("127.0.0.1").cache_name);
}

TEST_CASE("elasticache host: short region codes") {
  CHECK(region_from_short_code("use1") == "us-east-1");
  CHECK(region_from_short_code("usw2") == "us-west-2");
  CHECK(region_from_short_code("cac1") == "ca-central-1");
  CHECK(region_from_short_code("sae1") == "sa-east-1");
  CHECK(region_from_short_code("apse1") == "ap-southeast-1");
  CHECK(region_from_short_code("mes1") == "me-south-1");
  CHECK_FALSE(region_from_short_code("use"));
  CHECK_FALSE(region_from_short_code("abc123"));
  CHECK_FALSE(region_from_short_code("ng"));
  CHECK_FALSE(region_from_short_code("usx1"));
}
