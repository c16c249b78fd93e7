#include "keys/keys.hpp"

#include "client/server_error.hpp"
#include "cluster/scan.hpp"
#include "cluster/slot.hpp"
#include "server/info.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <memory>

namespace rctl::keys {

namespace {

using Clock = std::chrono::steady_clock;

// The type a length command answers for (a reply that is not WRONGTYPE names it).
const char* type_of_length(std::string_view length) {
  if (length == "STRLEN") return "string";
  if (length == "LLEN") return "list";
  if (length == "SCARD") return "set";
  if (length == "ZCARD") return "zset";
  if (length == "HLEN") return "hash";
  return "stream";
}

// The length command of a type; nullptr for types without one (modules).
const char* length_command(std::string_view type) {
  if (type == "string") return "STRLEN";
  if (type == "list") return "LLEN";
  if (type == "set") return "SCARD";
  if (type == "zset") return "ZCARD";
  if (type == "hash") return "HLEN";
  if (type == "stream") return "XLEN";
  return nullptr;
}

// The reply a command of a key's read fills in.
enum class Field { type, bytes, ttl, encoding, activity, elements };

// What is left to decide about a key once its replies are in.
struct KeyState {
  bool moved = false;  // a command got MOVED/ASK/TRYAGAIN: read it again through the router
  bool gone = false;  // expired or deleted between SCAN and the reads
  const char* guessed = nullptr;  // the length command sent instead of TYPE (TypeGuesses)
};

// Key shapes whose type is remembered for guessing (see TypeGuesses); a bound on the memory.
constexpr std::size_t k_max_key_shapes = 10'000;

// The type of the last key of each shape (its name with id segments as `*`): keys of one
// shape nearly always share a type, so the length command of that type goes out first, in
// place of TYPE: a reply other than WRONGTYPE names the type. That saves the server TYPE and
// a second cold lookup of the key (on Redis 7.0 a command on a cold key costs ~1.2 us, on a
// warm one ~0.2 us), and the page a round trip. A wrong guess costs one WRONGTYPE reply, then
// TYPE and the right length command follow.
class TypeGuesses {
 public:
  explicit TypeGuesses(std::string separator) : m_separator(std::move(separator)) {}
  const char* length_for(std::string_view key) {
    auto it = m_types.find(shape(key));
    return it == m_types.end() ? nullptr : length_command(it->second);
  }
  void learn(std::string_view key, const std::string& type) {
    auto name = shape(key);
    if (auto it = m_types.find(name); it != m_types.end()) it->second = type;
    else if (m_types.size() < k_max_key_shapes) m_types.emplace(std::move(name), type);
  }

