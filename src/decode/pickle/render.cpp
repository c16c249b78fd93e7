#include "decode/pickle/render.hpp"

#include "decode/bytes.hpp"
#include "decode/big_int.hpp"
#include "decode/json_build.hpp"
#include "decode/pickle/known.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory_resource>
#include <cmath>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace rctl::decode::pickle {

namespace {

using Json = nlohmann::ordered_json;

// One rendering pass. Recursion depth is bounded by limits.max_depth; every value rendered
// (each copy of a shared one too) counts against max_elements, and string payloads against
// max_output_bytes, so a memo "bomb" stops after a bounded amount of work.
class Renderer {
 public:
  // `memory`: where the per-node marks live (a caller's stack buffer for a small graph).
  Renderer(const Graph& graph, const PickleLimits& limits,
           std::pmr::memory_resource* memory = std::pmr::new_delete_resource())
      : m_graph(graph), m_limits(limits), m_active(graph.size, 0, memory) {}

  bool value(Ref ref, std::size_t depth, Json& out);
  // Marks `ref` as being rendered (its members are rendered on their own: render_members).
  void enter(Ref ref) { m_active[ref] = 1; }
  std::string error;

 private:
  bool fail(std::string message) {
    if (error.empty()) error = "pickle: " + std::move(message);
    return false;
  }
  bool spend(std::size_t payload_bytes) {
    m_bytes += payload_bytes;
    if (m_bytes > m_limits.max_output_bytes) {
      return fail(fmt::format("result larger than {} bytes", m_limits.max_output_bytes));
    }
    return true;
  }
  bool string(std::string_view text, Json& out) {
    if (!spend(text.size())) return false;
    out = is_valid_utf8(text) ? std::string(text) : repair_utf8(text);
    return true;
  }
  bool bytes(std::string_view raw, Json& out) {
    if (!spend(raw.size())) return false;
    out = tagged_bytes(raw);
    return true;
  }
  bool array(const std::vector<Ref>& items, std::size_t depth, Json& out);
  bool dict(const std::vector<Ref>& pairs, std::size_t depth, Json& out);
  bool key_text(Ref key, std::size_t depth, std::string& out);
  bool object(Ref ref, std::size_t depth, Json& out);
  bool container(Ref ref, std::size_t depth, Json& out);

