#include "config/password_command.hpp"

#include "util/interrupt.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace rctl::config {

namespace {

// Closes a descriptor on every path out.
struct PasswordCommandFd {
  int fd = -1;
  ~PasswordCommandFd() {
    if (fd >= 0) ::close(fd);
  }
};

// Waits for `pid` and returns its wait status; after a kill this returns at once.
int reap_password_command(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Kills the helper and reaps it, so that no process outlives the failure.
void kill_password_command(pid_t pid) {
  ::kill(pid, SIGKILL);
  reap_password_command(pid);
}

}  // namespace

Expected<util::Secret> run_password_command(const std::string& command, const std::string& what, util::Millis timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return fail(ErrorKind::internal, fmt::format("{}: cannot create a pipe: {}", what, std::strerror(errno)));
  PasswordCommandFd read_end{fds[0]}, write_end{fds[1]};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.fd, STDOUT_FILENO);
  // The helper stays in rctl's process group: a helper that asks on the terminal (pinentry)
  // can read it, and Ctrl-C reaches it as it reaches rctl.
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, "/bin/sh", &actions, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return fail(ErrorKind::auth, fmt::format("{}: cannot run /bin/sh: {}", what, std::strerror(rc)));
  ::close(write_end.fd);
  write_end.fd = -1;

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  char buf[4096];
  for (;;) {
    if (util::interrupted()) {
      kill_password_command(pid);
      util::wipe(out);
      return fail(ErrorKind::interrupted, fmt::format("{}: interrupted", what));
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill_password_command(pid);
      util::wipe(out);
      return fail(ErrorKind::auth, fmt::format("{} did not finish within {}", what, util::format_duration(timeout)),
                  what.find("password-command") != std::string::npos
                      ? "set RCTL_PASSWORD_COMMAND_TIMEOUT for a slower helper"
                      : "");
    }
    // Short polls so that Ctrl-C is noticed even while the helper is silent.
    pollfd p{read_end.fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 100)));
    if (ready < 0 && errno != EINTR) {
      kill_password_command(pid);
      return fail(ErrorKind::internal, fmt::format("{}: poll failed: {}", what, std::strerror(errno)));
    }
    if (ready <= 0) continue;
    auto n = ::read(read_end.fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;  // end of output (or a read error: the exit status decides)
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > k_max_password_command_bytes) {
      kill_password_command(pid);
      util::wipe(out);
      return fail(ErrorKind::auth,
                  fmt::format("{} printed more than {} KiB", what, k_max_password_command_bytes / 1024));
    }
  }
  // Output closed: the helper is ending; its exit status decides. A helper that closes its
  // output and lingers is still bound by the deadline.
  int status = 0;
  for (;;) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline || util::interrupted()) {
      kill_password_command(pid);
      util::wipe(out);
      return fail(ErrorKind::auth, fmt::format("{} did not finish within {}", what, util::format_duration(timeout)));
    }
    util::sleep_interruptible(10);
  }
  if (WIFSIGNALED(status)) {
    util::wipe(out);
    return fail(ErrorKind::auth, fmt::format("{} was killed by signal {}", what, WTERMSIG(status)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    util::wipe(out);
    return fail(ErrorKind::auth, fmt::format("{} exited with status {}", what, WEXITSTATUS(status)),
                WEXITSTATUS(status) == 127 ? "the shell could not find the command" : "");
  }
  // One trailing newline is the helper's line end, not part of the password.
  if (out.ends_with('\n')) {
    out.pop_back();
    if (out.ends_with('\r')) out.pop_back();
  }
  if (out.empty()) return fail(ErrorKind::auth, fmt::format("{} printed nothing", what));
  return util::Secret(std::move(out));
}

}  // namespace rctl::config
