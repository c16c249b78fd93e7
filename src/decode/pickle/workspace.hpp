#pragma once
// Internal to the pickle reader: the buffers the interpreter works in, kept from one pickle
// to the next (pickle/reader.cpp keeps one per thread).

#include "decode/pickle/graph.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace rctl::decode::pickle {

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
    if (m_size == m_capacity) [[unlikely]]
      grow(m_size + 1);
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