  const Graph& m_graph;
  const PickleLimits& m_limits;
  std::pmr::vector<std::uint8_t> m_active;  // 1 while a node's children are being rendered
  std::size_t m_elements = 0;
  std::size_t m_bytes = 0;
  std::size_t m_key_bytes = 0;
};

// The JSON key of a dict key of kind str, int, bool or None; nullopt for any other kind
// (those are rendered and dumped, see Renderer::key_text).
std::optional<std::string> plain_key_text(const Node& node) {
  switch (node.kind) {
    case Kind::str: return is_valid_utf8(node.text) ? std::string(node.text) : repair_utf8(node.text);
    case Kind::integer: return std::to_string(node.integer);
    case Kind::boolean: return std::string(node.flag ? "True" : "False");
    case Kind::none: return std::string("None");
    default: return std::nullopt;
  }
}

Json float_json(double v) {
  if (std::isfinite(v)) return Json(v);
  Json out = Json::object();
  out["$float"] = std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
  return out;
}

bool Renderer::value(Ref ref, std::size_t depth, Json& out) {
  if (depth > m_limits.max_depth) return fail(fmt::format("too deep (more than {} levels)", m_limits.max_depth));
  if (++m_elements > m_limits.max_elements) {
    return fail(fmt::format("more than {} elements", m_limits.max_elements));
  }
  const Node& node = m_graph.nodes[ref];
  switch (node.kind) {
    case Kind::none: out = nullptr; return true;
    case Kind::boolean: out = node.flag; return true;
    case Kind::integer: out = node.integer; return true;
    case Kind::big_int: {
      const std::string digits = to_decimal(BigInt{node.flag, std::string(node.text)});
      return string(digits, out);
    }
    case Kind::floating: out = float_json(node.real); return true;
    case Kind::str: return string(node.text, out);
    case Kind::bytes: return bytes(node.text, out);
    case Kind::global: out = Json::object(); return string(node.text, out["$pickle"]);
    case Kind::ext:
      out = Json::object();
      out["$pickle_ext"] = node.integer;
      return true;
    default: break;
  }
  if (m_active[ref] != 0) {
    out = Json::object();
    out["$cycle"] = true;
    return true;
  }
  m_active[ref] = 1;
  const bool ok = container(ref, depth, out);
  m_active[ref] = 0;
  return ok;
}

bool Renderer::container(Ref ref, std::size_t depth, Json& out) {
  const Node& node = m_graph.nodes[ref];
  switch (node.kind) {
    case Kind::list:
    case Kind::tuple: return array(node.items, depth, out);
    case Kind::dict: return dict(node.items, depth, out);
    case Kind::set: out = Json::object(); return array(node.items, depth + 1, out["$set"]);
    case Kind::persid: out = Json::object(); return value(node.items[0], depth + 1, out["$persid"]);
    case Kind::object: return object(ref, depth, out);
    default: return fail("internal: unexpected node kind");
  }
}

bool Renderer::array(const std::vector<Ref>& items, std::size_t depth, Json& out) {
  out = Json::array();
  auto& vec = out.get_ref<Json::array_t&>();
  vec.reserve(items.size());
  for (const Ref item : items) {
    vec.emplace_back();
    if (!value(item, depth + 1, vec.back())) return false;
  }
  return true;
}

bool Renderer::dict(const std::vector<Ref>& pairs, std::size_t depth, Json& out) {
  ObjectBuilder builder(out);
  builder.reserve(pairs.size() / 2);  // bounded: the pairs exist in the graph already
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
    std::string key;
    if (!key_text(pairs[i], depth, key)) return false;
    if (!value(pairs[i + 1], depth + 1, builder.slot(std::move(key)))) return false;
  }
  return true;
}

// A dict key as a JSON object key (conventions in pickle/reader.hpp).
bool Renderer::key_text(Ref key, std::size_t depth, std::string& out) {
  const Node& node = m_graph.nodes[key];
  if (node.kind == Kind::str && !spend(node.text.size())) return false;
  if (auto plain = plain_key_text(node)) {
    out = std::move(*plain);
    return true;
  }
  if (node.kind == Kind::big_int) {
    out = to_decimal(BigInt{node.flag, std::string(node.text)});
    return spend(out.size());
  }
  Json rendered;
  if (!value(key, depth + 1, rendered)) return false;
  // The key's own parts were budgeted when they were made, so this dump stays bounded.
  out = rendered.dump(-1, ' ', false, Json::error_handler_t::replace);
  m_key_bytes += out.size();
  if (m_key_bytes > m_limits.max_key_bytes) {
    return fail(fmt::format("non-string dict keys longer than {} bytes in total", m_limits.max_key_bytes));
  }
  return spend(out.size());
}

