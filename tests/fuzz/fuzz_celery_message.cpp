// libFuzzer target: Celery's message decoder (job::celery::decode_message) on arbitrary bytes.
//
// Queue lists hold whatever any producer pushed. Invariants: never crashes or throws; a
// message either decodes or says why (`problem`); a decoded body is [args, kwargs] of the
// right types; an undecoded one never claims arguments.

#include "job/celery/message.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_celery_message: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto m = rctl::job::celery::decode_message(text);
  if (m.body_decoded) {
    if (!m.valid) fail("decoded a body of an invalid message");
    if (!m.args.is_array() || !m.kwargs.is_object()) fail("decoded arguments of the wrong type");
    if (!m.problem.empty()) fail("decoded body with a problem");
  } else if (m.problem.empty()) {
    fail("undecoded message without a reason");
  }
  (void)rctl::job::celery::binding_queue(text);
  return 0;
}
