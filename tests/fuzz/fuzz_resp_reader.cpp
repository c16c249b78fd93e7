// libFuzzer target for the RESP reader, the first code to see every byte a server sends.
//
// Input: the first byte picks how the rest is fed (whole, byte by byte, or chunks of
// 1..64 bytes), then up to k_max_values values are drained. The reader has small limits so
// that findings are parser bugs, not out-of-memory reports. Besides crashes and sanitizer
// reports, the harness aborts when a split feed gives a different result from the whole
// input, when a protocol error is not permanent, or when debug_string() is unbounded.
//
// Deliberately independent of util/error.hpp: clang 14 cannot compile std::expected.

#include "resp/reader.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace rctl::resp;

constexpr std::size_t k_max_values = 64;
constexpr std::size_t k_max_chunk = 64;
constexpr std::size_t k_max_debug_string = 2048;  // debug_string promises a bounded line

ReaderLimits fuzz_limits() {
  ReaderLimits limits;
  limits.max_depth = 64;
  limits.max_elements = 1024;
  limits.max_bulk_length = 1024 * 1024;
  return limits;
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_resp_reader: %s\n", what);
  std::abort();
}

// Deep equality, NaNs included (from_chars gives the same NaN for the same text).
// Recursion is bounded by the reader's max_depth.
bool same(const Value& a, const Value& b) {
  if (a.type != b.type || a.str != b.str || a.format != b.format || a.integer != b.integer) return false;
  const bool nans = std::isnan(a.number) && std::isnan(b.number);
  if (!nans && a.number != b.number) return false;
  if (a.elements.size() != b.elements.size()) return false;
  for (std::size_t i = 0; i < a.elements.size(); ++i) {
    if (!same(a.elements[i], b.elements[i])) return false;
  }
  return true;
}

struct Run {
  std::vector<Value> values;
  bool failed = false;
  std::string error;
};

void drain(Reader& reader, Run& run) {
  while (run.values.size() < k_max_values) {
    auto result = reader.next();
    if (auto* value = std::get_if<Value>(&result)) {
      const std::string shown = debug_string(*value);
      if (shown.size() > k_max_debug_string || shown.find('\n') != std::string::npos) fail("debug_string unbounded");
      run.values.push_back(std::move(*value));
    } else if (auto* error = std::get_if<ProtocolError>(&result)) {
      if (!reader.failed()) fail("error but failed() is false");
      auto again = reader.next();
      const auto* same_error = std::get_if<ProtocolError>(&again);
      if (same_error == nullptr || same_error->message != error->message) fail("protocol error not permanent");
      run.failed = true;
      run.error = error->message;
      return;
    } else {
      return;
    }
  }
}

Run feed_in_chunks(std::string_view input, std::size_t chunk) {
  Reader reader(fuzz_limits());
  Run run;
  for (std::size_t at = 0; at < input.size() && !run.failed && run.values.size() < k_max_values; at += chunk) {
    reader.feed(input.substr(at, chunk));
    drain(reader, run);
  }
  if (reader.buffered() > input.size()) fail("buffered() exceeds the bytes fed");
  return run;
}

bool same_run(const Run& a, const Run& b) {
  if (a.failed != b.failed || a.error != b.error || a.values.size() != b.values.size()) return false;
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    if (!same(a.values[i], b.values[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t whole = input.empty() ? 1 : input.size();

  std::size_t chunk = whole;
  if (mode % 3 == 1) chunk = 1;
  if (mode % 3 == 2) chunk = 1 + (mode / 3) % k_max_chunk;

  const Run run = feed_in_chunks(input, chunk);
  if (chunk != whole && !same_run(run, feed_in_chunks(input, whole))) fail("result depends on how the input was split");
  return 0;
}
