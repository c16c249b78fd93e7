// The human form of `keys analyze`: totals, then bar charts for where the memory is (prefix
// tree, types, encodings), the top keys, and the TTL and idle/frequency distributions.

#include "keys/render.hpp"

#include "output/bar.hpp"
#include "output/render_helpers.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rctl::keys::detail {

namespace {

using output::Cell;
using output::Tone;

// Columns of the bar charts.
constexpr std::size_t k_keys_bar_width = 20;
// Rows of the prefix tree shown in a table; -o json has every group.
constexpr std::size_t k_keys_table_groups = 40;
// Children of one group always shown, whatever their share.
constexpr std::size_t k_keys_children_shown = 8;

std::string keys_count_text(std::uint64_t n) { return util::format_count(static_cast<std::int64_t>(n)); }
std::string keys_bytes_text(std::uint64_t n) { return util::format_bytes(static_cast<std::int64_t>(n)); }

std::string percent_text(double share) { return fmt::format("{:.1f}%", 100.0 * share); }

double share_of(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// What the charts measure: bytes, or keys when MEMORY USAGE gave none.
struct Measure {
  bool bytes = true;
  std::uint64_t of(const Tally& t) const { return bytes ? t.bytes : t.keys; }
};

// A row of the prefix table for `tally` under `name`, indented `indent` levels.
std::vector<Cell> group_row(Cell name, std::size_t indent, const Tally& tally, Measure m, std::uint64_t whole) {
  const double share = share_of(m.of(tally), whole);
  name.text = std::string(2 * indent, ' ') + name.text;
  return {std::move(name),
          keys_count_text(tally.keys),
          keys_bytes_text(tally.bytes),
          percent_text(share),
          percent_text(share_of(tally.with_ttl, tally.keys)),
          output::bar(share, k_keys_bar_width)};
}

// The prefix tree depth-first, each level largest first, as rows. A group whose only child
// holds all of it ("board" and "board:*") is shown once, as the child. Past the first
// k_keys_children_shown children, those under 1% are summed into one "more groups" row, so
// that thousands of one-key groups do not hide the big ones (-o json has every group).
void add_group_rows(const PrefixTree& tree, const std::vector<std::vector<std::size_t>>& children,
                    const std::vector<std::size_t>& level, std::size_t indent, Measure m, std::uint64_t whole,
                    output::Table& t, std::size_t& hidden) {
  Tally folded;
  std::size_t folded_groups = 0;
  for (std::size_t n = 0; n < level.size(); ++n) {
    auto i = level[n];
    while (children[i].size() == 1 && tree.groups()[children[i][0]].tally.keys == tree.groups()[i].tally.keys &&
           tree.groups()[i].other.keys == 0)
      i = children[i][0];
    const auto& g = tree.groups()[i];
    if (n >= k_keys_children_shown && share_of(m.of(g.tally), whole) < 0.01) {
      folded.keys += g.tally.keys, folded.bytes += g.tally.bytes, folded.with_ttl += g.tally.with_ttl;
      ++folded_groups;
      continue;
    }
    if (t.rows.size() >= k_keys_table_groups) {
      ++hidden;
      continue;
    }
    t.rows.push_back(group_row(g.name, indent, g.tally, m, whole));
    add_group_rows(tree, children, children[i], indent + 1, m, whole, t, hidden);
    if (g.other.keys > 0 && t.rows.size() < k_keys_table_groups)
      t.rows.push_back(group_row(Cell("(other: no room in --max-groups)", Tone::dim), indent + 1, g.other, m, whole));
  }
  if (folded_groups > 0 && t.rows.size() < k_keys_table_groups)
    t.rows.push_back(group_row(Cell(fmt::format("... {} more groups, each under 1%", folded_groups), Tone::dim), indent,
                               folded, m, whole));
}

output::Table prefix_table(const AnalyzeReport& r, Measure m) {
  const auto& tree = r.agg.tree;
  const auto whole = m.of(r.agg.total);
  std::vector<std::vector<std::size_t>> children(tree.groups().size());
  std::vector<std::size_t> top;
  for (std::size_t i = 0; i < tree.groups().size(); ++i)
    (tree.groups()[i].parent ? children[*tree.groups()[i].parent] : top).push_back(i);
  auto larger = [&](std::size_t a, std::size_t b) {
    const auto& ga = tree.groups()[a].tally;
    const auto& gb = tree.groups()[b].tally;
    return m.of(ga) != m.of(gb) ? m.of(ga) > m.of(gb) : tree.groups()[a].name < tree.groups()[b].name;
  };
  std::sort(top.begin(), top.end(), larger);
  for (auto& c : children) std::sort(c.begin(), c.end(), larger);

  output::Table t;
  t.title = fmt::format("Memory by prefix (split on '{}', depth {}, ids as *)", tree.separator(), tree.depth());
  t.columns = {"PREFIX", "KEYS", "BYTES", "SHARE", "TTL", ""};
  t.numeric = {false, true, true, true, true, false};
  std::size_t hidden = 0;
  add_group_rows(tree, children, top, 0, m, whole, t, hidden);
  if (tree.root_other().keys > 0)
    t.rows.push_back({Cell("(other)", Tone::dim), keys_count_text(tree.root_other().keys),
                      keys_bytes_text(tree.root_other().bytes), percent_text(share_of(m.of(tree.root_other()), whole)),
                      percent_text(share_of(tree.root_other().with_ttl, tree.root_other().keys)),
                      output::bar(share_of(m.of(tree.root_other()), whole), k_keys_bar_width)});
  if (hidden > 0) t.rows.push_back({Cell(fmt::format("... {} more groups (-o json has them all)", hidden), Tone::dim)});
  return t;
}

output::Table kinds_table(const std::map<std::string, Tally>& kinds, const char* title, const char* column, Measure m,
                          std::uint64_t whole) {
  std::vector<std::pair<std::string, Tally>> sorted(kinds.begin(), kinds.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const auto& a, const auto& b) { return m.of(a.second) > m.of(b.second); });
  output::Table t;
  t.title = title;
  t.columns = {column, "KEYS", "BYTES", "ELEMENTS", "SHARE", ""};
  t.numeric = {false, true, true, true, true, false};
  for (const auto& [name, tally] : sorted) {
    const double share = share_of(m.of(tally), whole);
    t.rows.push_back({name, keys_count_text(tally.keys), keys_bytes_text(tally.bytes), keys_count_text(tally.elements),
                      percent_text(share), output::bar(share, k_keys_bar_width)});
  }
  return t;
}

output::Table top_table(const std::vector<KeyRecord>& keys, const AnalyzeReport& r, std::string title) {
  output::Table t;
  t.title = std::move(title);
  t.columns = {"KEY", "BYTES", "ELEMENTS", "TYPE", "ENCODING", "TTL", "NODE"};
  t.numeric = {false, true, true, false, false, true, false};
  for (const auto& k : keys)
    t.rows.push_back({k.key, k.bytes ? keys_bytes_text(*k.bytes) : Cell("-", Tone::dim),
                      k.elements ? keys_count_text(*k.elements) : Cell("-", Tone::dim), k.type,
                      k.encoding.empty() ? Cell("-", Tone::dim) : Cell(k.encoding), output::ttl_text(k.ttl_ms),
                      k.node < r.nodes.size() ? r.nodes[k.node].address : std::string()});
  return t;
}

// A distribution: range, keys, share and a bar scaled to the largest range.
output::Table distribution_table(std::string title, const char* column,
                                 const std::vector<std::pair<std::string, std::uint64_t>>& rows) {
  std::uint64_t total = 0, largest = 0;
  for (const auto& [label, n] : rows) total += n, largest = std::max(largest, n);
  output::Table t;
  t.title = std::move(title);
  t.columns = {column, "KEYS", "SHARE", ""};
  t.numeric = {false, true, true, false};
  for (const auto& [label, n] : rows)
    t.rows.push_back({label, keys_count_text(n), percent_text(share_of(n, total)),
                      output::bar(share_of(n, largest), k_keys_bar_width)});
  return t;
}

output::Fields totals_fields(const AnalyzeReport& r) {
  const auto& a = r.agg;
  output::Fields f;
  f.title = r.estimate() ? "Keyspace (estimate)" : "Keyspace";
  f.add("keys", Cell(keys_count_text(a.total.keys), Tone::strong));
  f.add("memory", r.memory_denied() && a.total.bytes == 0 ? Cell("unknown (MEMORY USAGE denied)", Tone::warn)
                                                          : Cell(keys_bytes_text(a.total.bytes), Tone::strong));
  f.add("elements", keys_count_text(a.total.elements));
  f.add("without TTL", fmt::format("{} ({})", keys_count_text(a.keys_without_ttl),
                                   percent_text(share_of(a.keys_without_ttl, a.total.keys))));
  if (r.estimate()) {
    const double s = r.scale();
    f.add("estimated total",
          Cell(fmt::format("~{} keys, ~{} (read {} keys, scaled x{:.2f})",
                           keys_count_text(static_cast<std::uint64_t>(static_cast<double>(a.total.keys) * s)),
                           keys_bytes_text(static_cast<std::uint64_t>(static_cast<double>(a.total.bytes) * s)),
                           keys_count_text(a.total.keys), s),
               Tone::warn));
  }
  return f;
}

void add_notes(output::Document& doc, const AnalyzeReport& r) {
  using output::Text;
  doc.blocks.emplace_back(Text{fmt::format("scanned {} node{}{} ({} keys, {} SCAN calls, {:.2f}s)", r.nodes.size(),
                                           r.nodes.size() == 1 ? "" : "s", r.options.replicas ? " (replicas)" : "",
                                           keys_count_text(r.scanned()), keys_count_text(r.scan_calls()), r.seconds),
                               Tone::dim});
  for (const auto& n : r.nodes) {
    if (r.options.replicas && !n.replica)
      doc.blocks.emplace_back(
          Text{fmt::format("no replica known for {}: the primary was scanned", n.address), Tone::warn});
    if (n.memory_denied)
      doc.blocks.emplace_back(Text{fmt::format("MEMORY USAGE denied on {}: its keys are measured by element count, "
                                               "bytes are unknown",
                                               n.address),
                                   Tone::warn});
    if (n.object_denied)
      doc.blocks.emplace_back(
          Text{fmt::format("OBJECT denied on {}: no encoding, idle time or frequency", n.address), Tone::warn});
    if (n.error)
      doc.blocks.emplace_back(Text{fmt::format("incomplete: {}: {}", n.address, n.error->message), Tone::bad});
  }
  if (r.estimate())
    doc.blocks.emplace_back(
        Text{r.stopped_at_max_keys
                 ? fmt::format("estimate: stopped after {} keys (--max-keys); totals scaled by DBSIZE ({}) / keys read",
                               keys_count_text(r.scanned()), keys_count_text(r.dbsize()))
                 : fmt::format("estimate: {} of the keys read (--sample); totals scaled by keys scanned / keys read",
                               percent_text(r.options.sample)),
             Tone::warn});
  if (!r.unstable.empty()) doc.blocks.emplace_back(Text{"slots moved during the scan: " + r.unstable, Tone::warn});
  if (r.interrupted) doc.blocks.emplace_back(Text{"interrupted: partial report", Tone::warn});
}

}  // namespace

