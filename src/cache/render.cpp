// Documents for `cache get`, `cache keys` and `cache invalidate`.

#include "cache/render.hpp"
#include "output/render_helpers.hpp"
#include "decode/bytes.hpp"
#include "cache/cache.hpp"
#include "cache/invalidate.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <cmath>

namespace rctl::cache {

namespace {

using Json = nlohmann::ordered_json;

using output::ttl_text;
// A TTL in JSON: milliseconds, or null for a key that does not expire.
Json ttl_json(const std::optional<std::int64_t>& ttl_ms) { return output::number_or_null(ttl_ms); }

std::string size_text(const std::string& type, std::int64_t length) {
  if (type == "string") return util::format_bytes(length);
  return fmt::format("{} {}", util::format_count(length), length == 1 ? "element" : "elements");
}

// The value as people read it: decoded structures pretty-printed, text as text.
std::string readable(const decode::DecodedValue& d) {
  if (!d.data) return "";
  if (d.format == decode::Format::utf8_text && d.data->is_string()) return d.data->get<std::string>();
  return d.data->dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

output::Document render_get(const std::vector<KeyValue>& values, bool show_raw_bytes) {
  output::Document doc;
  Json list = Json::array();
  for (const auto& kv : values) {
    Json j{{"key", decode::json_bytes(kv.key)}, {"exists", kv.exists}};
    if (kv.exists) {
      j["type"] = kv.type;
      j["ttl_ms"] = ttl_json(kv.ttl_ms);
      j["length"] = kv.length;
      if (kv.decoded) {
        j["format"] = decode::to_string(kv.decoded->format);
        j["compressed"] = kv.decoded->compressed;
        j["note"] = kv.decoded->note;
        j["value"] = kv.decoded->data ? *kv.decoded->data : Json(nullptr);
      } else {
        Json elements = Json::array();
        for (const auto& [a, b] : kv.elements) {
          if (kv.type == "hash")
            elements.push_back({{"field", decode::json_bytes(a)}, {"value", decode::json_bytes(b)}});
          else if (kv.type == "zset") elements.push_back({{"member", decode::json_bytes(a)}, {"score", b}});
          else if (kv.type == "stream") elements.push_back({{"id", a}, {"fields", decode::json_bytes(b)}});
          else elements.push_back(decode::json_bytes(a));
        }
        j["elements"] = elements;
        j["truncated"] = kv.truncated;
      }
    }
    list.push_back(std::move(j));

    if (show_raw_bytes) {
      doc.blocks.emplace_back(output::RawBytes{kv.raw});
      continue;
    }
    output::Fields f;
    f.title = kv.key;
    if (!kv.exists) {
      f.add("exists", output::Cell("no (key not found)", output::Tone::bad));
      doc.blocks.emplace_back(std::move(f));
      continue;
    }
    f.add("type", kv.type);
    f.add("ttl", ttl_text(kv.ttl_ms));
    f.add("size", size_text(kv.type, kv.length));
    if (kv.decoded) {
      f.add("format", kv.decoded->note.empty()
                          ? std::string(decode::to_string(kv.decoded->format))
                          : fmt::format("{} ({})", decode::to_string(kv.decoded->format), kv.decoded->note));
      doc.blocks.emplace_back(std::move(f));
      bool opaque = kv.decoded->format == decode::Format::binary || kv.decoded->format == decode::Format::zlib;
      bool text = kv.decoded->format == decode::Format::utf8_text;
      doc.blocks.emplace_back(
          output::Text{opaque ? kv.raw : readable(*kv.decoded), output::Tone::plain, !opaque, !opaque && !text});
      continue;
    }
    doc.blocks.emplace_back(std::move(f));
    output::Table t;
    if (kv.type == "hash") t.columns = {"FIELD", "VALUE"};
    else if (kv.type == "zset") t.columns = {"MEMBER", "SCORE"};
    else if (kv.type == "stream") t.columns = {"ID", "FIELDS"};
    else t.columns = {kv.type == "list" ? "ELEMENT" : "MEMBER"};
    for (const auto& [a, b] : kv.elements)
      t.rows.push_back(t.columns.size() == 2 ? std::vector<output::Cell>{a, b} : std::vector<output::Cell>{a});
    doc.blocks.emplace_back(std::move(t));
    if (kv.truncated)
      doc.blocks.emplace_back(
          output::Text{fmt::format("... {} of {} shown (--limit)", kv.elements.size(), kv.length), output::Tone::dim});
  }
  doc.json["keys"] = list;
  return doc;
}

output::Document render_set(const std::string& key, bool written, std::size_t bytes, const SetOptions& o) {
  output::Document doc;
  doc.json = {{"key", decode::json_bytes(key)},
              {"set", written},
              {"bytes", bytes},
              {"ttl_ms", o.ttl ? Json(o.ttl->count()) : Json(nullptr)}};
  doc.blocks.emplace_back(output::Text{
      written ? fmt::format("OK: {} bytes written", bytes)
              : std::string(o.nx ? "not set: the key already exists (--nx)" : "not set: the key does not exist (--xx)"),
      written ? output::Tone::good : output::Tone::warn});
  return doc;
}

output::Document render_deleted(std::size_t requested, std::int64_t deleted) {
  output::Document doc;
  doc.json = {{"requested", requested}, {"deleted", deleted}};
  doc.blocks.emplace_back(output::Text{fmt::format("deleted {} of {} key(s)", deleted, requested)});
  return doc;
}

output::Document render_ttl(const std::string& key, const std::optional<std::int64_t>& ttl) {
  output::Document doc;
  doc.json = {{"key", decode::json_bytes(key)}, {"ttl_ms", ttl_json(ttl)}};
  doc.blocks.emplace_back(
      output::Text{ttl ? fmt::format("{} ({} ms)", ttl_text(ttl), *ttl) : std::string("no expiry")});
  return doc;
}

output::Document render_persist(const std::string& key, bool removed) {
  output::Document doc;
  doc.json = {{"key", decode::json_bytes(key)}, {"ttl_removed", removed}};
  doc.blocks.emplace_back(output::Text{removed ? "TTL removed: the key no longer expires" : "the key had no TTL"});
  return doc;
}

output::Document render_keys(const KeyListing& l) {
  output::Document doc;
  Json keys = Json::array();
  output::Table t;
  t.columns = {"KEY", "TYPE", "TTL", "SIZE", "MEMORY", "NODE"};
  t.numeric = {false, false, true, true, true, false};
  for (const auto& k : l.keys) {
    keys.push_back({{"key", decode::json_bytes(k.key)},
                    {"type", k.type},
                    {"ttl_ms", ttl_json(k.ttl_ms)},
                    {"length", k.length},
                    {"memory_bytes", k.memory_bytes ? Json(*k.memory_bytes) : Json(nullptr)},
                    {"node", k.node}});
    t.rows.push_back({k.key, k.type, ttl_text(k.ttl_ms), size_text(k.type, k.length),
                      k.memory_bytes ? util::format_bytes(*k.memory_bytes) : "-", k.node});
  }
  doc.json = {{"prefix", decode::json_bytes(l.prefix)},
              {"pattern", decode::json_bytes(l.pattern)},
              {"count", l.keys.size()},
              {"truncated", l.truncated},
              {"interrupted", l.interrupted},
              {"keys", keys}};
  doc.blocks.emplace_back(std::move(t));
  doc.blocks.emplace_back(
      output::Text{fmt::format("{} keys{}", l.keys.size(),
                               l.interrupted ? " (interrupted: the keys found before the scan stopped)"
                               : l.truncated ? " (limit reached; raise --limit for more)"
                                             : ""),
                   output::Tone::dim});
  return doc;
}

std::string keys_glob_hint(const KeyListing& l) {
  auto glob = l.prefix.find_first_of("*?[");
  if (!l.keys.empty() || glob == std::string::npos) return {};
  auto literal = l.prefix.substr(0, glob);
  auto msg = fmt::format(
      "no key starts with the literal text '{}': PREFIX is literal, glob characters match "
      "themselves",
      l.prefix);
  if (!literal.empty()) msg += fmt::format("; for keys starting with '{}' run: rctl cache keys '{}'", literal, literal);
  return msg;
}

output::Document render_invalidate(const InvalidateReport& r) {
  output::Document doc;
  double rate = r.seconds > 0 ? static_cast<double>(r.dry_run ? r.matched() : r.deleted()) / r.seconds : 0;
  Json nodes = Json::array();
  output::Table t;
  t.columns = {"NODE", "SCANS", "MATCHED", r.dry_run ? "WOULD DELETE" : "DELETED", "STATUS"};
  t.numeric = {false, true, true, true, false};
  for (const auto& n : r.nodes) {
    Json sample = Json::array();
    for (const auto& s : n.sample) sample.push_back(decode::json_bytes(s));
    nodes.push_back({{"address", n.address},
                     {"scan_calls", n.scan_calls},
                     {"matched", n.matched},
                     {"deleted", n.deleted},
                     {"outcome_unknown", n.outcome_unknown},
                     {"skipped", n.skipped},
                     {"complete", n.complete},
                     {"cursor", n.cursor},
                     {"error", n.error ? Json{{"kind", rctl::to_string(n.error->kind)}, {"message", n.error->message}}
                                       : Json(nullptr)},
                     {"sample", sample}});
    auto status = n.error      ? output::Cell(n.error->message, output::Tone::bad)
                  : n.complete ? output::Cell("complete", output::Tone::good)
                               : output::Cell(fmt::format("stopped at cursor {}", n.cursor), output::Tone::warn);
    t.rows.push_back({n.address, util::format_count(static_cast<std::int64_t>(n.scan_calls)),
                      util::format_count(static_cast<std::int64_t>(n.matched)),
                      util::format_count(static_cast<std::int64_t>(r.dry_run ? n.matched - n.skipped : n.deleted)),
                      status});
  }
  Json sample = Json::array();
  for (const auto& n : r.nodes)
    for (const auto& s : n.sample) sample.push_back(decode::json_bytes(s));
  doc.json = {{"target", r.target},
              {"prefix", decode::json_bytes(r.prefix)},
              {"pattern", decode::json_bytes(r.pattern)},
              {"dry_run", r.dry_run},
              {"complete", r.complete()},
              {"interrupted", r.interrupted},
              {"nodes_count", r.nodes.size()},
              {"scan_calls", r.scan_calls()},
              {"matched", r.matched()},
              {"deleted", r.deleted()},
              {"outcome_unknown", r.outcome_unknown()},
              {"seconds", std::round(r.seconds * 1000) / 1000},
              {"keys_per_sec", static_cast<std::int64_t>(std::round(rate))},
              {"used_del", r.used_del},
              {"passes", r.passes},
              {"incomplete_reason", r.incomplete_reason.empty() ? Json(nullptr) : Json(r.incomplete_reason)},
              {"nodes", nodes}};
  if (r.dry_run) doc.json["sample"] = sample;

  output::Fields f;
  f.add("target", r.target);
  f.add("pattern", output::Cell::pattern(fmt::format("SCAN MATCH {}", r.pattern)));
  f.add("nodes", fmt::format("{} primar{}", r.nodes.size(), r.nodes.size() == 1 ? "y" : "ies"));
  if (r.dry_run)
    f.add("would delete",
          output::Cell(util::format_count(static_cast<std::int64_t>(r.matched())), output::Tone::strong));
  else f.add("deleted", output::Cell(util::format_count(static_cast<std::int64_t>(r.deleted())), output::Tone::strong));
  if (r.outcome_unknown() > 0)
    f.add("outcome unknown",
          output::Cell(fmt::format("{} more keys (UNLINK sent, connection lost before the reply)",
                                   util::format_count(static_cast<std::int64_t>(r.outcome_unknown()))),
                       output::Tone::warn));
  f.add("time", fmt::format("{:.2f}s ({} keys/s)", r.seconds, util::format_count(static_cast<std::int64_t>(rate))));
  if (r.interrupted) f.add("status", output::Cell("interrupted", output::Tone::warn));
  else if (!r.incomplete_reason.empty())
    f.add("status", output::Cell("incomplete: " + r.incomplete_reason, output::Tone::bad));
  else if (!r.complete()) f.add("status", output::Cell("incomplete", output::Tone::bad));
  else f.add("status", output::Cell(r.dry_run ? "dry run: nothing deleted" : "complete", output::Tone::good));
  doc.blocks.emplace_back(std::move(f));
  doc.blocks.emplace_back(std::move(t));
  if (r.dry_run && !sample.empty()) {
    output::Table s;
    s.title = "Sample";
    s.columns = {"KEY"};
    for (const auto& n : r.nodes)
      for (const auto& k : n.sample) s.rows.push_back({k});
    doc.blocks.emplace_back(std::move(s));
  }
  return doc;
}

}  // namespace rctl::cache
