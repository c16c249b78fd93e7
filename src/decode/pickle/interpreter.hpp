#pragma once
// Internal to the pickle reader: the opcode interpreter. It builds a pickle::Graph and
// never recurses, resolves or calls anything, whatever the input.

#include "decode/big_int.hpp"
#include "decode/pickle/graph.hpp"
#include "decode/pickle/opcodes.hpp"
#include "decode/pickle/reader.hpp"
#include "decode/pickle/text.hpp"
#include "decode/pickle/workspace.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <span>
#include <vector>

#include <fmt/format.h>

// The interpreter's small steps (read a byte, push a value...), inlined into its one switch:
// called separately they cost more than they do (a scan interprets every session's pickle).
#define RCTL_PICKLE_HOT [[gnu::always_inline]] inline

namespace rctl::decode::pickle {

using decode::BigInt;

// One interpretation of one pickle. Every step returns false on the first error, which is
// kept in m_error; nothing here recurses, whatever the input.
class Interpreter {
 public:
  // Prepares to interpret `input` under `limits` (which must outlive the interpreter), in
  // `workspace`'s buffers (cleared here; the graph stays there after the interpreter).
  Interpreter(std::string_view input, const PickleLimits& limits, Workspace& workspace);

  // Runs to STOP. Returns false on the first error (see error()); else sets `root`.
  bool run(Ref& root);

  // The graph built so far; after run() succeeded, `root` indexes the result in it.
  const Graph& graph() const { return m_graph; }
  // The first error ("pickle: ..."), empty if none.
  const std::string& error() const { return m_error; }
  // Input bytes read, up to and including STOP after a successful run().
  std::size_t consumed() const { return m_pos; }
  // The protocol named by the first PROTO opcode, 0 if none.
  int protocol() const { return m_protocol; }
  // False while the graph is a tree but for the shared None/True/False nodes: no GET or DUP
  // has put a node on the stack a second time.
  bool shared() const { return m_shared; }

 private:
  // Records the first error; always returns false so callers can `return error(...)`.
  bool error(std::string message) {
    if (m_error.empty()) m_error = "pickle: " + std::move(message);
    return false;
  }

  // ---- input (pickle/interpreter.cpp) ----
  // Takes the next `n` bytes; "truncated" if there are fewer.
  RCTL_PICKLE_HOT bool read(std::size_t n, std::string_view& out);
  // Reads a little-endian integer of type T.
  template <class T>
  RCTL_PICKLE_HOT bool read_le(T& out);
  RCTL_PICKLE_HOT bool read_u8(std::uint8_t& out);
  // A length prefix of type T, checked against the string limit before any allocation.
  template <class T>
  RCTL_PICKLE_HOT bool read_length(std::size_t& out);
  // A length prefix of type T and that many bytes.
  template <class T>
  RCTL_PICKLE_HOT bool read_counted(std::string_view& out);
  // A text-protocol argument line, without its '\n'; bounded by the string limit.
  bool read_line(std::string_view& out);

