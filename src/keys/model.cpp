#include "keys/model.hpp"

#include <algorithm>
#include <cctype>

namespace rctl::keys {

namespace {

bool all_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0) return false;
  }
  return true;
}

// The name a type or encoding is counted under: itself while there is room, else "other".
Tally& kind_tally(std::map<std::string, Tally>& kinds, const std::string& name) {
  if (auto it = kinds.find(name); it != kinds.end()) return it->second;
  if (kinds.size() + 1 >= k_max_kinds) return kinds["other"];
  return kinds[name];
}

}  // namespace

bool is_id_segment(std::string_view segment) {
  if (segment.empty()) return false;
  if (std::all_of(segment.begin(), segment.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) return true;
  return is_uuid(segment) || (segment.size() >= k_min_hex_id && all_hex(segment));
}

std::vector<std::string> group_path(std::string_view key, std::string_view separator, std::size_t depth) {
  std::vector<std::string> out;
  std::string name;
  std::size_t at = 0;
  while (out.size() < depth) {
    auto end = separator.empty() ? std::string_view::npos : key.find(separator, at);
    auto segment = key.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (!out.empty()) name += separator;
    if (is_id_segment(segment)) name += '*';
    else name += segment;
    out.push_back(name);
    if (end == std::string_view::npos) break;
    at = end + separator.size();
  }
  return out;
}

std::string key_shape(std::string_view key, std::string_view separator) {
  if (separator.empty()) return is_id_segment(key) ? std::string("*") : std::string(key);
  std::string out;
  out.reserve(key.size());
  for (std::size_t at = 0;;) {
    auto end = key.find(separator, at);
    auto segment = key.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (is_id_segment(segment)) out += '*';
    else out += segment;
    if (end == std::string_view::npos) return out;
    out += separator;
    at = end + separator.size();
  }
}

void Tally::add(const KeyRecord& r) {
  ++keys;
  bytes += r.bytes.value_or(0);
  elements += r.elements.value_or(0);
  if (r.ttl_ms) ++with_ttl;
}

PrefixTree::PrefixTree(std::string separator, std::size_t depth, std::size_t max_groups)
    : m_separator(std::move(separator)), m_depth(std::max<std::size_t>(1, depth)), m_max_groups(max_groups) {}

void PrefixTree::add(const KeyRecord& r) {
  std::optional<std::size_t> parent;
  for (auto& name : group_path(r.key, m_separator, m_depth)) {
    auto it = m_index.find(name);
    if (it == m_index.end()) {
      if (m_groups.size() >= m_max_groups) {
        m_overflowed = true;
        (parent ? m_groups[*parent].other : m_root_other).add(r);
        return;
      }
      const std::size_t depth = parent ? m_groups[*parent].depth + 1 : 1;
      it = m_index.emplace(name, m_groups.size()).first;
      m_groups.push_back(Group{std::move(name), depth, parent, {}, {}});
    }
    m_groups[it->second].tally.add(r);
    parent = it->second;
  }
}

std::uint64_t TopKeys::measure(const KeyRecord& r) const {
  return m_by == By::bytes ? r.bytes.value_or(0) : r.elements.value_or(0);
}

void TopKeys::add(const KeyRecord& r) {
  if (m_n == 0) return;
  if (m_by == By::bytes ? !r.bytes : !r.elements) return;
  // A string's "elements" is its length in bytes, which the top by bytes already shows: the
  // top by elements is about collections.
  if (m_by == By::elements && r.type == "string") return;
  // Min-heap: the smallest kept key on top, replaced by anything larger.
  auto greater = [this](const KeyRecord& a, const KeyRecord& b) {
    return measure(a) != measure(b) ? measure(a) > measure(b) : a.key < b.key;
  };
  if (m_heap.size() < m_n) {
    m_heap.push_back(r);
    std::push_heap(m_heap.begin(), m_heap.end(), greater);
    return;
  }
  if (!greater(r, m_heap.front())) return;
  std::pop_heap(m_heap.begin(), m_heap.end(), greater);
  m_heap.back() = r;
  std::push_heap(m_heap.begin(), m_heap.end(), greater);
}

std::vector<KeyRecord> TopKeys::sorted() const {
  auto out = m_heap;
  std::sort(out.begin(), out.end(), [this](const KeyRecord& a, const KeyRecord& b) {
    return measure(a) != measure(b) ? measure(a) > measure(b) : a.key < b.key;
  });
  return out;
}

FreqHistogram::FreqHistogram() {
  // The counter grows logarithmically (lfu-log-factor 10: ~100 hits reach 10, ~1M reach 255),
  // and a new key starts at 5 (LFU_INIT_VAL).
  m_buckets = {{"0", 0, 0, 0},       {"1-4", 1, 4, 0},     {"5-9", 5, 9, 0},         {"10-19", 10, 19, 0},
               {"20-49", 20, 49, 0}, {"50-99", 50, 99, 0}, {"100-199", 100, 199, 0}, {"200-255", 200, 255, 0}};
}

void FreqHistogram::add(std::int64_t freq) {
  for (auto& b : m_buckets)
    if (freq <= b.to) {
      ++b.count;
      return;
    }
  ++m_buckets.back().count;
}

Aggregates::Aggregates(std::string separator, std::size_t depth, std::size_t max_groups, std::size_t top)
    : tree(std::move(separator), depth, max_groups),
      top_bytes(TopKeys::By::bytes, top),
      top_elements(TopKeys::By::elements, top) {}

void Aggregates::add(const KeyRecord& r) {
  total.add(r);
  if (!r.ttl_ms) ++keys_without_ttl;
  kind_tally(by_type, r.type).add(r);
  kind_tally(by_encoding, r.encoding.empty() ? std::string("unknown") : r.encoding).add(r);
  tree.add(r);
  top_bytes.add(r);
  top_elements.add(r);
  ttl.add(r.ttl_ms);
  if (r.idle_s) idle.add(*r.idle_s * 1000);
  if (r.freq) freq.add(*r.freq);
}

}  // namespace rctl::keys
