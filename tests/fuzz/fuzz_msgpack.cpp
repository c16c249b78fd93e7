// libFuzzer target: the bounded msgpack reader on arbitrary bytes.
// Invariants: never crashes, never throws, results dump as valid JSON, and the strict and
// lenient trailing-byte modes agree on every complete object.
//
// Until tests/CMakeLists.txt wires it (rctl_add_fuzz_target(msgpack ...), corpus in
// tests/fuzz/corpus/msgpack), build by hand. clang 14 cannot compile libstdc++ 12's
// <expected> (no P0848 support); clang 16 can, once told its concepts are complete:
//   clang++-16 -std=c++2b -D__cpp_concepts=202002L -Wno-macro-redefined -g -O1 \
//     -fsanitize=fuzzer,address,undefined -I src -DMSGPACK_NO_BOOST -DMSGPACK_DEFAULT_API_VERSION=3 \
//     tests/fuzz/fuzz_msgpack.cpp src/decode/*.cpp src/util/error.cpp -lfmt -lz -o fuzz_msgpack
//   ./fuzz_msgpack WORK_DIR tests/fuzz/corpus/msgpack   (new inputs go to WORK_DIR, seeds stay clean)

#include "decode/msgpack_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rctl::decode;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  MsgpackLimits limits;
  limits.max_elements = 20000;
  limits.max_key_bytes = 64 * 1024;
  auto strict = read_msgpack(bytes, limits, Trailing::reject);
  auto lenient = read_msgpack(bytes, limits, Trailing::allow);
  if (strict) {
    if (!lenient || !strict->complete || strict->consumed != size) std::abort();
    (void)strict->value.dump();
  }
  if (lenient) {
    if (lenient->consumed == 0 || lenient->consumed > size) std::abort();
    if (lenient->complete != (lenient->consumed == size)) std::abort();
    (void)lenient->value.dump();
  }
  return 0;
}