 private:
  std::string shape(std::string_view key) const { return key_shape(key, m_separator); }
  std::string m_separator;
  std::unordered_map<std::string, std::string> m_types;
};

// The commands that read one key, in the order their replies fill `fields`: TYPE first (its
// reply decides the length command, sent once it is known), MEMORY USAGE and OBJECT only
// while the node allows them.
std::vector<std::pair<client::Command, Field>> read_commands(const std::string& key, const NodeAnalysis& node,
                                                             const AnalyzeOptions& options, bool with_type = true) {
  std::vector<std::pair<client::Command, Field>> out;
  if (with_type) out.emplace_back(client::keyed({"TYPE", key}), Field::type);
  if (!node.memory_denied) {
    if (options.samples)
      out.emplace_back(client::keyed({"MEMORY", "USAGE", key, "SAMPLES", std::to_string(*options.samples)}),
                       Field::bytes);
    else out.emplace_back(client::keyed({"MEMORY", "USAGE", key}), Field::bytes);
    out.back().first.key_index = 2;
  }
  out.emplace_back(client::keyed({"PTTL", key}), Field::ttl);
  if (!node.object_denied) {
    out.emplace_back(client::keyed({"OBJECT", "ENCODING", key}), Field::encoding);
    out.back().first.key_index = 2;
    out.emplace_back(client::keyed({"OBJECT", node.lfu ? "FREQ" : "IDLETIME", key}), Field::activity);
    out.back().first.key_index = 2;
  }
  return out;
}

// Applies one reply to the key's record. Returns an error only for a TYPE that fails for
// another reason than a moved slot (the node cannot be read); MEMORY or OBJECT refused marks
// the node so that its next keys skip them.
std::optional<Error> apply_reply(KeyRecord& record, KeyState& state, Field field, resp::Value& reply,
                                 NodeAnalysis& node) {
  if (reply.is_error()) {
    if (cluster::slot_moved(reply)) {
      state.moved = true;
      return std::nullopt;
    }
    const bool refused = client::is_refusal(client::classify(reply.str));
    if (field == Field::type) return client::to_error(reply.str, "TYPE");
    if (refused && field == Field::bytes) node.memory_denied = true;
    if (refused && (field == Field::encoding || field == Field::activity)) node.object_denied = true;
    return std::nullopt;  // a field that cannot be read stays unknown
  }
  const bool number = reply.type == resp::Type::integer;
  switch (field) {
    case Field::type:
      if (!reply.is_string() || reply.str == "none") state.gone = true;
      else record.type = std::move(reply.str);
      break;
    case Field::bytes:
      if (number && reply.integer >= 0) record.bytes = static_cast<std::uint64_t>(reply.integer);
      break;
    case Field::ttl:
      if (number && reply.integer == -2) state.gone = true;
      else if (number && reply.integer >= 0) record.ttl_ms = reply.integer;
      break;
    case Field::encoding:
      if (reply.is_string()) record.encoding = std::move(reply.str);
      break;
    case Field::activity:
      if (number && node.lfu) record.freq = reply.integer;
      else if (number) record.idle_s = reply.integer;
      break;
    case Field::elements:
      if (number && reply.integer >= 0) record.elements = static_cast<std::uint64_t>(reply.integer);
      break;
  }
  return std::nullopt;
}

// FNV-1a: the same keys are sampled on every run and every platform.
double sample_point(std::string_view key) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return static_cast<double>(h >> 11) / static_cast<double>(std::uint64_t{1} << 53);
}

struct AnalyzePages;

// The replies of one page's keys.
struct KeyBatch {
  AnalyzePages* pages = nullptr;
  std::optional<cluster::Page> page;
  std::vector<KeyRecord> records;
  std::vector<KeyState> states;
  std::size_t remaining = 0;
};

// The domain side of the scan. Batches are owned here, not by their reply callbacks, so a
// callback holds two words (batch, index) and std::function stores it without allocating.
struct AnalyzePages {
  const AnalyzeOptions& options;
  const KeyVisitor& visit;
  AnalyzeReport& report;
  TypeGuesses guesses;
  std::uint64_t considered = 0;  // keys taken from SCAN pages, over all nodes (--max-keys)
  bool full = false;  // --max-keys reached
  std::vector<std::unique_ptr<KeyBatch>> batches{};

  void on_page(cluster::Page& page, std::vector<std::string> found) {
    auto& node = report.nodes[page.node()];
    auto owned = std::make_unique<KeyBatch>();
    KeyBatch* batch = owned.get();
    for (auto& key : found) {
      if (options.max_keys && considered >= *options.max_keys) {
        full = true;
        break;
      }
      ++considered;
      ++node.scanned;
      if (options.sample < 1.0 && sample_point(key) >= options.sample) continue;
      KeyRecord r;
      r.key = std::move(key);
      r.node = page.node();
      batch->records.push_back(std::move(r));
    }
    if (batch->records.empty()) return;
    const std::size_t n = batch->records.size();
    batch->pages = this;
    batch->page = page;
    batch->states.resize(n);
    batches.push_back(std::move(owned));
    // Held until every command is sent, so that fast replies cannot finish the batch early.
    batch->remaining = 1;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& key = batch->records[i].key;
      const char* guess = guesses.length_for(key);
      if (guess) {
        batch->states[i].guessed = guess;
        ++batch->remaining;
        page.send(client::keyed({guess, key}), reply_handler(batch, i, Field::elements), 1);
      }
      for (auto& [command, field] : read_commands(key, node, options, guess == nullptr)) {
        ++batch->remaining;
        // One unit of --max-rate per key, carried by its first command.
        const std::uint64_t weight = field == Field::type ? 1 : 0;
        page.send(std::move(command), reply_handler(batch, i, field), weight);
      }
    }
    done_one(*batch);
  }

