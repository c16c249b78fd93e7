// libFuzzer target: the data-only pickle reader on arbitrary bytes.
// Invariants: never crashes, never throws, and whatever it returns dumps as valid JSON.
//
// Until tests/CMakeLists.txt wires it (rctl_add_fuzz_target(pickle ...), corpus in
// tests/fuzz/corpus/pickle), build by hand. clang 14 cannot compile libstdc++ 12's
// <expected> (no P0848 support); clang 16 can, once told its concepts are complete:
//   clang++-16 -std=c++2b -D__cpp_concepts=202002L -Wno-macro-redefined -g -O1 \
//     -fsanitize=fuzzer,address,undefined -I src -DMSGPACK_NO_BOOST -DMSGPACK_DEFAULT_API_VERSION=3 \
//     tests/fuzz/fuzz_pickle.cpp src/decode/*.cpp src/util/error.cpp -lfmt -lz -o fuzz_pickle
//   ./fuzz_pickle WORK_DIR tests/fuzz/corpus/pickle   (new inputs go to WORK_DIR, seeds stay clean)

#include "decode/pickle_reader.hpp"

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
