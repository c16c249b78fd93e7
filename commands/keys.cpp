// rctl keys analyze: what is using the memory, across every node.

#include "context.hpp"
#include "progress.hpp"

#include "keys/keys.hpp"
#include "keys/render.hpp"
#include "util/duration.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace rctl::commands {

namespace {

struct KeysAnalyzeFlags {
  std::string prefix;
  std::string separator = ":";
  std::size_t depth = 3;
  std::size_t max_groups = 1000;
  std::size_t top = 10;
  std::optional<std::uint32_t> samples;
  std::optional<double> sample;
  std::optional<std::uint64_t> max_keys;
  std::optional<double> max_rate;
  bool replicas = false;
  std::string keys_out;
};

// --keys-out: every key's row, written as the scan goes (one row buffered at a time).
class KeysOutFile {
 public:
  // Opens `path` for writing; its extension (.csv, .jsonl or .ndjson) picks the format.
  explicit KeysOutFile(const std::string& path) : m_path(path) {
    m_csv = path.ends_with(".csv");
    if (!m_csv && !path.ends_with(".jsonl") && !path.ends_with(".ndjson"))
      throw Failure(ErrorKind::usage, fmt::format("--keys-out: '{}' ends in neither .csv nor .jsonl", path),
                    "the extension picks the format: keys.csv for spreadsheets, keys.jsonl for jq");
    m_file = std::fopen(path.c_str(), "wb");
    if (!m_file)
      throw Failure(ErrorKind::usage, fmt::format("--keys-out: cannot open '{}': {}", path, std::strerror(errno)));
    if (m_csv) write(keys::keys_out_csv_header());
  }
  KeysOutFile(const KeysOutFile&) = delete;
  KeysOutFile& operator=(const KeysOutFile&) = delete;
  ~KeysOutFile() {
    if (m_file) std::fclose(m_file);
  }

  void add(const keys::KeyRecord& record, const std::string& node) {
    write(m_csv ? keys::keys_out_csv_row(record, node) : keys::keys_out_json_line(record, node));
  }

  // Flushes and closes; throws when any write failed (a full disk must not pass as done).
  void close() {
    const bool flushed = std::fflush(m_file) == 0 && !std::ferror(m_file);
    const bool closed = std::fclose(m_file) == 0;
    m_file = nullptr;
    if (!m_failed && flushed && closed) return;
    throw Failure(ErrorKind::internal, fmt::format("--keys-out: writing '{}' failed", m_path),
                  "the file is incomplete; check the disk it goes to");
  }

