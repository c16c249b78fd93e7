#pragma once
// Building nlohmann::ordered_json objects from untrusted input without quadratic time.
//
// ordered_json keeps keys in a vector and its operator[] searches linearly, so inserting n
// keys one by one costs O(n^2): a 10 MB value with 500k keys would take minutes. The
// decoders insert through ObjectBuilder instead, which indexes keys in a hash map once an
// object grows past a few entries.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

namespace rctl::decode {

class ObjectBuilder {
 public:
  // Makes `target` an empty object and builds into it. `target` must outlive the builder
  // and must not be modified by anyone else while the builder is in use.
  explicit ObjectBuilder(nlohmann::ordered_json& target);

  // The value slot for `key`: a new null slot appended at the end, or, for a key seen
  // before, the earlier slot (position kept, value to be overwritten - Python dict and
  // JSON "last one wins" semantics). The reference stays valid until the next slot() call.
  nlohmann::ordered_json& slot(std::string key);

  // Room for `n` keys without regrowing (a regrowth copies every key: they are const).
  void reserve(std::size_t n) { entries().reserve(n); }

  // Number of distinct keys so far.
  std::size_t size() const { return entries().size(); }

 private:
  using Entries = nlohmann::ordered_json::object_t::Container;
  Entries& entries() { return *m_entries; }
  const Entries& entries() const { return *m_entries; }

  Entries* m_entries;
  std::unordered_map<std::string, std::size_t> m_index;  // filled once size() > k_linear
  static constexpr std::size_t k_linear = 16;
};

}  // namespace rctl::decode
