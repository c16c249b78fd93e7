#pragma once
// Internal to the pickle reader: turns the interpreter's object graph into JSON, recognising
// the few standard types that are plain data (datetime, Decimal, UUID, ...). Conventions
// are documented in pickle/reader.hpp.

#include "decode/pickle/graph.hpp"
#include "decode/pickle/reader.hpp"

#include <string>
#include <vector>

namespace rctl::decode::pickle {

// Renders `root` within `limits` (depth, elements, output bytes). On failure returns false
// and sets `error` to a message starting "pickle: ". Never throws.
bool render(const Graph& graph, Ref root, const PickleLimits& limits, nlohmann::ordered_json& out, std::string& error);

// As render() followed by keeping only the members named in `names` when the result is a
// JSON object (in the order they first appear), but without building the other members
// when `root` is a dict that provably renders within `limits`; otherwise through render().
// Fails exactly when render() would. `tree`: no GET or DUP made the interpreter share a
// node (Interpreter::shared() false), which makes the proof a single pass over the nodes.
bool render_members(const Graph& graph, Ref root, const std::vector<std::string>& names, const PickleLimits& limits,
                    nlohmann::ordered_json& out, std::string& error, bool tree = false);

}  // namespace rctl::decode::pickle
