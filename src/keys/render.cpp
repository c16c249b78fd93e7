// `keys analyze` as JSON (the contract, README "What is using the memory?") and the lines of
// --keys-out. The tables are in render_tables.cpp.

#include "keys/render.hpp"

#include "decode/bytes.hpp"
#include "output/render_helpers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rctl::keys {

namespace {

using Json = nlohmann::ordered_json;

template <class T>
Json optional_number(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json tally_json(const Tally& t) {
  return {{"keys", t.keys}, {"bytes", t.bytes}, {"elements", t.elements}, {"keys_with_ttl", t.with_ttl}};
}

Json record_json(const KeyRecord& r, const AnalyzeReport& report) {
  return {{"key", decode::json_bytes(r.key)},
          {"node", r.node < report.nodes.size() ? report.nodes[r.node].address : std::string()},
          {"type", r.type},
          {"encoding", r.encoding.empty() ? Json(nullptr) : Json(r.encoding)},
          {"bytes", optional_number(r.bytes)},
          {"elements", optional_number(r.elements)},
          {"ttl_ms", output::number_or_null(r.ttl_ms)},
          {"idle_seconds", output::number_or_null(r.idle_s)},
          {"freq", output::number_or_null(r.freq)}};
}

Json kinds_json(const std::map<std::string, Tally>& kinds, const char* name) {
  Json out = Json::array();
  std::vector<std::pair<std::string, Tally>> sorted(kinds.begin(), kinds.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.bytes != b.second.bytes ? a.second.bytes > b.second.bytes : a.second.keys > b.second.keys;
  });
  for (const auto& [kind, t] : sorted) {
    out.push_back(
        {{name, kind}, {"keys", t.keys}, {"bytes", t.bytes}, {"elements", t.elements}, {"keys_with_ttl", t.with_ttl}});
  }
  return out;
}

Json prefixes_json(const PrefixTree& tree) {
  const auto& all = tree.groups();
  // Largest first; a parent always comes before its children (it holds at least their sum).
  std::vector<std::size_t> order(all.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto &ta = all[a].tally, &tb = all[b].tally;
    return ta.bytes != tb.bytes ? ta.bytes > tb.bytes
           : ta.keys != tb.keys ? ta.keys > tb.keys
                                : all[a].depth < all[b].depth;
  });
  Json groups = Json::array();
  for (auto i : order) {
    const auto& g = all[i];
    groups.push_back({{"prefix", decode::json_bytes(g.name)},
                      {"depth", g.depth},
                      {"parent", g.parent ? decode::json_bytes(all[*g.parent].name) : Json(nullptr)},
                      {"keys", g.tally.keys},
                      {"bytes", g.tally.bytes},
                      {"elements", g.tally.elements},
                      {"keys_with_ttl", g.tally.with_ttl},
                      {"other", tally_json(g.other)}});
  }
  return {{"separator", tree.separator()},   {"depth", tree.depth()},       {"max_groups", tree.max_groups()},
          {"overflowed", tree.overflowed()}, {"groups", std::move(groups)}, {"other", tally_json(tree.root_other())}};
}

Json ttl_ranges_json(const util::TtlHistogram& h, bool seconds, bool with_no_expiry) {
  Json out = Json::array();
  for (const auto& b : h.buckets()) {
    if (!b.from_ms && !with_no_expiry) continue;
    auto edge = [&](const std::optional<std::int64_t>& ms) {
      return ms ? Json(seconds ? *ms / 1000 : *ms) : Json(nullptr);
    };
    out.push_back({{"range", b.label},
                   {seconds ? "min_seconds" : "min_ms", edge(b.from_ms)},
                   {seconds ? "max_seconds" : "max_ms", edge(b.to_ms)},
                   {"keys", b.count}});
  }
  return out;
}

Json nodes_json(const AnalyzeReport& r) {
  Json nodes = Json::array();
  for (const auto& n : r.nodes)
    nodes.push_back({{"address", n.address},
                     {"replica", n.replica},
                     {"dbsize", n.dbsize},
                     {"keys_scanned", n.scanned},
                     {"keys_analyzed", n.analyzed},
                     {"keys_vanished", n.vanished},
                     {"scan_calls", n.scan_calls},
                     {"complete", n.complete},
                     {"maxmemory_policy", n.policy.empty() ? Json(nullptr) : Json(n.policy)},
                     {"activity", n.lfu ? "freq" : "idle"},
                     {"memory_usage_denied", n.memory_denied},
                     {"object_denied", n.object_denied},
                     {"no_touch", n.no_touch},
                     {"error", output::error_or_null(n.error)}});
  return nodes;
}

