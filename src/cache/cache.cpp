#include "cache/cache.hpp"

#include "client/server_error.hpp"
#include "cluster/scan.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rctl::cache {

namespace {

using client::keyed;

resp::Value check(Expected<resp::Value> reply, std::string_view what) {
  auto value = value_or_throw(std::move(reply));
  if (value.is_error()) throw Failure(client::to_error(value.str, what));
  return value;
}

// A reply of a type the command never returns means the server (or a proxy) is not speaking
// Redis: stop rather than read a number out of a string.
[[noreturn]] void wrong_type(const resp::Value& value, std::string_view what, std::string_view wanted) {
  const std::string_view type = resp::to_string(value.type);
  throw Failure(ErrorKind::protocol,
                fmt::format("protocol error: {} answered with {} {} where {} was expected", what,
                            type.find_first_of("aeiou") == 0 ? "an" : "a", type, wanted),
                "the server, or something in between, sent a reply of the wrong type");
}

void require_integer(const resp::Value& value, std::string_view what) {
  if (value.type != resp::Type::integer) wrong_type(value, what, "an integer");
}

resp::Value check_integer(Expected<resp::Value> reply, std::string_view what) {
  auto value = check(std::move(reply), what);
  require_integer(value, what);
  return value;
}

std::vector<resp::Value> run_all(cluster::Client& target, std::vector<client::Command> commands) {
  return value_or_throw(target.exec_all(std::move(commands)));
}

// The command that gives a key's length for its type.
std::optional<client::Command> length_command(const std::string& type, const std::string& key) {
  if (type == "string") return keyed({"STRLEN", key});
  if (type == "hash") return keyed({"HLEN", key});
  if (type == "list") return keyed({"LLEN", key});
  if (type == "set") return keyed({"SCARD", key});
  if (type == "zset") return keyed({"ZCARD", key});
  if (type == "stream") return keyed({"XLEN", key});
  return std::nullopt;
}

// Flattened pairs from a map/array reply (HGETALL in RESP2 and RESP3, ZRANGE WITHSCORES).
void take_pairs(const resp::Value& v, KeyValue& out, std::size_t limit) {
  if (v.type == resp::Type::map || (v.is_list() && !v.elements.empty() && !v.elements[0].is_list())) {
    for (std::size_t i = 0; i + 1 < v.elements.size() && out.elements.size() < limit; i += 2) {
      const auto& second = v.elements[i + 1];
      out.elements.emplace_back(
          v.elements[i].str, second.type == resp::Type::double_number ? fmt::format("{}", second.number) : second.str);
    }
    return;
  }
  // RESP3 ZRANGE WITHSCORES: [[member, score], ...]
  for (const auto& pair : v.elements) {
    if (out.elements.size() >= limit) break;
    if (pair.elements.size() == 2)
      out.elements.emplace_back(pair.elements[0].str, pair.elements[1].type == resp::Type::double_number
                                                          ? fmt::format("{}", pair.elements[1].number)
                                                          : pair.elements[1].str);
  }
}

// SSCAN/HSCAN pages until `limit` elements (for collections too big to read whole).
void scan_collection(cluster::Client& target, const char* command, KeyValue& out, std::size_t limit, bool pairs) {
  std::string cursor = "0";
  do {
    auto reply = check(
        target.exec(keyed({command, out.key, cursor, "COUNT", std::to_string(std::min<std::size_t>(limit, 1000))})),
        command);
    if (reply.elements.size() != 2) break;
    cursor = reply.elements[0].str;
    const auto& items = reply.elements[1].elements;
    if (pairs) {
      for (std::size_t i = 0; i + 1 < items.size() && out.elements.size() < limit; i += 2)
        out.elements.emplace_back(items[i].str, items[i + 1].str);
    } else {
      for (const auto& item : items) {
        if (out.elements.size() >= limit) break;
        out.elements.emplace_back(item.str, "");
      }
    }
  } while (cursor != "0" && out.elements.size() < limit);
}

std::string stream_fields(const resp::Value& fields) {
  std::string text;
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2)
    text += fmt::format("{}{}={}", text.empty() ? "" : " ", fields.elements[i].str, fields.elements[i + 1].str);
  return text;
}