bool Renderer::object(Ref ref, std::size_t depth, Json& out) {
  const Node& node = m_graph.nodes[ref];
  if (auto text = known_scalar(m_graph, node)) return string(*text, out);
  const std::string name = callable_name(m_graph, node);
  const auto& slots = node.items;
  const auto& args = m_graph.nodes[slots[k_slot_args]].items;
  const bool bare = slots[k_slot_kwargs] == k_no_ref && slots[k_slot_state] == k_no_ref;

  if (name == "_codecs.encode" || name == "builtins.bytes" || name == "builtins.bytearray") {
    if (auto raw = raw_bytes(m_graph, ref)) {
      return bytes(*raw, out);
    }
  }
  if ((name == "builtins.set" || name == "builtins.frozenset") && bare && args.size() <= 1 &&
      slots[k_slot_listitems] == k_no_ref && slots[k_slot_dictitems] == k_no_ref) {
    out = Json::object();
    if (args.empty()) return array({}, depth + 1, out["$set"]);
    const Node& items = m_graph.nodes[args[0]];
    if (items.kind == Kind::list || items.kind == Kind::tuple || items.kind == Kind::set) {
      return array(items.items, depth + 1, out["$set"]);
    }
  }
  if ((name == "collections.OrderedDict" || name == "collections.defaultdict") && bare &&
      slots[k_slot_listitems] == k_no_ref && args.size() <= 1) {
    if (slots[k_slot_dictitems] == k_no_ref) {
      out = Json::object();
      return true;
    }
    return dict(m_graph.nodes[slots[k_slot_dictitems]].items, depth, out);
  }
  if (auto zoned = datetime_with_unknown_zone(m_graph, node)) {
    out = Json::object();
    if (!string(name, out["$pickle"]) || !string(zoned->naive, out["value"])) return false;
    return value(zoned->tzinfo, depth + 1, out["tzinfo"]);
  }

  // Anything else: a marker naming what would have been called, with its inputs.
  out = Json::object();
  if (!string(name.empty() ? "?" : name, out["$pickle"])) return false;
  if (name.empty() && !value(slots[k_slot_callable], depth + 1, out["callable"])) return false;
  if (!array(args, depth + 1, out["args"])) return false;
  if (slots[k_slot_kwargs] != k_no_ref && !value(slots[k_slot_kwargs], depth + 1, out["kwargs"])) return false;
  if (slots[k_slot_state] != k_no_ref && !value(slots[k_slot_state], depth + 1, out["state"])) return false;
  if (slots[k_slot_listitems] != k_no_ref &&
      !array(m_graph.nodes[slots[k_slot_listitems]].items, depth + 1, out["listitems"])) {
    return false;
  }
  if (slots[k_slot_dictitems] != k_no_ref &&
      !dict(m_graph.nodes[slots[k_slot_dictitems]].items, depth + 1, out["dictitems"])) {
    return false;
  }
  return true;
}

// Upper bounds of what rendering a node costs (Renderer: every value() call is on a child
// reference, a child's depth is at most its parent's + 2, and no node's own output exceeds
// 3 bytes per byte of its text + 64: big ints in decimal, datetimes, names joined by dots).
struct RenderCost {
  std::size_t elements = 0;
  std::size_t bytes = 0;
  std::size_t depth = 0;  // levels below the node
};

class RenderBound {
 public:
  RenderBound(const Graph& graph, const PickleLimits& limits)
      : m_graph(graph), m_limits(limits), m_state(graph.size, 0), m_cost(graph.size) {}

  // False when the bound could not be found (a cycle; a dict key rendered by dumping a
  // value, whose text has its own budget; deeper than the depth limit).
  bool of(Ref ref, std::size_t level, RenderCost& out) {
    if (level > m_limits.max_depth || m_state[ref] == 1) return false;
    if (m_state[ref] == 2) {
      out = m_cost[ref];
      return true;
    }
    const Node& node = m_graph.nodes[ref];
    RenderCost cost{1, saturated(3 * node.text.size(), 64), 0};
    m_state[ref] = 1;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const Ref child = node.items[i];
      if (child == k_no_ref) continue;
      if (node.kind == Kind::dict && i % 2 == 0 && !plain_key_kind(m_graph.nodes[child].kind)) return false;
      RenderCost below;
      if (!of(child, level + 1, below)) return false;
      cost.elements = saturated(cost.elements, below.elements);
      cost.bytes = saturated(cost.bytes, below.bytes);
      cost.depth = std::max(cost.depth, below.depth + 2);
    }
    m_state[ref] = 2;
    m_cost[ref] = cost;
    out = cost;
    return true;
  }

 private:
  // Sums stop growing far below overflow (shared values expand exponentially).
  static std::size_t saturated(std::size_t a, std::size_t b) {
    constexpr std::size_t cap = std::size_t{1} << 60;
    return std::min(cap, std::min(a, cap) + std::min(b, cap));
  }

  const Graph& m_graph;
  const PickleLimits& m_limits;
  std::vector<std::uint8_t> m_state;  // 0 not seen, 1 on the current path, 2 done
  std::vector<RenderCost> m_cost;
};

