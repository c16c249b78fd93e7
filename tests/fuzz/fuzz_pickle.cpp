// libFuzzer target: the data-only pickle reader on arbitrary bytes.
// Invariants: never crashes, never throws, and whatever it returns dumps as valid JSON.
//
// Built by tests/CMakeLists.txt (rctl_add_fuzz_target pickle); scripts/fuzz.sh runs it, and the
// corpus in tests/fuzz/corpus/pickle is replayed by every test run.

#include "decode/pickle/reader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Small budgets keep each run fast; the code paths are those of the defaults.
  rctl::decode::PickleLimits limits;
  limits.max_elements = 20000;
  limits.max_output_bytes = 1 << 20;
  limits.max_memo = 10000;
  limits.max_stack = 10000;
  limits.max_key_bytes = 64 * 1024;
  auto result = rctl::decode::read_pickle(bytes, limits);
  if (result) {
    if (result->consumed == 0 || result->consumed > size) std::abort();
    (void)result->value.dump();  // throws (and so fails) on invalid UTF-8
  } else if (result.error().message.rfind("pickle: ", 0) != 0) {
    std::abort();
  }
  return 0;
}