void read_contents(cluster::Client& target, KeyValue& kv, const GetOptions& options) {
  auto limit = options.limit;
  auto n = std::to_string(limit);
  auto last = std::to_string(limit == 0 ? 0 : limit - 1);
  const auto& type = kv.type;
  if (type == "hash") {
    if (static_cast<std::size_t>(kv.length) <= limit)
      take_pairs(check(target.exec(keyed({"HGETALL", kv.key})), "HGETALL"), kv, limit);
    else scan_collection(target, "HSCAN", kv, limit, true);
  } else if (type == "list") {
    for (auto& item : check(target.exec(keyed({"LRANGE", kv.key, "0", last})), "LRANGE").elements)
      kv.elements.emplace_back(std::move(item.str), "");
  } else if (type == "set") {
    if (static_cast<std::size_t>(kv.length) <= limit)
      for (auto& item : check(target.exec(keyed({"SMEMBERS", kv.key})), "SMEMBERS").elements)
        kv.elements.emplace_back(std::move(item.str), "");
    else scan_collection(target, "SSCAN", kv, limit, false);
    std::sort(kv.elements.begin(), kv.elements.end());
  } else if (type == "zset") {
    take_pairs(check(target.exec(keyed({"ZRANGE", kv.key, "0", last, "WITHSCORES"})), "ZRANGE"), kv, limit);
  } else if (type == "stream") {
    for (const auto& entry : check(target.exec(keyed({"XRANGE", kv.key, "-", "+", "COUNT", n})), "XRANGE").elements)
      if (entry.elements.size() == 2) kv.elements.emplace_back(entry.elements[0].str, stream_fields(entry.elements[1]));
  }
  kv.truncated = static_cast<std::size_t>(kv.length) > kv.elements.size();
}

}  // namespace

std::vector<KeyValue> get_keys(cluster::Client& target, const std::vector<std::string>& keys,
                               const GetOptions& options) {
  std::vector<client::Command> first;
  for (const auto& key : keys) {
    first.push_back(keyed({"TYPE", key}));
    first.push_back(keyed({"PTTL", key}));
    first.push_back(keyed({"GET", key}));  // WRONGTYPE for non-strings; saves a round trip
  }
  auto replies = run_all(target, std::move(first));
  std::vector<KeyValue> out(keys.size());
  std::vector<client::Command> lengths;
  std::vector<std::size_t> length_of;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto& kv = out[i];
    kv.key = keys[i];
    const auto& type = replies[3 * i];
    const auto& pttl = replies[3 * i + 1];
    auto& get = replies[3 * i + 2];
    if (type.is_error()) throw Failure(client::to_error(type.str, "TYPE"));
    if (!type.is_string()) wrong_type(type, "TYPE", "a type name");
    if (pttl.is_error()) throw Failure(client::to_error(pttl.str, "PTTL"));
    require_integer(pttl, "PTTL");
    kv.type = type.str;
    kv.exists = kv.type != "none";
    if (!kv.exists) continue;
    // GET on a non-string is expected to answer WRONGTYPE; any other error (NOPERM for an
    // ACL user without `get`) is the answer to this read and must not look like "no value".
    if (get.is_error() && (kv.type == "string" || client::classify(get.str) != client::ServerErrorKind::wrong_type))
      throw Failure(client::to_error(get.str, "GET"));
    if (pttl.type == resp::Type::integer && pttl.integer >= 0) kv.ttl_ms = pttl.integer;
    if (kv.type == "string" && !get.is_string() && !get.is_error() && !get.is_null())
      wrong_type(get, "GET", "a string");
    if (kv.type == "string" && get.is_string()) {
      kv.raw = std::move(get.str);
      kv.length = static_cast<std::int64_t>(kv.raw.size());
      kv.decoded = value_or_throw(decode::decode(kv.raw, options.mode));
    } else if (auto cmd = length_command(kv.type, kv.key)) {
      lengths.push_back(std::move(*cmd));
      length_of.push_back(i);
    }
  }
  if (!lengths.empty()) {
    auto counts = run_all(target, std::move(lengths));
    for (std::size_t j = 0; j < counts.size(); ++j) {
      auto& kv = out[length_of[j]];
      if (counts[j].is_error()) throw Failure(client::to_error(counts[j].str, length_command(kv.type, kv.key)->name()));
      if (counts[j].type == resp::Type::integer) kv.length = counts[j].integer;
      read_contents(target, kv, options);
    }
  }
  return out;
}

