#pragma once
// Internal to the pickle reader: the object graph the opcode interpreter builds
// (pickle/reader.cpp) and the renderer turns into JSON (pickle/render.cpp).
//
// Why a graph and not JSON directly: pickle memoizes containers *before* filling them and
// refers back to them (shared and even self-referencing values), so values need identity.
// All nodes live in one arena and refer to each other by index: no ownership cycles, no
// recursive destructors, whatever shape the input has.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::decode::pickle {

// Index of a node in Graph::nodes.
using Ref = std::uint32_t;

// Marks an absent optional child (object kwargs/state/...).
inline constexpr Ref k_no_ref = UINT32_MAX;

// Preallocated shared nodes, so the commonest values cost no allocation.
inline constexpr Ref k_none_ref = 0;
inline constexpr Ref k_false_ref = 1;
inline constexpr Ref k_true_ref = 2;

enum class Kind : std::uint8_t {
  none,
  boolean,  // flag
  integer,  // integer
  big_int,  // flag = negative, text = little-endian magnitude (see big_int.hpp)
  floating,  // real
  str,  // text: UTF-8 as pickled (may be invalid; repaired when rendered)
  bytes,  // text: raw bytes; flag = bytearray
  list,  // items
  tuple,  // items
  dict,  // items: key0, value0, key1, value1, ...
  set,  // items; flag = frozenset
  global,  // text: "module.name" (Python 2 module names mapped to Python 3)
  object,  // items: the k_slot_* children below; the result of REDUCE/NEWOBJ/INST/OBJ
  persid,  // items[0]: the persistent id
  ext,  // integer: extension registry code
};

// Children of an object node, by position in Node::items.
inline constexpr std::size_t k_slot_callable = 0;  // usually a global
inline constexpr std::size_t k_slot_args = 1;  // a tuple (or list) node
inline constexpr std::size_t k_slot_kwargs = 2;  // NEWOBJ_EX keyword arguments, or k_no_ref
inline constexpr std::size_t k_slot_state = 3;  // BUILD state, or k_no_ref
inline constexpr std::size_t k_slot_listitems = 4;  // list node filled by APPEND(S)/ADDITEMS, or k_no_ref
inline constexpr std::size_t k_slot_dictitems = 5;  // dict node filled by SETITEM(S), or k_no_ref
inline constexpr std::size_t k_object_slots = 6;

// One value. Which fields mean something depends on `kind` (see Kind).
struct Node {
  Kind kind = Kind::none;
  bool flag = false;
  std::int64_t integer = 0;
  double real = 0;
  // Into the pickle's own bytes when the opcode carries the text as it is (most strings),
  // else into Workspace::texts; valid while the interpreter's input and workspace are.
  std::string_view text;
  std::vector<Ref> items;
};

// The arena. nodes[0..2] are None, False, True; nodes[0..size) are the value's. Any nodes
// beyond `size` are spares kept (with their buffers) for the next pickle (pickle/workspace.hpp).
struct Graph {
  std::vector<Node> nodes;
  std::size_t size = 0;
  // Running totals over nodes[3..size), kept by the interpreter as it fills them in, for the
  // bound render_members() checks (pickle/render.cpp) without a pass over the nodes.
  std::size_t references = 0;  // items, all nodes together
  std::size_t text_bytes = 0;  // text, all nodes together
  std::size_t containers = 0;  // nodes of a kind that holds items
  bool plain_keys = true;  // every dict key is of a plain_key_kind()
};

// Whether a node of this kind holds items.
inline bool container_kind(Kind kind) {
  return kind == Kind::dict || kind == Kind::list || kind == Kind::tuple || kind == Kind::set || kind == Kind::object ||
         kind == Kind::persid;
}

// Whether a dict key of this kind renders as its plain text (render.cpp's plain_key_text()).
inline bool plain_key_kind(Kind kind) {
  return kind == Kind::str || kind == Kind::integer || kind == Kind::boolean || kind == Kind::none;
}

}  // namespace rctl::decode::pickle
