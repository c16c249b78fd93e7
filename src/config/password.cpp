#include "config/password.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

namespace rctl::config {

namespace {

constexpr std::size_t k_max_password_bytes = 64 * 1024;

void strip_line_end(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
}

// All of `fd` up to the size limit, less the line end; `what` names it in errors.
Expected<util::Secret> read_secret(int fd, const std::string& what) {
  std::string data;
  char buf[4096];
  while (data.size() <= k_max_password_bytes) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorKind::usage, fmt::format("cannot read {}: {}", what, std::strerror(errno)));
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  if (data.size() > k_max_password_bytes) return fail(ErrorKind::usage, fmt::format("{} is too large", what));
  strip_line_end(data);
  if (data.empty()) return fail(ErrorKind::usage, fmt::format("{} is empty", what));
  return util::Secret(std::move(data));
}

}  // namespace

Expected<util::Secret> read_password_file(const std::string& path, std::vector<std::string>& warnings) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(ErrorKind::usage, fmt::format("cannot read password file '{}': {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IROTH))
    warnings.push_back(
        fmt::format("password file '{}' is readable by other users "
                    "(chmod 600 it)",
                    path));
  auto secret = read_secret(fd, fmt::format("password file '{}'", path));
  ::close(fd);
  return secret;
}

Expected<util::Secret> read_password_stdin() {
  return read_secret(STDIN_FILENO, "the password on standard input (--password-file -)");
}

Expected<util::Secret> ask_password(const std::string& prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return fail(ErrorKind::usage, "--askpass needs a terminal", "use --password-file or REDISCLI_AUTH in scripts");
  termios old{};
  bool have_tty = ::tcgetattr(fd, &old) == 0;
  if (have_tty) {
    termios quiet = old;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  [[maybe_unused]] auto w = ::write(fd, prompt.data(), prompt.size());
  std::string line;
  char c;
  while (line.size() <= k_max_password_bytes) {
    auto n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    line.push_back(c);
  }
  if (have_tty) ::tcsetattr(fd, TCSAFLUSH, &old);
  [[maybe_unused]] auto w2 = ::write(fd, "\n", 1);
  ::close(fd);
  strip_line_end(line);
  return util::Secret(std::move(line));
}

}  // namespace rctl::config