// A CSV field: quoted when it holds a comma, a quote or a line break; quotes doubled.
std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

template <class T>
std::string csv_number(const std::optional<T>& v) {
  return v ? std::to_string(*v) : std::string();
}

}  // namespace

output::Document render_analyze(const AnalyzeReport& r) {
  output::Document doc;
  const auto& a = r.agg;
  const double scale = r.scale();
  Json keysizes = Json::array();
  for (const auto& h : r.keysizes) {
    Json bins = Json::object();
    for (const auto& [bin, count] : h.bins) bins[bin] = count;
    keysizes.push_back({{"name", h.name}, {"bins", std::move(bins)}});
  }
  Json top_bytes = Json::array(), top_elements = Json::array();
  for (const auto& k : a.top_bytes.sorted()) top_bytes.push_back(record_json(k, r));
  for (const auto& k : a.top_elements.sorted()) top_elements.push_back(record_json(k, r));
  Json freq = Json::array();
  for (const auto& b : a.freq.buckets())
    freq.push_back({{"range", b.label}, {"min", b.from}, {"max", b.to}, {"keys", b.count}});
  Json denied = Json::array();
  for (const auto& n : r.nodes)
    if (n.memory_denied) denied.push_back(n.address);

  doc.json = {
      {"complete", r.complete()},
      {"interrupted", r.interrupted},
      {"prefix", r.options.prefix.empty() ? Json(nullptr) : decode::json_bytes(r.options.prefix)},
      {"replicas", r.options.replicas},
      {"seconds", output::round3(r.seconds)},
      {"estimate",
       {{"is_estimate", r.estimate()},
        {"sample_ratio", r.options.sample},
        {"max_keys", optional_number(r.options.max_keys)},
        {"stopped_at_max_keys", r.stopped_at_max_keys},
        {"scale_factor", std::round(scale * 1e6) / 1e6},
        {"estimated_keys", static_cast<std::uint64_t>(std::llround(static_cast<double>(a.total.keys) * scale))},
        {"estimated_bytes", static_cast<std::uint64_t>(std::llround(static_cast<double>(a.total.bytes) * scale))}}},
      {"memory_usage",
       {{"available", !r.memory_denied()}, {"samples", optional_number(r.options.samples)}, {"denied_on", denied}}},
      {"totals",
       {{"keys", a.total.keys},
        {"bytes", a.total.bytes},
        {"elements", a.total.elements},
        {"keys_with_ttl", a.total.with_ttl},
        {"keys_without_ttl", a.keys_without_ttl},
        {"keys_scanned", r.scanned()},
        {"dbsize", r.dbsize()},
        {"scan_calls", r.scan_calls()}}},
      {"types", kinds_json(a.by_type, "type")},
      {"encodings", kinds_json(a.by_encoding, "encoding")},
      {"prefixes", prefixes_json(a.tree)},
      {"top_by_bytes", std::move(top_bytes)},
      {"top_by_elements", std::move(top_elements)},
      {"ttl", ttl_ranges_json(a.ttl, false, true)},
      {"activity", r.activity()},
      {"idle", ttl_ranges_json(a.idle, true, false)},
      {"freq", std::move(freq)},
      {"keysizes", std::move(keysizes)},
      {"nodes", nodes_json(r)},
      {"unstable", r.unstable.empty() ? Json(nullptr) : Json(r.unstable)},
  };
  detail::add_analyze_blocks(doc, r);
  return doc;
}

std::string keys_out_csv_header() { return "key,key_base64,node,type,encoding,bytes,elements,ttl_ms\r\n"; }

std::string keys_out_csv_row(const KeyRecord& r, const std::string& node) {
  // A key that is not valid UTF-8 goes in key_base64 (and key stays empty): a spreadsheet
  // cannot hold raw bytes, and a marker inside `key` could be mistaken for a real key.
  const bool text = decode::is_valid_utf8(r.key);
  return fmt::format("{},{},{},{},{},{},{},{}\r\n", text ? csv_field(r.key) : std::string(),
                     text ? std::string() : decode::base64_encode(r.key), csv_field(node), csv_field(r.type),
                     csv_field(r.encoding), csv_number(r.bytes), csv_number(r.elements), csv_number(r.ttl_ms));
}

std::string keys_out_json_line(const KeyRecord& r, const std::string& node) {
  Json j{{"key", decode::json_bytes(r.key)},
         {"node", node},
         {"type", r.type},
         {"encoding", r.encoding.empty() ? Json(nullptr) : Json(r.encoding)},
         {"bytes", optional_number(r.bytes)},
         {"elements", optional_number(r.elements)},
         {"ttl_ms", output::number_or_null(r.ttl_ms)}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace rctl::keys