bool set_key(cluster::Client& target, const std::string& key, const std::string& value, const SetOptions& options) {
  auto c = keyed({"SET", key, value});
  if (options.ttl) {
    c.args.emplace_back("PX");
    c.args.push_back(std::to_string(options.ttl->count()));
  } else if (options.keep_ttl) {
    c.args.emplace_back("KEEPTTL");
  }
  if (options.nx) c.args.emplace_back("NX");
  if (options.xx) c.args.emplace_back("XX");
  // NX answers differently when sent twice (the second finds the key it wrote), so a lost
  // connection makes the outcome unknown rather than a reason to send it again.
  if (options.nx) c.unsafe_to_retry();
  auto reply = check(target.exec(std::move(c)), "SET");
  if (!reply.is_null() && !reply.is_string()) wrong_type(reply, "SET", "OK or nil");
  return !reply.is_null();
}

std::int64_t delete_keys(cluster::Client& target, const std::vector<std::string>& keys) {
  std::vector<client::Command> commands;
  // The count a delete answers is not idempotent (sent twice, the second finds nothing), so
  // a lost connection is reported as "outcome unknown", never answered by sending it again.
  for (const auto& key : keys) commands.push_back(keyed({"UNLINK", key}).unsafe_to_retry());
  auto replies = run_all(target, commands);
  std::int64_t deleted = 0;
  bool fallback = false;
  for (const auto& r : replies) {
    if (r.is_error() && client::classify(r.str) == client::ServerErrorKind::unknown_command) fallback = true;
    else if (r.is_error()) throw Failure(client::to_error(r.str, "UNLINK"));
    else {
      require_integer(r, "UNLINK");
      deleted += r.integer;
    }
  }
  if (fallback) {  // Redis < 4.0 has no UNLINK
    deleted = 0;
    std::vector<client::Command> dels;
    for (const auto& key : keys) dels.push_back(keyed({"DEL", key}).unsafe_to_retry());
    for (const auto& r : run_all(target, dels)) {
      if (r.is_error()) throw Failure(client::to_error(r.str, "DEL"));
      require_integer(r, "DEL");
      deleted += r.integer;
    }
  }
  return deleted;
}

std::optional<std::int64_t> key_ttl(cluster::Client& target, const std::string& key) {
  auto reply = check_integer(target.exec(keyed({"PTTL", key})), "PTTL");
  if (reply.integer == -2) throw Failure(ErrorKind::not_found, fmt::format("key '{}' does not exist", key));
  if (reply.integer < 0) return std::nullopt;
  return reply.integer;
}

void expire_key(cluster::Client& target, const std::string& key, std::chrono::milliseconds ttl) {
  auto reply = check_integer(target.exec(keyed({"PEXPIRE", key, std::to_string(ttl.count())})), "PEXPIRE");
  if (reply.integer == 0) throw Failure(ErrorKind::not_found, fmt::format("key '{}' does not exist", key));
}

bool persist_key(cluster::Client& target, const std::string& key) {
  std::vector<client::Command> commands;
  commands.push_back(keyed({"EXISTS", key}));
  // Sent twice, PERSIST would report "no TTL" for the TTL it removed the first time.
  commands.push_back(keyed({"PERSIST", key}).unsafe_to_retry());
  auto replies = run_all(target, std::move(commands));
  if (replies[0].is_error()) throw Failure(client::to_error(replies[0].str, "EXISTS"));
  require_integer(replies[0], "EXISTS");
  if (replies[0].integer == 0) throw Failure(ErrorKind::not_found, fmt::format("key '{}' does not exist", key));
  if (replies[1].is_error()) throw Failure(client::to_error(replies[1].str, "PERSIST"));
  require_integer(replies[1], "PERSIST");
  return replies[1].integer == 1;
}

