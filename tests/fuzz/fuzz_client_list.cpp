// libFuzzer target: CLIENT LIST text from a server we do not control, and the --filter
// expressions matched against it.
// Invariants: parsing never crashes; every client has an id; no value is longer than
// k_max_value_bytes; at most k_max_clients clients; the summary and the rendered document
// (JSON and tables) are built for any input; a filter parsed from the input matches or not.
//
// Built by tests/CMakeLists.txt (rctl_add_fuzz_target client_list); scripts/fuzz.sh runs it,
// and the corpus in tests/fuzz/corpus/client_list is replayed by every test run.

#include "clients/client_list.hpp"
#include "clients/clients.hpp"
#include "clients/render.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rctl::clients;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto list = parse_client_list(text, "fuzz:1");
  std::vector<Condition> conditions;
  auto newline = text.find('\n');
  if (auto c = parse_condition(text.substr(0, newline))) conditions.push_back(*c);
  (void)parse_buffer_limit(text, "pubsub");
  if (!list) return 0;
  if (list->size() > k_max_clients) std::abort();
  for (const auto& c : *list) {
    if (c.id < 0) std::abort();
    for (const auto* v : {&c.addr, &c.name, &c.user, &c.flags, &c.cmd, &c.lib_name, &c.lib_ver})
      if (v->size() > k_max_value_bytes) std::abort();
    (void)matches(c, conditions);
    (void)c.host();
  }
  NodeClients node;
  node.address = "fuzz:1";
  node.clients = *list;
  node.maxclients = 10;
  node.pubsub_limit = BufferLimit{1, 1, 0};
  auto summary = summarize({node}, conditions);
  auto doc = render_summary("redis://fuzz:1", {node}, summary, {});
  (void)doc.json.dump();
  auto plan = plan_kill({node}, conditions);
  (void)render_kill("redis://fuzz:1", plan, true, {}).json.dump();
  return 0;
}
