#pragma once
// Helpers shared by the decode tests: reading committed fixture files.

#include <cstddef>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace rctl::test {

// Bytes of tests/data/<relative>; throws (failing the test) if the file is missing.
inline std::string read_fixture(const std::string& relative) {
  const std::string path = std::string(RCTL_TEST_DATA_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A byte string from a literal that may contain NULs: bytes_of("a\0b").
template <std::size_t N>
std::string bytes_of(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

}  // namespace rctl::test
