#include "client/server_error.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace rctl;
using client::ServerErrorKind;

namespace {

struct Case {
  const char* text;
  ServerErrorKind kind;
};

// Error replies as Redis 5-7 send them (without the leading '-').
const Case k_cases[] = {
    {"ERR wrong number of arguments for 'get' command", ServerErrorKind::generic},
    {"ERR syntax error", ServerErrorKind::generic},
    {"", ServerErrorKind::generic},
    {"SOMENEWCODE from a future server", ServerErrorKind::generic},
    {"BUSYKEY Target key name already exists.", ServerErrorKind::generic},
    {"BUSYGROUP Consumer Group name already exists", ServerErrorKind::generic},
    {"NOREPLICAS Not enough good replicas to write.", ServerErrorKind::generic},
    {"moved 3999 127.0.0.1:6381", ServerErrorKind::generic},
    {"ERR unknown command 'FOO', with args beginning with: ", ServerErrorKind::unknown_command},
    {"ERR unknown command `CONFIG`, with args beginning with: `GET`, `maxmemory`, ", ServerErrorKind::unknown_command},
    {"ERR unknown subcommand 'foo'. Try CLIENT HELP.", ServerErrorKind::unknown_command},
    {"WRONGTYPE Operation against a key holding the wrong kind of value", ServerErrorKind::wrong_type},
    {"NOAUTH Authentication required.", ServerErrorKind::no_auth},
    {"NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> "
     "AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol "
     "version at the same time",
     ServerErrorKind::no_auth},
    {"WRONGPASS invalid username-password pair or user is disabled.", ServerErrorKind::wrong_pass},
    {"WRONGPASS invalid username-password pair", ServerErrorKind::wrong_pass},
    {"ERR invalid password", ServerErrorKind::wrong_pass},
    {"ERR invalid username-password pair", ServerErrorKind::wrong_pass},
    {"ERR AUTH <password> called without any password configured for the default user. Are you sure "
     "your configuration is correct?",
     ServerErrorKind::wrong_pass},
    {"ERR Client sent AUTH, but no password is set", ServerErrorKind::wrong_pass},
    {"NOPERM this user has no permissions to run the 'eval' command", ServerErrorKind::no_perm},
    {"NOPERM User default has no permissions to run the 'config|get' command", ServerErrorKind::no_perm},
    {"NOPERM this user has no permissions to access one of the keys used as arguments", ServerErrorKind::no_perm},
    {"NOPROTO unsupported protocol version", ServerErrorKind::no_proto},
    {"MOVED 3999 127.0.0.1:6381", ServerErrorKind::moved},
    {"ASK 3999 127.0.0.1:6381", ServerErrorKind::ask},
    {"TRYAGAIN Multiple keys request during rehashing of slot", ServerErrorKind::try_again},
    {"CLUSTERDOWN The cluster is down", ServerErrorKind::cluster_down},
    {"CLUSTERDOWN Hash slot not served", ServerErrorKind::cluster_down},
    {"CROSSSLOT Keys in request don't hash to the same slot", ServerErrorKind::cross_slot},
    {"LOADING Redis is loading the dataset in memory", ServerErrorKind::loading},
    {"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", ServerErrorKind::busy},
    {"READONLY You can't write against a read only replica.", ServerErrorKind::read_only},
    {"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", ServerErrorKind::master_down},
    {"OOM command not allowed when used memory > 'maxmemory'.", ServerErrorKind::oom},
    {"NOSCRIPT No matching script. Please use EVAL.", ServerErrorKind::no_script},
    {"EXECABORT Transaction discarded because of previous errors.", ServerErrorKind::exec_abort},
    {"NOAUTH", ServerErrorKind::no_auth},  // a bare code
};

}  // namespace

TEST_CASE("client server_error: classify real error replies") {
  std::set<ServerErrorKind> seen;
  for (const auto& c : k_cases) {
    INFO("reply: " << c.text);
    CHECK(client::classify(c.text) == c.kind);
    seen.insert(c.kind);
  }
  // Every kind has at least one case above.
  CHECK(seen.size() == static_cast<std::size_t>(ServerErrorKind::exec_abort) + 1);
}

TEST_CASE("client server_error: refusals are unknown commands and ACL denials only") {
  for (const auto& c : k_cases) {
    INFO("reply: " << c.text);
    bool refusal = c.kind == ServerErrorKind::unknown_command || c.kind == ServerErrorKind::no_perm;
    CHECK(client::is_refusal(client::classify(c.text)) == refusal);
  }
}

TEST_CASE("client server_error: to_error maps to auth, permission or server") {
  struct Expect {
    const char* text;
    ErrorKind kind;
    const char* hint_fragment;  // empty: no hint
  };
  const Expect cases[] = {
      {"NOAUTH Authentication required.", ErrorKind::auth, "--password-file"},
      {"WRONGPASS invalid username-password pair or user is disabled.", ErrorKind::auth, "user name and password"},
      {"ERR invalid password", ErrorKind::auth, "user name and password"},
      {"NOPERM this user has no permissions to run the 'eval' command", ErrorKind::permission, "ACL"},
      {"ERR unknown command 'FOO', with args beginning with: ", ErrorKind::server, ""},
      {"WRONGTYPE Operation against a key holding the wrong kind of value", ErrorKind::server, ""},
      {"MOVED 3999 127.0.0.1:6381", ErrorKind::server, ""},
      {"LOADING Redis is loading the dataset in memory", ErrorKind::server, ""},
      {"OOM command not allowed when used memory > 'maxmemory'.", ErrorKind::server, ""},
      {"BUSYKEY Target key name already exists.", ErrorKind::server, ""},
  };
  for (const auto& c : cases) {
    INFO("reply: " << c.text);
    auto e = client::to_error(c.text, "GET user:1");
    CHECK(e.kind == c.kind);
    CHECK(e.message == std::string("GET user:1: ") + c.text);
    if (*c.hint_fragment) CHECK_THAT(e.hint, Catch::Contains(c.hint_fragment));
    else CHECK(e.hint.empty());
  }
}

TEST_CASE("client server_error: refusal_error names the ACL grant or the provider") {
  auto perm =
      client::refusal_error("NOPERM User ops has no permissions to run the 'slowlog|get' command", "SLOWLOG GET");
  CHECK(perm.kind == ErrorKind::permission);
  CHECK(perm.hint.find("+slowlog|get") != std::string::npos);
  auto gone = client::refusal_error("ERR unknown command 'CLIENT', with args beginning with: 'LIST' ", "CLIENT LIST");
  CHECK(gone.hint.find("disabled or renamed") != std::string::npos);
  auto other = client::refusal_error("ERR something else", "CLIENT LIST");
  CHECK(other.hint.find("ACL SETUSER") == std::string::npos);
}