  // ---- graph and stack ----
  // Appends a node to the arena (a spare one when there is one), within the element budget.
  RCTL_PICKLE_HOT bool new_node(Kind kind, Ref& out) {
    if (m_graph.size - 3 >= m_limits.max_elements || m_graph.size >= pickle::k_no_ref) {
      return error(fmt::format("more than {} elements", m_limits.max_elements));
    }
    if (m_graph.size == m_graph.nodes.size()) m_graph.nodes.emplace_back();
    else reset_node(m_graph.nodes[m_graph.size]);
    m_graph.nodes[m_graph.size].kind = kind;
    if (container_kind(kind)) ++m_graph.containers;
    out = static_cast<Ref>(m_graph.size++);
    return true;
  }
  // A spare node as a new one, its buffers kept.
  static void reset_node(Node& n);
  // Charges `n` child references stored into containers to the element budget.
  bool count_refs(std::size_t n) {
    m_refs += n;
    if (m_refs > m_limits.max_elements) return error(fmt::format("more than {} elements", m_limits.max_elements));
    return true;
  }
  // The node `r`. References are invalidated by new_node(): index again after creating.
  Node& node(Ref r) { return m_graph.nodes[r]; }
  // Where the current MARK frame starts: pops never reach below it.
  std::size_t frame_start() const { return m_marks.empty() ? 0 : m_marks.back(); }
  // Stack operations, bounded by max_stack and by the current frame.
  RCTL_PICKLE_HOT bool push(Ref r) {
    if (m_stack.size() >= m_limits.max_stack) {
      return error(fmt::format("stack deeper than {} values", m_limits.max_stack));
    }
    m_stack.push_back(r);
    return true;
  }
  RCTL_PICKLE_HOT bool pop(Ref& out) {
    if (m_stack.size() <= frame_start()) return error("stack underflow");
    out = m_stack.back();
    m_stack.pop_back();
    return true;
  }
  RCTL_PICKLE_HOT bool top(Ref& out) {
    if (m_stack.size() <= frame_start()) return error("stack underflow");
    out = m_stack.back();
    return true;
  }
  // Takes everything above the innermost MARK and closes it.
  // Takes everything above the innermost MARK into m_items and closes it.
  bool pop_mark() {
    if (m_marks.empty()) return error("MARK missing");
    const std::size_t start = m_marks.back();
    m_marks.pop_back();
    m_items.assign(m_stack.begin() + static_cast<std::ptrdiff_t>(start), m_stack.end());
    m_stack.shrink_to(start);
    return true;
  }
  // The next unused text of the workspace, and a copy of `text` there for a node to point at.
  std::string& next_text();
  std::string_view keep(std::string_view text);
  // Create-and-push helpers for each kind of value. `text` must outlive the graph: a part of
  // the input, or kept.
  RCTL_PICKLE_HOT bool push_new(Kind kind, std::string_view text = {}, bool flag = false) {
    Ref r = 0;
    if (!new_node(kind, r)) return false;
    node(r).text = text;
    node(r).flag = flag;
    m_graph.text_bytes += text.size();
    return push(r);
  }
  RCTL_PICKLE_HOT bool push_container(Kind kind, std::span<const Ref> items, bool flag = false) {
    Ref r = 0;
    if (!count_refs(items.size()) || !new_node(kind, r)) return false;
    node(r).items.assign(items.begin(), items.end());
    node(r).flag = flag;
    m_graph.references += items.size();
    if (kind == Kind::dict) note_keys(items);
    if (items.size() > Workspace::k_kept_refs) m_workspace.oversized = true;
    return push(r);
  }
  RCTL_PICKLE_HOT bool push_int(std::int64_t v) {
    Ref r = 0;
    if (!new_node(Kind::integer, r)) return false;
    node(r).integer = v;
    return push(r);
  }
  bool push_big(BigInt v);
  bool push_float(double v);
  bool push_global(std::string_view module, std::string_view name);
  bool push_text_int(std::string_view digits);
  // The result of REDUCE/NEWOBJ/INST/OBJ: recorded, never called.
  bool push_object(Ref callable, Ref args, Ref kwargs = pickle::k_no_ref);
  // Clears Graph::plain_keys if a key of these dict items (key, value, ...) is not plain.
  void note_keys(std::span<const Ref> pairs);
  // APPEND(S)/SETITEM(S)/ADDITEMS into `target` (pairs: key, value, key, value...).
  bool add_items(const char* op, Ref target, std::span<const Ref> items, bool pairs);
  // PUT/MEMOIZE and GET, within max_memo.
  RCTL_PICKLE_HOT bool memo_put(std::uint64_t index);
  RCTL_PICKLE_HOT bool memo_get(std::uint64_t index);
  RCTL_PICKLE_HOT Ref* memo_find(std::uint64_t index);
  // Executes opcode `op`, read at offset `at`.
  RCTL_PICKLE_HOT bool step(std::uint8_t op, std::size_t at);

  static constexpr std::size_t k_node_reserve_cap = 1024;
  std::string_view m_in;
  std::size_t m_pos = 0;
  const PickleLimits& m_limits;
  Workspace& m_workspace;
  Graph& m_graph;
  RefBuffer& m_stack;
  std::vector<std::size_t>& m_marks;
  // Memo entries. pickle.dumps numbers them 0, 1, 2... (MEMOIZE, or PUT n), so those live
  // in a vector (no hashing, no node per entry: this runs for every value of a scan); any
  // other index in the map. An index is in at most one of them.
  RefBuffer& m_memo_dense;  // pickle::k_no_ref: no entry
  std::unordered_map<std::uint64_t, Ref>& m_memo_sparse;
  std::vector<Ref>& m_items;
  std::size_t m_memo_size = 0;
  std::size_t m_refs = 0;  // child references stored in containers
  int m_protocol = 0;
  bool m_stopped = false;
  bool m_shared = false;
  Ref m_result = pickle::k_none_ref;
  std::string m_error;
};

}  // namespace rctl::decode::pickle
