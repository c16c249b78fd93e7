// The report's derived figures and INFO KEYSIZES parsing.

#include "keys/keys.hpp"

#include "server/info.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace rctl::keys {

std::vector<KeysizesHistogram> parse_keysizes(std::string_view info_text) {
  std::vector<KeysizesHistogram> out;
  auto info = server::Info::parse(info_text);
  for (auto name : info.keys_in("keysizes")) {
    KeysizesHistogram h;
    h.name = std::string(name);
    for (auto& [bin, count] : server::parse_kv_list(info.get_or(name, ""))) {
      auto n = util::parse_int(count);
      if (n && *n >= 0) h.bins.emplace_back(bin, static_cast<std::uint64_t>(*n));
    }
    out.push_back(std::move(h));
  }
  return out;
}

void merge_keysizes(std::vector<KeysizesHistogram>& into, const std::vector<KeysizesHistogram>& from) {
  for (const auto& h : from) {
    auto it = std::find_if(into.begin(), into.end(), [&](const auto& x) { return x.name == h.name; });
    if (it == into.end()) {
      into.push_back(h);
      continue;
    }
    for (const auto& [bin, count] : h.bins) {
      auto b = std::find_if(it->bins.begin(), it->bins.end(), [&](const auto& x) { return x.first == bin; });
      if (b == it->bins.end()) it->bins.emplace_back(bin, count);
      else b->second += count;
    }
  }
}

AnalyzeReport::AnalyzeReport(const AnalyzeOptions& o) : options(o), agg(o.separator, o.depth, o.max_groups, o.top) {}

namespace {

template <class Member>
std::uint64_t sum_nodes(const std::vector<NodeAnalysis>& nodes, Member member) {
  std::uint64_t n = 0;
  for (const auto& node : nodes) n += node.*member;
  return n;
}

}  // namespace

std::uint64_t AnalyzeReport::dbsize() const { return sum_nodes(nodes, &NodeAnalysis::dbsize); }
std::uint64_t AnalyzeReport::scanned() const { return sum_nodes(nodes, &NodeAnalysis::scanned); }
std::uint64_t AnalyzeReport::analyzed() const { return sum_nodes(nodes, &NodeAnalysis::analyzed); }
std::uint64_t AnalyzeReport::scan_calls() const { return sum_nodes(nodes, &NodeAnalysis::scan_calls); }

bool AnalyzeReport::complete() const {
  for (const auto& node : nodes)
    if (!node.complete || node.error) return false;
  return !interrupted && !stopped_at_max_keys;
}

std::optional<Error> AnalyzeReport::first_error() const {
  for (const auto& node : nodes)
    if (node.error) return node.error;
  return std::nullopt;
}

bool AnalyzeReport::memory_denied() const {
  return std::any_of(nodes.begin(), nodes.end(), [](const auto& n) { return n.memory_denied; });
}

bool AnalyzeReport::estimate() const { return stopped_at_max_keys || options.sample < 1.0; }

double AnalyzeReport::scale() const {
  const auto read = analyzed();
  if (!estimate() || read == 0) return 1.0;
  // Once --max-keys ended the walk, the keys considered are a part of DBSIZE; else every key
  // SCAN returned was considered and --sample kept a share of them.
  const auto base = stopped_at_max_keys ? std::max(dbsize(), scanned()) : scanned();
  return static_cast<double>(base) / static_cast<double>(read);
}

std::string AnalyzeReport::activity() const {
  bool idle = false, freq = false;
  for (const auto& node : nodes) (node.lfu ? freq : idle) = true;
  return idle && freq ? "mixed" : freq ? "freq" : "idle";
}

}  // namespace rctl::keys
