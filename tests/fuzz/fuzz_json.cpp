// libFuzzer target: the bounded JSON reader (decode::read_json) on arbitrary bytes.
//
// JSON values come from applications we do not control, and `cache set --json` validates
// user input with the same reader. Invariants: never crashes or throws; failures are
// protocol errors whose message starts "json: "; whatever it accepts nlohmann also accepts,
// dumps back to valid JSON, and stays within the depth limit.

#include "decode/json_reader.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_json: %s\n", what);
  std::abort();
}

std::size_t depth(const nlohmann::ordered_json& j) {
  // Recursion is bounded: the reader refused anything deeper than its limit.
  std::size_t deepest = 0;
  if (j.is_structured())
    for (const auto& child : j) deepest = std::max(deepest, depth(child));
  return j.is_structured() ? deepest + 1 : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  rctl::decode::JsonLimits limits;
  limits.max_depth = 64;
  limits.max_elements = 20000;
  auto parsed = rctl::decode::read_json(text, limits);
  if (!parsed) {
    if (parsed.error().kind != rctl::ErrorKind::protocol) fail("error kind is not protocol");
    if (!parsed.error().message.starts_with("json: ")) fail("error message does not start with 'json: '");
    return 0;
  }
  if (depth(*parsed) > limits.max_depth) fail("depth limit exceeded");
  const std::string dumped = parsed->dump();
  if (!nlohmann::json::accept(dumped)) fail("dump is not valid JSON");
  if (!nlohmann::json::accept(text)) fail("accepted what nlohmann rejects");
  return 0;
}