// The same bound for a tree (no node referenced twice but the None/True/False leaves), from
// the graph's totals over all its nodes: every value() call is on one reference (or the
// root), a path through the tree meets each container once.
bool tree_renders_within(const Graph& graph, const PickleLimits& limits) {
  if (!graph.plain_keys) return false;
  const std::size_t references = 1 + graph.references;
  // Sizes are bounded by the input (64 MB) and the element limit, so none of this overflows.
  return 1 + 2 * graph.containers <= limits.max_depth && references <= limits.max_elements &&
         3 * graph.text_bytes + 64 * references <= limits.max_output_bytes;
}

// Whether render(graph, root) is sure to succeed. `tree`: Interpreter::shared() was false.
bool render_cannot_fail(const Graph& graph, Ref root, const PickleLimits& limits, bool tree) {
  if (tree) return tree_renders_within(graph, limits);
  RenderCost cost;
  if (!RenderBound(graph, limits).of(root, 1, cost)) return false;
  return 1 + cost.depth <= limits.max_depth && cost.elements <= limits.max_elements &&
         cost.bytes <= limits.max_output_bytes;
}

}  // namespace

bool render_members(const Graph& graph, Ref root, const std::vector<std::string>& names, const PickleLimits& limits,
                    Json& out, std::string& error, bool tree) {
  if (graph.nodes[root].kind != Kind::dict || !render_cannot_fail(graph, root, limits, tree)) {
    if (!render(graph, root, limits, out, error)) return false;
    if (out.is_object()) {
      Json kept = Json::object();
      for (auto& [key, value] : out.items())
        if (std::find(names.begin(), names.end(), key) != names.end()) kept[key] = std::move(value);
      out = std::move(kept);
    }
    return true;
  }
  // Each name's last value (a later equal key overwrites an earlier one) at its first
  // position, as the whole dict's rendering (ObjectBuilder) would have it.
  const auto& pairs = graph.nodes[root].items;
  // The bookkeeping below on the stack for a session-sized value (this runs for every
  // session of a scan), on the heap beyond that.
  std::array<std::byte, 2048> stack_buffer;
  std::pmr::monotonic_buffer_resource memory(stack_buffer.data(), stack_buffer.size());
  std::pmr::vector<std::size_t> found(&memory);  // name indexes, in first position order
  std::pmr::vector<Ref> last(names.size(), k_no_ref, &memory);
  std::optional<std::string> built;
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
    // The key's text as plain_key_text() has it, built only when it differs from the
    // node's bytes (this runs for every member of every session of a scan).
    const Node& key_node = graph.nodes[pairs[i]];
    std::string_view key;
    if (key_node.kind == Kind::str && is_valid_utf8(key_node.text)) {
      key = key_node.text;
    } else {
      built = plain_key_text(key_node);
      if (!built) continue;
      key = *built;
    }
    auto it = std::find(names.begin(), names.end(), key);
    if (it == names.end()) continue;
    const auto n = static_cast<std::size_t>(it - names.begin());
    if (last[n] == k_no_ref) found.push_back(n);
    last[n] = pairs[i + 1];
  }
  out = Json::object();
  Renderer renderer(graph, limits, &memory);
  renderer.enter(root);
  for (const std::size_t n : found) {
    if (!renderer.value(last[n], 2, out[names[n]])) {
      error = renderer.error;
      out = nullptr;
      return false;
    }
  }
  return true;
}

bool render(const Graph& graph, Ref root, const PickleLimits& limits, Json& out, std::string& error) {
  Renderer renderer(graph, limits);
  if (renderer.value(root, 1, out)) return true;
  error = renderer.error;
  out = nullptr;
  return false;
}

}  // namespace rctl::decode::pickle
