// libFuzzer target: INFO text from a server, through everything that reads it and every
// form it is printed in (stats and health: table, JSON, Prometheus).
//
// INFO is untrusted input like any reply: a hostile or broken server (or proxy) chooses the
// field names, the values and the comma lists inside them. Invariants: never crashes; the
// table form holds no control byte but '\n' (nothing reaches a terminal raw); the JSON form
// is valid JSON; the Prometheus form is valid exposition text (HELP/TYPE comments and
// `name{label="escaped",...} value` samples) in valid UTF-8.

#include "decode/bytes.hpp"
#include "health/health.hpp"
#include "health/render.hpp"
#include "server/info.hpp"
#include "stats/stats.hpp"
#include "stats/render.hpp"
#include "output/printer.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace rctl;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_info: %s\n", what);
  std::abort();
}

void check_terminal_safe(std::string_view text, const char* form) {
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && b != '\n') || b == 0x7f) {
      std::fprintf(stderr, "fuzz_info: raw control byte 0x%02x in %s output\n", b, form);
      std::abort();
    }
  }
  if (!decode::is_valid_utf8(text)) fail("table output is not valid UTF-8");
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// One sample line: name, optional {label="value",...}, one space, a value with no space.
bool valid_sample(std::string_view line) {
  std::size_t i = 0;
  if (i >= line.size() || !is_name_start(line[i])) return false;
  while (i < line.size() && is_name_char(line[i])) ++i;
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      if (!is_name_start(line[i]) || line[i] == ':') return false;
      while (i < line.size() && is_name_char(line[i])) ++i;
      if (line.substr(i, 2) != "=\"") return false;
      i += 2;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\') {
          if (i + 1 >= line.size() || (line[i + 1] != '\\' && line[i + 1] != '"' && line[i + 1] != 'n')) return false;
          ++i;
        }
        ++i;
      }
      if (i >= line.size()) return false;
      ++i;  // closing quote
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return false;
    ++i;  // '}'
  }
  if (i >= line.size() || line[i] != ' ') return false;
  const auto value = line.substr(i + 1);
  return !value.empty() && value.find(' ') == std::string_view::npos;
}

void check_prometheus(std::string_view text) {
  if (!decode::is_valid_utf8(text)) fail("prometheus output is not valid UTF-8");
  if (!text.empty() && text.back() != '\n') fail("prometheus output does not end with a newline");
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find('\n', pos);
    const auto line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    for (char c : line)
      if (static_cast<unsigned char>(c) < 0x20) fail("control byte in a prometheus line");
    if (!valid_sample(line)) {
      std::fprintf(stderr, "fuzz_info: bad sample line: %.*s\n", static_cast<int>(line.size()), line.data());
      std::abort();
    }
  }
}

// `text` without the SGR colour sequences (ESC [ digits/semicolons m) the printer adds.
std::string strip_colour(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      std::size_t j = i + 2;
      while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == ';')) ++j;
      if (j < text.size() && text[j] == 'm') {
        i = j;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

void check_document(const output::Document& doc, bool prometheus) {
  const std::string plain = output::render_table(doc, false);
  check_terminal_safe(plain, "table");
  // Colour adds the printer's own SGR codes and nothing else: a hostile "\x1b[31m" in the
  // data would be escaped in both forms and so survive the stripping.
  if (strip_colour(output::render_table(doc, true)) != plain) fail("colour table differs from the plain one");
  const std::string json = output::render_json(doc.json);
  if (!nlohmann::json::accept(json)) fail("JSON output is not valid JSON");
  if (prometheus && doc.prometheus) check_prometheus(*doc.prometheus);
  if (doc.nagios) check_terminal_safe(*doc.nagios, "nagios");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const server::Info info = server::Info::parse(text);
  (void)stats::command_stats(info);
  (void)stats::keyspace_stats(info);
  for (auto key : info.keys_with_prefix("slave")) (void)server::parse_kv_list(*info.get(key));

  stats::StatsReport stats;
  stats.target = "redis://127.0.0.1:6379";
  stats::NodeStats node;
  node.address = "127.0.0.1:6379";
  node.role = info.get_or("role", "master") == "slave" ? "replica" : "master";
  node.info = info;
  stats.nodes.push_back(node);
  check_document(stats::render_stats(stats), true);
  check_prometheus(stats::prometheus_text(stats));
  (void)stats::compute_rates(stats, stats);

  health::HealthReport health;
  health.target = stats.target;
  health.cluster = true;
  health::NodeHealth n;
  n.address = node.address;
  n.role = node.role;
  n.reachable = true;
  n.info = info;
  n.cluster_info = info;
  health.nodes.push_back(n);
  health.cluster_summary = health::ClusterSummary{};
  health.cluster_summary->state = std::string(info.get_or("cluster_state", "unknown"));
  health.checks.push_back({"loading", health::Level::warning, std::string(info.get_or("loading", "")), n.address});
  health::HealthOptions options;
  check_document(health::render_health(health, options), false);
  return 0;
}