 private:
  void write(const std::string& line) {
    if (!m_failed && std::fwrite(line.data(), 1, line.size(), m_file) != line.size()) m_failed = true;
  }
  std::string m_path;
  std::FILE* m_file = nullptr;
  bool m_csv = false;
  bool m_failed = false;
};

std::string keys_progress_text(const keys::AnalyzeReport& r) {
  const auto scanned = r.scanned();
  const double rate = r.seconds > 0 ? static_cast<double>(scanned) / r.seconds : 0;
  std::string eta;
  if (const auto total = r.dbsize(); rate > 0 && total > scanned && r.options.prefix.empty())
    eta = ", ETA " + util::format_duration(
                         util::Millis(static_cast<std::int64_t>(1000.0 * static_cast<double>(total - scanned) / rate)));
  return fmt::format("scanned {} of ~{} keys on {} node(s), {} keys/s{}",
                     util::format_count(static_cast<std::int64_t>(scanned)),
                     util::format_count(static_cast<std::int64_t>(r.dbsize())), r.nodes.size(),
                     util::format_count(static_cast<std::int64_t>(rate)), eta);
}

// keys_progress_text as a value for with_progress.
constexpr auto keys_progress = [](const keys::AnalyzeReport& r) { return keys_progress_text(r); };

keys::AnalyzeOptions analyze_options(const KeysAnalyzeFlags& f) {
  keys::AnalyzeOptions o;
  o.prefix = f.prefix;
  o.separator = f.separator;
  o.depth = f.depth;
  o.max_groups = f.max_groups;
  o.top = f.top;
  o.samples = f.samples;
  if (f.sample) {
    if (!(*f.sample > 0 && *f.sample <= 1))
      throw Failure(ErrorKind::usage, "--sample takes a ratio in (0, 1], such as 0.1 for one key in ten");
    o.sample = *f.sample;
  }
  if (f.max_keys && !f.prefix.empty())
    // The estimate scales by DBSIZE, which counts every key, not those under the prefix.
    throw Failure(ErrorKind::usage, "--max-keys cannot be combined with a PREFIX",
                  "use --sample RATIO for a quick estimate of a prefix");
  o.max_keys = f.max_keys;
  o.max_rate = f.max_rate;
  o.replicas = f.replicas;
  return o;
}

int run_keys_analyze(Context& ctx, const KeysAnalyzeFlags& f) {
  auto options = analyze_options(f);
  std::unique_ptr<KeysOutFile> out;
  if (!f.keys_out.empty()) out = std::make_unique<KeysOutFile>(f.keys_out);
  auto& target = ctx.connect();
  keys::KeyVisitor visit;
  if (out) visit = [&out](const keys::KeyRecord& r, const std::string& node) { out->add(r, node); };
  auto report = with_progress(ctx.printer(), keys_progress, [&](const auto& on_progress) {
    return keys::analyze(target, options, visit, on_progress);
  });
  if (out) out->close();
  ctx.printer().emit(keys::render_analyze(report));
  if (report.interrupted) return interrupted_exit(ctx.printer(), "interrupted: the report is partial");
  for (const auto& n : report.nodes)
    if (n.error)
      return failed_exit(ctx.printer(), *n.error,
                         fmt::format("{}: {} (the report is incomplete)", n.address, n.error->message));
  return 0;
}

}  // namespace

void register_keys(CLI::App& app, Context& ctx) {
  auto* keys = app.add_subcommand("keys", "What is using the memory: keyspace analysis across every node");
  keys->require_subcommand(1);
  auto f = std::make_shared<KeysAnalyzeFlags>();
  auto* cmd = keys->add_subcommand(
      "analyze", "Memory by prefix, type and encoding, the biggest keys, TTL and idle time, from every node");
  cmd->add_option("prefix", f->prefix, "Only keys starting with this literal prefix")->type_name("PREFIX");
  cmd->add_option("--separator", f->separator, "Splits key names into the prefix tree (default ':')")->type_name("SEP");
  cmd->add_option("--depth", f->depth, "Levels of the prefix tree (default 3)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{16}));
  cmd->add_option("--max-groups", f->max_groups, "Prefix groups kept; the rest count as 'other' (default 1000)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  cmd->add_option("--top", f->top, "Keys in each top list (default 10)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{0}, std::size_t{10'000}));
  cmd->add_option("--samples", f->samples, "MEMORY USAGE SAMPLES: nested values sampled (0: all; server default 5)")
      ->type_name("N")
      ->check(CLI::Range(std::uint32_t{0}, std::uint32_t{1'000'000}));
  cmd->add_option("--sample", f->sample, "Read this share of the keys, (0, 1], and scale the totals (an estimate)")
      ->type_name("RATIO");
  cmd->add_option("--max-keys", f->max_keys, "Stop after this many keys and scale by DBSIZE (an estimate)")
      ->type_name("N")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 62));
  cmd->add_option("--max-rate", f->max_rate, "Read at most this many keys per second (all nodes)")
      ->type_name("KEYS_PER_SEC")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--replicas", f->replicas, "Scan one replica per shard instead of the primaries (spares production)");
  cmd->add_option("--keys-out", f->keys_out, "Also write every key's row to FILE: .csv or .jsonl")->type_name("FILE");
  cmd->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_keys_analyze(ctx, *f); }; });
}

}  // namespace rctl::commands
