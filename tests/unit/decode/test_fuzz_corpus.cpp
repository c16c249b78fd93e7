// Replays the decode fuzz corpora (tests/fuzz/corpus/{pickle,msgpack,decode_detect}) through
// the decoders in the normal test run, with the invariants the fuzz targets check.

#include "decode/bytes.hpp"
#include "decode/detect.hpp"
#include "decode/msgpack_reader.hpp"
#include "decode/pickle/reader.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace rctl::decode;

namespace {

std::vector<std::filesystem::path> corpus(const std::string& name) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(RCTL_FUZZ_CORPUS_DIR) + "/" + name)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  return files;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

TEST_CASE("fuzz corpus replay: pickle", "[decode][fuzz_corpus]") {
  const auto files = corpus("pickle");
  CHECK(files.size() >= 10);
  for (const auto& file : files) {
    INFO(file.filename().string());
    auto r = read_pickle(slurp(file));
    if (r) {
      CHECK_NOTHROW(r->value.dump());
    } else {
      CHECK(r.error().message.starts_with("pickle: "));
    }
  }
}

TEST_CASE("fuzz corpus replay: msgpack", "[decode][fuzz_corpus]") {
  const auto files = corpus("msgpack");
  CHECK(files.size() >= 10);
  for (const auto& file : files) {
    INFO(file.filename().string());
    const std::string bytes = slurp(file);
    auto strict = read_msgpack(bytes);
    auto lenient = read_msgpack(bytes, {}, Trailing::allow);
    if (strict) {
      CHECK(lenient);
      CHECK(strict->consumed == bytes.size());
      CHECK_NOTHROW(strict->value.dump());
    }
    if (lenient) CHECK_NOTHROW(lenient->value.dump());
  }
}

TEST_CASE("fuzz corpus replay: decode_detect", "[decode][fuzz_corpus]") {
  const auto files = corpus("decode_detect");
  CHECK(files.size() >= 10);
  for (const auto& file : files) {
    INFO(file.filename().string());
    const std::string bytes = slurp(file);
    auto value = decode(bytes);
    REQUIRE(value);
    CHECK(value->data.has_value() == (value->format != Format::empty));
    if (value->data) CHECK_NOTHROW(value->data->dump());
    CHECK(detect(bytes) == (value->compressed ? Format::zlib : value->format));
    for (const Mode mode : {Mode::raw, Mode::json, Mode::pickle, Mode::msgpack, Mode::hex, Mode::base64}) {
      auto forced = decode(bytes, mode);
      if (forced && forced->data) CHECK_NOTHROW(forced->data->dump());
    }
    CHECK(is_valid_utf8(repair_utf8(bytes)));
    CHECK(base64_decode(base64_encode(bytes)).value() == bytes);
  }
}