  std::function<void(resp::Value)> reply_handler(KeyBatch* batch, std::size_t i, Field field) {
    switch (field) {
      case Field::type: return [batch, i](resp::Value r) { batch->pages->on_reply(*batch, i, Field::type, r); };
      case Field::bytes: return [batch, i](resp::Value r) { batch->pages->on_reply(*batch, i, Field::bytes, r); };
      case Field::ttl: return [batch, i](resp::Value r) { batch->pages->on_reply(*batch, i, Field::ttl, r); };
      case Field::encoding: return [batch, i](resp::Value r) { batch->pages->on_reply(*batch, i, Field::encoding, r); };
      case Field::activity: return [batch, i](resp::Value r) { batch->pages->on_reply(*batch, i, Field::activity, r); };
      case Field::elements: return [batch, i](resp::Value r) { batch->pages->on_reply(*batch, i, Field::elements, r); };
    }
    return {};
  }

  void on_reply(KeyBatch& batch, std::size_t i, Field field, resp::Value& reply) {
    auto& node = report.nodes[batch.page->node()];
    auto& record = batch.records[i];
    auto& state = batch.states[i];
    if (field == Field::elements && state.guessed && record.type.empty()) {
      // The guessed length command, sent in place of TYPE.
      // WRONGTYPE (a wrong guess), or the command refused: TYPE tells.
      if (reply.is_error() && !cluster::slot_moved(reply)) {
        ++batch.remaining;
        batch.page->send(client::keyed({"TYPE", record.key}), reply_handler(&batch, i, Field::type));
        return done_one(batch);
      }
      if (reply.type == resp::Type::integer) record.type = type_of_length(state.guessed);
    }
    if (auto error = apply_reply(record, state, field, reply, node)) return batch.page->fail(std::move(*error));
    if (field == Field::type && !state.gone && !state.moved) {
      guesses.learn(record.key, record.type);
      // TYPE is read only when there was no guess or it was wrong: the length command follows.
      if (const char* length = length_command(record.type)) {
        ++batch.remaining;
        batch.page->send(client::keyed({length, record.key}), reply_handler(&batch, i, Field::elements));
      }
    }
    done_one(batch);
  }

  void done_one(KeyBatch& batch) {
    if (--batch.remaining > 0) return;
    auto page = std::move(*batch.page);
    auto& node = report.nodes[page.node()];
    std::vector<std::string> moved;
    for (std::size_t i = 0; i < batch.records.size(); ++i) {
      if (batch.states[i].moved) moved.push_back(std::move(batch.records[i].key));
      else if (batch.states[i].gone) ++node.vanished;
      else take(batch.records[i], node);
    }
    if (!moved.empty()) page.moved(std::move(moved));
    auto it = std::find_if(batches.begin(), batches.end(), [&](const auto& b) { return b.get() == &batch; });
    if (it != batches.end()) {
      std::swap(*it, batches.back());
      batches.pop_back();
    }
  }

  void take(const KeyRecord& record, NodeAnalysis& node) {
    ++node.analyzed;
    report.agg.add(record);
    if (visit) visit(record, node.address);
  }
};

// Keys whose slot moved mid-scan, read again through the router (which follows MOVED/ASK)
// and counted on the node whose SCAN found them.
void replay_moved(cluster::Client& target, AnalyzePages& pages, std::vector<cluster::MovedKey>& moved) {
  auto& report = pages.report;
  if (util::interrupted() || moved.empty()) return;
  std::vector<client::Command> commands;
  std::vector<std::pair<std::size_t, Field>> owner;  // (moved index, field) per command
  for (std::size_t k = 0; k < moved.size(); ++k)
    for (auto& [command, field] : read_commands(moved[k].key, report.nodes[moved[k].node], pages.options)) {
      commands.push_back(std::move(command));
      owner.emplace_back(k, field);
    }
  auto fail = [&](const Error& e) {
    if (!report.nodes.front().error) report.nodes.front().error = e;
  };
  auto replies = target.exec_all(std::move(commands));
  if (!replies) return fail(replies.error());
  std::vector<KeyRecord> records(moved.size());
  std::vector<KeyState> states(moved.size());
  for (std::size_t k = 0; k < moved.size(); ++k) records[k].key = moved[k].key, records[k].node = moved[k].node;
  for (std::size_t c = 0; c < owner.size(); ++c) {
    auto [k, field] = owner[c];
    if (auto error = apply_reply(records[k], states[k], field, (*replies)[c], report.nodes[moved[k].node]))
      return fail(*error);
  }
  std::vector<client::Command> lengths;
  std::vector<std::size_t> length_owner;
  for (std::size_t k = 0; k < moved.size(); ++k)
    if (const char* length = length_command(records[k].type); length && !states[k].gone && !states[k].moved) {
      lengths.push_back(client::keyed({length, records[k].key}));
      length_owner.push_back(k);
    }
  auto length_replies = target.exec_all(std::move(lengths));
  if (!length_replies) return fail(length_replies.error());
  for (std::size_t c = 0; c < length_owner.size(); ++c) {
    auto k = length_owner[c];
    (void)apply_reply(records[k], states[k], Field::elements, (*length_replies)[c], report.nodes[moved[k].node]);
  }
  for (std::size_t k = 0; k < moved.size(); ++k) {
    auto& node = report.nodes[moved[k].node];
    // Moved twice during one run: counted as gone rather than chased further.
    if (states[k].gone || states[k].moved) ++node.vanished;
    else pages.take(records[k], node);
  }
}

