// libFuzzer target: format detection and decoding of arbitrary values, plus the text-safety
// helpers every rendering goes through.
// Invariants: auto mode never fails; every result dumps as valid JSON; detect() agrees with
// decode(); escaped text holds no control bytes; base64 and UTF-8 repair round trip.
//
// Built by tests/CMakeLists.txt (rctl_add_fuzz_target decode_detect); scripts/fuzz.sh runs it, and the
// corpus in tests/fuzz/corpus/decode_detect is replayed by every test run.

#include "decode/bytes.hpp"
#include "decode/detect.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rctl::decode;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  DecodeLimits limits;
  limits.max_inflated_bytes = 1 << 20;
  limits.pickle.max_elements = 20000;
  limits.pickle.max_output_bytes = 1 << 20;
  limits.msgpack.max_elements = 20000;
  limits.msgpack.max_key_bytes = 64 * 1024;
  limits.pickle.max_key_bytes = 64 * 1024;
  limits.json.max_elements = 20000;

  auto value = decode(bytes, Mode::auto_detect, limits);
  if (!value) std::abort();
  if (value->data.has_value() == (value->format == Format::empty)) std::abort();
  if (value->data) (void)value->data->dump();
  const Format detected = detect(bytes, limits);
  if (detected != (value->compressed ? Format::zlib : value->format)) std::abort();

  for (const Mode mode : {Mode::raw, Mode::json, Mode::pickle, Mode::msgpack, Mode::hex, Mode::base64}) {
    auto forced = decode(bytes, mode, limits);
    if (forced && forced->data) (void)forced->data->dump();
  }

  for (const char c : escape_for_terminal(bytes)) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) std::abort();
  }
  if (!is_valid_utf8(repair_utf8(bytes))) std::abort();
  if (base64_decode(base64_encode(bytes)).value() != bytes) std::abort();
  if (base64_decode(base64_encode(bytes, Base64Alphabet::url_safe, false), Base64Alphabet::url_safe).value() != bytes) {
    std::abort();
  }
  (void)base64_decode(bytes);
  (void)base64_decode(bytes, Base64Alphabet::url_safe);
  return 0;
}
