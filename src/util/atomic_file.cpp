#include "util/atomic_file.hpp"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace rctl::util {

namespace {

Error file_error(const std::string& what, const std::string& path, int error_number) {
  return {ErrorKind::internal, fmt::format("{} {}: {}", what, path, std::strerror(error_number)),
          "check that the directory exists and is writable"};
}

mode_t creation_mode() {
  mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

}  // namespace

Expected<void> write_file_atomically(const std::string& path, std::string_view content) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? std::string(".") : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  // A leading dot keeps the collector (which reads only *.prom) away from the partial file.
  std::string pattern = (slash == std::string::npos ? std::string() : dir) + "." + base + ".XXXXXX";
  std::vector<char> temp(pattern.begin(), pattern.end());
  temp.push_back('\0');
  int fd = mkstemp(temp.data());
  if (fd < 0) return std::unexpected(file_error("cannot create a temporary file next to", path, errno));
  const std::string temp_path(temp.data());
  auto fail = [&](const char* what) {
    int saved = errno;
    close(fd);
    unlink(temp_path.c_str());
    return std::unexpected(file_error(what, path, saved));
  };
  for (std::size_t done = 0; done < content.size();) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    done += static_cast<std::size_t>(n);
  }
  if (fchmod(fd, creation_mode()) != 0) return fail("cannot set the mode of");
  if (fsync(fd) != 0) return fail("cannot write");
  if (close(fd) != 0) {
    int saved = errno;
    unlink(temp_path.c_str());
    return std::unexpected(file_error("cannot write", path, saved));
  }
  if (rename(temp_path.c_str(), path.c_str()) != 0) {
    int saved = errno;
    unlink(temp_path.c_str());
    return std::unexpected(file_error("cannot replace", path, saved));
  }
  return {};
}

}  // namespace rctl::util
