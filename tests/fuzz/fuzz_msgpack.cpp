// libFuzzer target: the bounded msgpack reader on arbitrary bytes.
// Invariants: never crashes, never throws, results dump as valid JSON, and the strict and
// lenient trailing-byte modes agree on every complete object.
//
// Built by tests/CMakeLists.txt (rctl_add_fuzz_target msgpack); scripts/fuzz.sh runs it, and the
// corpus in tests/fuzz/corpus/msgpack is replayed by every test run.

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