KeyListing list_keys(cluster::Client& target, const std::string& prefix, std::size_t limit) {
  KeyListing listing;
  listing.prefix = prefix;
  listing.pattern = util::prefix_pattern(prefix);
  constexpr std::size_t k_count = 1000;
  for (const auto* node : target.primaries()) {
    auto* conn = value_or_throw(target.connection(*node));
    // DBSIZE bounds the walk, as in cluster::scan_primaries: a cursor that never returns to 0
    // ends with an error instead of looping (no bound when DBSIZE is refused).
    std::uint64_t keys = 0, call_limit = 0, calls = 0;
    int size_checks = 0;
    auto read_size = [&] {
      ++size_checks;
      auto size = conn->exec(client::cmd({"DBSIZE"}));
      if (!size || size->type != resp::Type::integer || size->integer < 0) return;
      keys = std::max(keys, static_cast<std::uint64_t>(size->integer));
      call_limit = cluster::scan_call_limit(keys, k_count);
    };
    read_size();
    std::string cursor = "0";
    do {
      auto reply =
          check(conn->exec(client::cmd({"SCAN", cursor, "MATCH", listing.pattern, "COUNT", std::to_string(k_count)})),
                "SCAN");
      ++listing.scan_calls;
      ++calls;
      if (reply.elements.size() != 2 || !reply.elements[0].is_string() || !reply.elements[1].is_list())
        wrong_type(reply, "SCAN", "[cursor, [keys]]");
      cursor = reply.elements[0].str;
      for (auto& k : reply.elements[1].elements) {
        if (!k.is_string()) wrong_type(k, "SCAN", "key names");
        if (!util::starts_with(k.str, prefix)) continue;
        if (listing.keys.size() >= limit) {
          listing.truncated = true;
          break;
        }
        listing.keys.push_back({std::move(k.str), {}, std::nullopt, 0, std::nullopt, target.label(*node)});
      }
      listing.interrupted = util::interrupted();
      if (cursor != "0" && call_limit > 0 && calls > call_limit) {
        // The keyspace may have grown since DBSIZE was read: ask once more before giving up.
        if (size_checks >= 2) throw Failure(cluster::endless_cursor_error(target.label(*node), calls, keys));
        call_limit = 0;
        read_size();
      }
    } while (cursor != "0" && !listing.truncated && !listing.interrupted);
    if (listing.truncated || listing.interrupted) break;
  }
  // SCAN may return a key twice; list it once.
  std::sort(listing.keys.begin(), listing.keys.end(), [](const KeyInfo& a, const KeyInfo& b) { return a.key < b.key; });
  listing.keys.erase(std::unique(listing.keys.begin(), listing.keys.end(),
                                 [](const KeyInfo& a, const KeyInfo& b) { return a.key == b.key; }),
                     listing.keys.end());
  std::vector<client::Command> first;
  for (const auto& k : listing.keys) {
    first.push_back(keyed({"TYPE", k.key}));
    first.push_back(keyed({"PTTL", k.key}));
    first.push_back(keyed({"MEMORY", "USAGE", k.key}).key(2));
  }
  auto replies = run_all(target, std::move(first));
  std::vector<client::Command> lengths;
  std::vector<std::size_t> length_of;
  for (std::size_t i = 0; i < listing.keys.size(); ++i) {
    auto& k = listing.keys[i];
    check(replies[3 * i], "TYPE");
    check(replies[3 * i + 1], "PTTL");
    // MEMORY USAGE is optional detail that managed services and ACLs often refuse.
    if (auto& m = replies[3 * i + 2]; m.is_error() && !client::is_refusal(client::classify(m.str)))
      check(m, "MEMORY USAGE");
    k.type = replies[3 * i].str;
    if (replies[3 * i + 1].type == resp::Type::integer && replies[3 * i + 1].integer >= 0)
      k.ttl_ms = replies[3 * i + 1].integer;
    if (replies[3 * i + 2].type == resp::Type::integer) k.memory_bytes = replies[3 * i + 2].integer;
    if (auto cmd = length_command(k.type, k.key)) {
      lengths.push_back(std::move(*cmd));
      length_of.push_back(i);
    }
  }
  if (!lengths.empty()) {
    auto counts = run_all(target, std::move(lengths));
    for (std::size_t j = 0; j < counts.size(); ++j) {
      auto& k = listing.keys[length_of[j]];
      check(counts[j], length_command(k.type, k.key)->name());
      if (counts[j].type == resp::Type::integer) k.length = counts[j].integer;
    }
  }
  return listing;
}

}  // namespace rctl::cache
