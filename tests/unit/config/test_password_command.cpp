#include "config/password_command.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl;
using config::run_password_command;

namespace {

std::string helper_password_of(const std::string& command) {
  auto s = run_password_command(command, "--password-command");
  if (!s) FAIL("unexpected error: " << s.error().message);
  return s->reveal();
}

Error helper_error_of(const std::string& command, util::Millis timeout = config::k_password_command_timeout) {
  auto s = run_password_command(command, "--password-command", timeout);
  REQUIRE_FALSE(s);
  return s.error();
}

}  // namespace

TEST_CASE("password command: stdout less one trailing newline is the password") {
  CHECK(helper_password_of("printf 's3cret\\n'") == "s3cret");
  CHECK(helper_password_of("printf 's3cret'") == "s3cret");
  CHECK(helper_password_of("printf 's3cret\\r\\n'") == "s3cret");
  // Only one line end is the helper's; what is left belongs to the password.
  CHECK(helper_password_of("printf 'a b\\n\\n'") == "a b\n");
  CHECK(helper_password_of("printf ' x\\r'") == " x\r");
  // Standard error is not the password, and standard input is empty.
  CHECK(helper_password_of("echo noise >&2; cat; echo pw") == "pw");
}

TEST_CASE("password command: failures are auth errors that never show the output") {
  auto e = helper_error_of("echo leaked-secret; exit 3");
  CHECK(e.kind == ErrorKind::auth);
  CHECK(e.message == "--password-command exited with status 3");
  e = helper_error_of("no-such-helper-rctl-test 2>/dev/null");
  CHECK(e.message == "--password-command exited with status 127");
  CHECK(e.hint == "the shell could not find the command");
  e = helper_error_of("echo leaked-secret; kill -9 $$");
  CHECK(e.message == "--password-command was killed by signal 9");
  CHECK(helper_error_of("true").message == "--password-command printed nothing");
  CHECK(helper_error_of("echo").message == "--password-command printed nothing");
}

TEST_CASE("password command: output bound at the limit and one byte past it") {
  const auto limit = std::to_string(config::k_max_password_command_bytes);
  CHECK(helper_password_of("head -c " + limit + " /dev/zero | tr '\\0' x").size() ==
        config::k_max_password_command_bytes);
  auto e = helper_error_of("head -c " + std::to_string(config::k_max_password_command_bytes + 1) +
                           " /dev/zero | tr '\\0' x");
  CHECK(e.kind == ErrorKind::auth);
  CHECK(e.message == "--password-command printed more than 64 KiB");
  // An endless helper is stopped by the bound, not by the deadline.
  CHECK(helper_error_of("yes").message == "--password-command printed more than 64 KiB");
}

TEST_CASE("password command: a helper past its deadline is killed") {
  auto e = helper_error_of("exec sleep 30", util::Millis{200});
  CHECK(e.kind == ErrorKind::auth);
  CHECK(e.message == "--password-command did not finish within 200ms");
  // Closing the output does not end the wait: the exit status is still needed.
  e = helper_error_of("echo pw; exec >&-; exec sleep 30", util::Millis{200});
  CHECK(e.message == "--password-command did not finish within 200ms");
}
