#include "decode/pickle/workspace.hpp"

#include "decode/pickle/interpreter.hpp"

namespace rctl::decode::pickle {

namespace {

// Frees `buffer` when it holds more than `kept` elements.
template <class T>
void release_over_kept(T& buffer, std::size_t kept) {
  if (buffer.capacity() > kept) T().swap(buffer);
}

}  // namespace

void Workspace::release() {
  auto& nodes = graph.nodes;
  if (nodes.size() > k_kept_nodes) {  // before the walk below: those nodes are freed
    nodes.resize(k_kept_nodes);
    nodes.shrink_to_fit();
  }
  if (texts.size() > k_kept_nodes) texts.resize(k_kept_nodes);
  if (oversized) {
    for (auto& node : nodes) release_over_kept(node.items, k_kept_refs);
    for (auto& text : texts) release_over_kept(text, k_kept_text_bytes);
    oversized = false;
  }
  release_over_kept(stack, k_kept_stack);
  release_over_kept(marks, k_kept_stack);
  release_over_kept(memo_dense, k_kept_stack);
  release_over_kept(items, k_kept_stack);
  if (memo_sparse.bucket_count() > k_kept_refs) std::unordered_map<std::uint64_t, Ref>().swap(memo_sparse);
}

// The interpreter's side of a workspace: taking it over for a new pickle.
Interpreter::Interpreter(std::string_view input, const PickleLimits& limits, Workspace& workspace)
    : m_in(input),
      m_limits(limits),
      m_workspace(workspace),
      m_graph(workspace.graph),
      m_stack(workspace.stack),
      m_marks(workspace.marks),
      m_memo_dense(workspace.memo_dense),
      m_memo_sparse(workspace.memo_sparse),
      m_items(workspace.items) {
  // Session-like pickles hold a node per four to eight input bytes (opcode, argument,
  // MEMOIZE); reserving for one per four (capped) saves the regrowths of a small value's graph.
  // The same for the stack and the memo (at most one MEMOIZE per two bytes, and pickle.dumps
  // writes one after nearly every value). No-ops once the workspace has held such a pickle.
  m_graph.nodes.reserve(3 + std::min<std::size_t>(input.size() / 4, k_node_reserve_cap));
  m_stack.clear();
  m_stack.reserve(std::min<std::size_t>(input.size() / 8 + 8, k_node_reserve_cap));
  m_marks.clear();
  m_memo_dense.clear();
  m_memo_dense.reserve(std::min<std::size_t>(input.size() / 8 + 8, k_node_reserve_cap));
  m_memo_sparse.clear();
  m_items.clear();
  m_workspace.texts_used = 0;
  if (m_graph.nodes.size() < 3) m_graph.nodes.resize(3);
  for (Ref r = 0; r < 3; ++r) reset_node(m_graph.nodes[r]);
  m_graph.size = 3;
  m_graph.references = 0;
  m_graph.text_bytes = 0;
  m_graph.containers = 0;
  m_graph.plain_keys = true;
  m_graph.nodes[pickle::k_false_ref].kind = Kind::boolean;
  m_graph.nodes[pickle::k_true_ref].kind = Kind::boolean;
  m_graph.nodes[pickle::k_true_ref].flag = true;
}

}  // namespace rctl::decode::pickle
