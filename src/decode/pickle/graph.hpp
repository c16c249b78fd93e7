#pragma once
// Internal to the pickle reader: the object graph the opcode interpreter builds
// (pickle/reader.cpp) and the renderer turns into JSON (pickle/render.cpp).
//
// Why a graph and not JSON directly: pickle memoizes containers *before* filling them and
// refers back to them (shared and even self-referencing values), so values need identity.
// All nodes live in one arena and refer to each other by index: no ownership cycles, no
// recursive destructors, whatever shape the input has.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
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
// beyond `size` are spares kept (with their buffers) for the next pickle (pickle::Workspace).
struct Graph {
  std::vector<Node> nodes;
  std::size_t size = 0;
};

// A growable array of Refs, for the interpreter's stack and memo: only what those use, with
// an append the compiler inlines into the opcode switch (std::vector::push_back stayed a call
// there, once or twice per opcode).
class RefBuffer {
 public:
  std::size_t size() const { return m_size; }
  std::size_t capacity() const { return m_capacity; }
  Ref* begin() { return m_data.get(); }
  Ref* end() { return m_data.get() + m_size; }
  Ref& operator[](std::size_t i) { return m_data[i]; }
  Ref& back() { return m_data[m_size - 1]; }
  [[gnu::always_inline]] void push_back(Ref r) {
    if (m_size == m_capacity) [[unlikely]] grow(m_size + 1);
    m_data[m_size++] = r;
  }
  void pop_back() { --m_size; }
  void shrink_to(std::size_t n) { m_size = std::min(n, m_size); }
  void clear() { m_size = 0; }
  void reserve(std::size_t n) {
    if (n > m_capacity) grow(n);
  }
  void swap(RefBuffer& other) noexcept {
    std::swap(m_data, other.m_data);
    std::swap(m_size, other.m_size);
    std::swap(m_capacity, other.m_capacity);
  }

 private:
  [[gnu::noinline]] void grow(std::size_t at_least) {
    const std::size_t capacity = std::max(at_least, 2 * m_capacity + 8);
    auto data = std::make_unique_for_overwrite<Ref[]>(capacity);
    std::copy_n(m_data.get(), m_size, data.get());
    m_data = std::move(data);
    m_capacity = capacity;
  }

  std::unique_ptr<Ref[]> m_data;
  std::size_t m_size = 0;
  std::size_t m_capacity = 0;
};

// The interpreter's buffers (pickle/interpreter.hpp), kept from one pickle to the next: a
// session scan reads thousands of small pickles, and allocating (then freeing) the node
// arena, stack and memo of each one, and each node's string and item buffers, cost more
// than interpreting them. reader.cpp keeps one per thread; release() bounds what it keeps.
struct Workspace {
  Graph graph;
  RefBuffer stack;
  std::vector<std::size_t> marks;  // stack positions of open MARKs
  RefBuffer memo_dense;
  std::unordered_map<std::uint64_t, Ref> memo_sparse;
  std::vector<Ref> items;  // what pop_mark took
  // Texts made by the interpreter (unescaped, decoded, qualified names...), texts[0..texts_used)
  // this pickle's; a deque, so a text's bytes stay put while more are added.
  std::deque<std::string> texts;
  std::size_t texts_used = 0;
  bool busy = false;  // an interpreter is using it
  // A node's items or a made text grew beyond what is kept (release() then looks at all).
  bool oversized = false;

  // What is kept between pickles: spare nodes, and per node and per buffer the capacity
  // worth keeping (a session's strings and containers are far below these).
  static constexpr std::size_t k_kept_nodes = 2048;
  static constexpr std::size_t k_kept_text_bytes = 128;
  static constexpr std::size_t k_kept_refs = 64;
  static constexpr std::size_t k_kept_stack = 4096;

  // Frees the buffers a large pickle left beyond the k_kept_* bounds (about 1 MB in all).
  void release();
};

}  // namespace rctl::decode::pickle
