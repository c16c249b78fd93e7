// libFuzzer target: Sidekiq's payload reader (job::sidekiq::decode_job) and the payload
// rewrite of `job retry` (requeue_payload) on arbitrary bytes.
//
// Queue lists and the retry/dead/schedule sets hold whatever any client pushed. Invariants:
// never crashes or throws; a payload either reads as an object or says why (`problem`); the
// stored bytes are kept as they were (they are the member ZREM/LREM must name); a rewritten
// payload reads back with the same jid and the new enqueued_at.

#include "job/sidekiq/job.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_sidekiq_job: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto j = rctl::job::sidekiq::decode_job(text);
  if (j.raw != text) fail("the stored bytes changed");
  if (!j.valid) {
    if (j.problem.empty()) fail("invalid payload without a reason");
    return 0;
  }
  if (!j.payload.is_object()) fail("a valid payload that is not an object");
  (void)rctl::job::sidekiq::matches_filter(j, "x");
  const auto back = rctl::job::sidekiq::decode_job(rctl::job::sidekiq::requeue_payload(j.payload, 1.5, true));
  if (!back.valid || back.jid != j.jid || back.enqueued_at != 1.5) fail("the rewritten payload reads differently");
  return 0;
}