void add_analyze_blocks(output::Document& doc, const AnalyzeReport& r) {
  const auto& a = r.agg;
  Measure m{!(r.memory_denied() && a.total.bytes == 0)};
  doc.blocks.emplace_back(totals_fields(r));
  if (a.total.keys > 0) {
    doc.blocks.emplace_back(prefix_table(r, m));
    doc.blocks.emplace_back(kinds_table(a.by_type, "Types", "TYPE", m, m.of(a.total)));
    doc.blocks.emplace_back(kinds_table(a.by_encoding, "Encodings", "ENCODING", m, m.of(a.total)));
    doc.blocks.emplace_back(top_table(a.top_bytes.sorted(), r, fmt::format("Top {} by bytes", r.options.top)));
    if (auto top = a.top_elements.sorted(); !top.empty())
      doc.blocks.emplace_back(top_table(top, r, fmt::format("Top {} by elements", r.options.top)));
    else
      doc.blocks.emplace_back(
          output::Text{"no collections (hashes, lists, sets, sorted sets, streams): no top by elements", Tone::dim});
    std::vector<std::pair<std::string, std::uint64_t>> ttl, activity;
    for (const auto& b : a.ttl.buckets()) ttl.emplace_back(b.label, b.count);
    doc.blocks.emplace_back(distribution_table("TTL", "REMAINING", ttl));
    const auto kind = r.activity();
    if (kind != "freq")
      for (const auto& b : a.idle.buckets())
        if (b.from_ms) activity.emplace_back(b.label, b.count);
    if (kind == "freq")
      for (const auto& b : a.freq.buckets()) activity.emplace_back(b.label, b.count);
    if (kind == "mixed")
      doc.blocks.emplace_back(
          output::Text{"nodes differ in eviction policy: idle time from LRU nodes only", Tone::dim});
    doc.blocks.emplace_back(distribution_table(
        kind == "freq" ? "Access frequency (OBJECT FREQ, LFU policy: hot keys)" : "Idle time (OBJECT IDLETIME)",
        kind == "freq" ? "LFU COUNTER" : "IDLE", activity));
  }
  for (const auto& h : r.keysizes) {
    std::vector<std::pair<std::string, std::uint64_t>> bins(h.bins.begin(), h.bins.end());
    doc.blocks.emplace_back(distribution_table("INFO KEYSIZES " + h.name, "SIZE", bins));
  }
  add_notes(doc, r);
}

}  // namespace rctl::keys::detail