// Before the scan, on the connection it will use: CLIENT NO-TOUCH ON (Redis >= 7.2) so that
// the length commands leave the keys' LRU/LFU data as they were (TYPE, MEMORY USAGE and
// OBJECT never touch it); DBSIZE, the eviction policy and INFO KEYSIZES of every node.
void read_node_info(cluster::Client& target, cluster::NodeSelection selection, AnalyzeReport& report) {
  auto outcomes = target.fan_out(selection, {client::cmd({"CLIENT", "NO-TOUCH", "ON"}), client::cmd({"DBSIZE"}),
                                             client::cmd({"INFO", "memory"}), client::cmd({"INFO", "keysizes"})});
  for (std::size_t i = 0; i < outcomes.size() && i < report.nodes.size(); ++i) {
    if (!outcomes[i].replies || outcomes[i].replies->size() != 4) continue;
    auto& r = *outcomes[i].replies;
    auto& node = report.nodes[i];
    node.no_touch = !r[0].is_error();
    if (r[1].type == resp::Type::integer && r[1].integer > 0) node.dbsize = static_cast<std::uint64_t>(r[1].integer);
    if (r[2].is_string()) {
      auto info = server::Info::parse(r[2].str);
      node.policy = std::string(info.get_or("maxmemory_policy", ""));
      node.lfu = node.policy.find("lfu") != std::string::npos;
    }
    if (r[3].is_string()) merge_keysizes(report.keysizes, parse_keysizes(r[3].str));
  }
}

}  // namespace

AnalyzeReport analyze(cluster::Client& target, const AnalyzeOptions& options, const KeyVisitor& visit,
                      const AnalyzeProgress& progress) {
  auto start = Clock::now();
  AnalyzeReport report(options);
  const auto selection = options.replicas ? cluster::NodeSelection::replicas : cluster::NodeSelection::primaries;
  auto nodes = target.select(selection);
  report.nodes.resize(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    report.nodes[i].address = target.label(*nodes[i]);
    report.nodes[i].replica = target.is_cluster() && !nodes[i]->primary;
  }
  read_node_info(target, selection, report);

  AnalyzePages pages{options, visit, report, TypeGuesses(options.separator)};
  cluster::ScanRun run;
  cluster::scan_primaries(
      target,
      {.pattern = options.prefix.empty() ? std::string("*") : util::prefix_pattern(options.prefix),
       .count = options.count,
       .max_in_flight = k_keys_pages_in_flight,
       .max_rate = options.max_rate,
       // SCAN on its own connection runs ahead of the key reads: on one connection each SCAN
       // reply waited behind the commands of every page in flight.
       .separate_connection = true,
       // The reads go out on that second connection: it must not touch the keys either.
       .work_setup = {client::cmd({"CLIENT", "NO-TOUCH", "ON"})},
       .nodes = selection,
       // --max-keys ends the walk the way Ctrl-C does; which of the two it was is told apart below.
       .interrupted = [&] { return pages.full || util::interrupted(); },
       .tick =
           [&] {
             cluster::copy_scan_progress(run, report, start);
             if (progress) progress(report);
           }},
      {.on_page = [&](cluster::Page& page, std::vector<std::string> keys) { pages.on_page(page, std::move(keys)); },
       .replay = [&](std::vector<cluster::MovedKey> moved) { replay_moved(target, pages, moved); }},
      run);
  cluster::copy_scan_progress(run, report, start);
  report.unstable = run.unstable;
  report.interrupted = util::interrupted();
  report.stopped_at_max_keys = pages.full && !report.interrupted;
  return report;
}

}  // namespace rctl::keys
