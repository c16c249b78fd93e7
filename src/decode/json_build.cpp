#include "decode/json_build.hpp"

namespace rctl::decode {

ObjectBuilder::ObjectBuilder(nlohmann::ordered_json& target) {
  target = nlohmann::ordered_json::object();
  m_entries = &target.get_ref<nlohmann::ordered_json::object_t&>();
}

nlohmann::ordered_json& ObjectBuilder::slot(std::string key) {
  Entries& e = entries();
  if (m_index.empty()) {
    for (auto& entry : e) {
      if (entry.first == key) return entry.second;
    }
    if (e.size() < k_linear) {
      e.emplace_back(std::move(key), nullptr);
      return e.back().second;
    }
    for (std::size_t i = 0; i < e.size(); ++i) m_index.emplace(e[i].first, i);
  } else if (const auto it = m_index.find(key); it != m_index.end()) {
    return e[it->second].second;
  }
  m_index.emplace(key, e.size());
  e.emplace_back(std::move(key), nullptr);
  return e.back().second;
}

}  // namespace rctl::decode
