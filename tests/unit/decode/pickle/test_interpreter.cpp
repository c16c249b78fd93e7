// The pickle interpreter's running totals (Graph::references, text_bytes, containers,
// plain_keys), which render_members() trusts in place of a pass over the nodes, against that
// pass, for every fixture and for values the fixtures lack, in one reused workspace.

#include "decode/pickle/interpreter.hpp"

#include "decode_fixtures.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace {

using namespace rctl::decode::pickle;

struct InterpreterTotals {
  std::size_t references = 0, text_bytes = 0, containers = 0;
  bool plain_keys = true;
  bool operator==(const InterpreterTotals&) const = default;
};

// What the totals must be: the pass over the nodes that render_members() used to make.
InterpreterTotals walked_totals(const Graph& graph) {
  InterpreterTotals t;
  for (std::size_t i = 3; i < graph.size; ++i) {
    const Node& node = graph.nodes[i];
    if (node.kind == Kind::dict)
      for (std::size_t k = 0; k < node.items.size(); k += 2)
        if (!plain_key_kind(graph.nodes[node.items[k]].kind)) t.plain_keys = false;
    t.references += node.items.size();
    t.text_bytes += node.text.size();
    if (!node.items.empty() || container_kind(node.kind)) ++t.containers;
  }
  return t;
}

void check_interpreter_totals(const std::string& bytes, Workspace& workspace) {
  const rctl::decode::PickleLimits limits;
  Interpreter interpreter(bytes, limits, workspace);
  Ref root = 0;
  REQUIRE(interpreter.run(root));
  const Graph& g = interpreter.graph();
  CHECK(InterpreterTotals{g.references, g.text_bytes, g.containers, g.plain_keys} == walked_totals(g));
}

}  // namespace

TEST_CASE("pickle interpreter: running totals equal a pass over the nodes", "[decode][pickle]") {
  Workspace workspace;
  std::vector<std::string> values = {
      // A tuple as a dict key (not plain), in a dict and in an object's SETITEMS.
      std::string("\x80\x02}(K\x01K\x02\x86X\x01\x00\x00\x00vu.", 17),
      std::string("\x80\x02"
                  "c__main__\nC\n)\x81}b(K\x01\x85K\x02u.",
                  26),
      // Dict items by SETITEM, list items by APPEND, a set by ADDITEMS, a frozenset.
      std::string("\x80\x04}X\x01\x00\x00\x00"
                  "aK\x01s]K\x02"
                  "a\x8f(K\x03\x90(K\x04\x91\x87.",
                  27),
  };
  for (const auto& entry : std::filesystem::directory_iterator(std::string(RCTL_TEST_DATA_DIR) + "/pickle"))
    if (entry.path().extension() == ".bin" && entry.path().filename().string().find(".p") != std::string::npos)
      values.push_back(rctl::test::read_fixture("pickle/" + entry.path().filename().string()));
  for (std::size_t i = 0; i < values.size(); ++i) {
    INFO("value " << i);
    check_interpreter_totals(values[i], workspace);
  }
}
