#include "server/info.hpp"

#include "util/strings.hpp"

namespace rctl::server {

Info Info::parse(std::string_view text) {
  Info info;
  if (text.size() > k_max_info_bytes) text = text.substr(0, k_max_info_bytes);
  std::string section;
  std::size_t pos = 0;
  while (pos < text.size() && info.m_fields.size() < k_max_info_fields) {
    auto end = text.find('\n', pos);
    auto line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.front() == '#') {
      section = util::to_lower(util::trim(line.substr(1)));
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    Field f{section, std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))};
    info.m_index.emplace(f.key, info.m_fields.size());
    info.m_fields.push_back(std::move(f));
  }
  return info;
}

std::optional<std::string_view> Info::get(std::string_view key) const {
  auto it = m_index.find(key);
  if (it == m_index.end()) return std::nullopt;
  return std::string_view(m_fields[it->second].value);
}

std::string_view Info::get_or(std::string_view key, std::string_view fallback) const {
  auto v = get(key);
  return v ? *v : fallback;
}

std::optional<std::int64_t> Info::integer(std::string_view key) const {
  auto v = get(key);
  if (!v) return std::nullopt;
  return util::parse_int(*v);
}

std::optional<double> Info::number(std::string_view key) const {
  auto v = get(key);
  if (!v) return std::nullopt;
  return util::parse_double(*v);
}

std::vector<std::string_view> Info::keys_in(std::string_view section) const {
  auto wanted = util::to_lower(section);
  std::vector<std::string_view> out;
  for (const auto& f : m_fields)
    if (f.section == wanted) out.push_back(f.key);
  return out;
}

std::vector<std::string_view> Info::keys_with_prefix(std::string_view prefix) const {
  std::vector<std::string_view> out;
  for (const auto& f : m_fields)
    if (util::starts_with(f.key, prefix)) out.push_back(f.key);
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_kv_list(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto item : util::split(text, ',')) {
    auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
  }
  return out;
}

std::optional<std::string_view> kv_get(const std::vector<std::pair<std::string, std::string>>& list,
                                       std::string_view key) {
  for (const auto& [k, v] : list)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

}  // namespace rctl::server
