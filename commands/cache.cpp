// rctl cache get|set|del|ttl|expire|persist|keys (invalidate is in cache_invalidate.cpp).

#include "context.hpp"

#include "decode/json_reader.hpp"
#include "cache/cache.hpp"
#include "cache/render.hpp"
#include "resp/reader.hpp"
#include "util/duration.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

namespace rctl::commands {

void register_cache_invalidate(CLI::App& cache, Context& ctx);

namespace {

struct CacheFlags {
  std::vector<std::string> keys;
  std::string key, value, value_file, ttl, decode = "auto";
  std::size_t limit = cache::k_default_element_limit;
  bool raw = false, nx = false, xx = false, keep_ttl = false, json = false;
  std::string prefix;
  CLI::Option* value_option = nullptr;  // to tell `set k ""` from a missing value
};

int run_get(Context& ctx, const CacheFlags& f) {
  if (f.raw && f.keys.size() != 1) throw Failure(ErrorKind::usage, "--raw writes the bytes of exactly one key");
  if (f.raw && ctx.printer().format() == output::Format::json)
    throw Failure(ErrorKind::usage, "--raw and -o json exclude each other");
  cache::GetOptions options;
  options.mode = value_or_throw(decode::parse_mode(f.decode));
  options.limit = f.limit;
  auto values = cache::get_keys(ctx.connect(), f.keys, options);
  bool missing = std::any_of(values.begin(), values.end(), [](const cache::KeyValue& v) { return !v.exists; });
  if (f.raw) {
    if (!values.front().exists)
      throw Failure(ErrorKind::not_found, fmt::format("key '{}' does not exist", f.keys.front()));
    if (values.front().type != "string")
      throw Failure(ErrorKind::usage,
                    fmt::format("--raw needs a string value; '{}' is a {}", f.keys.front(), values.front().type));
  }
  ctx.printer().emit(cache::render_get(values, f.raw));
  if (missing && !f.raw) ctx.printer().note("some keys do not exist");
  return missing ? static_cast<int>(ExitCode::not_found) : 0;
}

// A value larger than the server's default proto-max-bulk-len (512 MiB) would be refused
// anyway; stopping here also keeps `--value-file /dev/zero` from reading without end.
constexpr std::size_t k_max_value_bytes = static_cast<std::size_t>(resp::k_default_max_bulk_length);

std::string read_bounded_value(std::istream& in, std::string_view what) {
  std::string value;
  std::vector<char> chunk(1 << 16);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    auto n = static_cast<std::size_t>(in.gcount());
    if (value.size() + n > k_max_value_bytes)
      throw Failure(ErrorKind::usage, fmt::format("{} is larger than 512 MiB", what),
                    "Redis refuses values above proto-max-bulk-len (512 MiB by default)");
    value.append(chunk.data(), n);
  }
  if (in.bad()) throw Failure(ErrorKind::usage, fmt::format("cannot read {}", what));
  return value;
}

std::string read_value(const CacheFlags& f) {
  if (!f.value_file.empty()) {
    std::ifstream in(f.value_file, std::ios::binary);
    if (!in) throw Failure(ErrorKind::usage, fmt::format("cannot read --value-file '{}'", f.value_file));
    return read_bounded_value(in, fmt::format("--value-file '{}'", f.value_file));
  }
  if (f.value == "-") return read_bounded_value(std::cin, "the value on stdin");
  return f.value;
}

int run_set(Context& ctx, const CacheFlags& f) {
  bool has_value = f.value_option && f.value_option->count() > 0;
  if (has_value == !f.value_file.empty())
    throw Failure(ErrorKind::usage, "give the value as an argument, '-' for stdin, or --value-file (one of them)");
  if (f.nx && f.xx) throw Failure(ErrorKind::usage, "--nx and --xx exclude each other");
  if (!f.ttl.empty() && f.keep_ttl) throw Failure(ErrorKind::usage, "--ttl and --keep-ttl exclude each other");
  cache::SetOptions options;
  options.nx = f.nx;
  options.xx = f.xx;
  options.keep_ttl = f.keep_ttl;
  if (!f.ttl.empty()) {
    options.ttl = duration_flag(f.ttl, "--ttl");
    if (options.ttl->count() <= 0) throw Failure(ErrorKind::usage, "--ttl must be positive");
  }
  auto value = read_value(f);
  if (f.json) {
    auto parsed = decode::read_json(value);
    if (!parsed)
      throw Failure(ErrorKind::usage, fmt::format("--json: the value is not valid JSON: {}", parsed.error().message));
  }
  bool written = cache::set_key(ctx.connect(), f.key, value, options);
  ctx.printer().emit(cache::render_set(f.key, written, value.size(), options));
  return written ? 0 : static_cast<int>(ExitCode::check_failed);
}

int run_del(Context& ctx, const CacheFlags& f) {
  auto deleted = cache::delete_keys(ctx.connect(), f.keys);
  ctx.printer().emit(cache::render_deleted(f.keys.size(), deleted));
  return deleted == 0 ? static_cast<int>(ExitCode::not_found) : 0;
}

int run_ttl(Context& ctx, const CacheFlags& f) {
  ctx.printer().emit(cache::render_ttl(f.key, cache::key_ttl(ctx.connect(), f.key)));
  return 0;
}

int run_expire(Context& ctx, const CacheFlags& f) {
  auto ttl = duration_flag(f.ttl, "TTL");
  if (ttl.count() <= 0) throw Failure(ErrorKind::usage, "the TTL must be positive");
  auto& target = ctx.connect();
  cache::expire_key(target, f.key, ttl);
  ctx.printer().emit(cache::render_ttl(f.key, cache::key_ttl(target, f.key)));
  return 0;
}

int run_persist(Context& ctx, const CacheFlags& f) {
  ctx.printer().emit(cache::render_persist(f.key, cache::persist_key(ctx.connect(), f.key)));
  return 0;
}

int run_keys(Context& ctx, const CacheFlags& f) {
  // Ctrl-C stops the scan between pages and what was found is printed, as for the other scans.
  util::install_interrupt_handler();
  auto listing = cache::list_keys(ctx.connect(), f.prefix, f.limit);
  ctx.printer().emit(cache::render_keys(listing));
  if (listing.interrupted) {
    ctx.printer().warning(
        fmt::format("interrupted: listed the {} keys found before the scan stopped", listing.keys.size()));
    return util::interrupt_exit_code();
  }
  if (auto hint = cache::keys_glob_hint(listing); !hint.empty()) ctx.printer().note(hint);
  return 0;
}

}  // namespace

void register_cache(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<CacheFlags>();
  auto* cache = app.add_subcommand("cache", "Read, write and invalidate cached keys");
  cache->require_subcommand(1);

  auto* get = cache->add_subcommand("get", "Show keys with type, TTL, size and decoded value");
  get->add_option("keys", f->keys, "Keys to read")->required()->type_name("KEY");
  get->add_option("--decode", f->decode, "Decode as: auto, raw, json, pickle, msgpack, hex, base64")
      ->check(CLI::IsMember({"auto", "raw", "json", "pickle", "msgpack", "hex", "base64"}))
      ->type_name("MODE");
  get->add_flag("--raw", f->raw, "Write the exact bytes of one string value to stdout");
  get->add_option("--limit", f->limit, "Elements shown for hashes, lists, sets, sorted sets, streams")
      ->type_name("N")
      ->check(CLI::Range(1, 1000000));
  get->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_get(ctx, *f); }; });

  auto* set = cache->add_subcommand("set", "Write a string value");
  set->add_option("key", f->key, "Key")->required()->type_name("KEY");
  f->value_option = set->add_option("value", f->value, "Value, or - to read stdin")->type_name("VALUE");
  set->add_option("--value-file", f->value_file, "Read the value from a file")->type_name("FILE");
  set->add_option("--ttl", f->ttl, "Expire after this long")->type_name("DUR");
  set->add_flag("--nx", f->nx, "Only if the key does not exist (exit 1 when it does)");
  set->add_flag("--xx", f->xx, "Only if the key exists (exit 1 when it does not)");
  set->add_flag("--keep-ttl", f->keep_ttl, "Keep the key's current TTL");
  set->add_flag("--json", f->json, "Refuse the value unless it is valid JSON");
  set->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_set(ctx, *f); }; });

  auto* del = cache->add_subcommand("del", "Delete keys (UNLINK; DEL on servers without it)");
  del->add_option("keys", f->keys, "Keys to delete")->required()->type_name("KEY");
  del->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_del(ctx, *f); }; });

  auto* ttl = cache->add_subcommand("ttl", "Show a key's remaining time to live");
  ttl->add_option("key", f->key, "Key")->required()->type_name("KEY");
  ttl->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_ttl(ctx, *f); }; });

  auto* expire = cache->add_subcommand("expire", "Set a key's time to live");
  expire->add_option("key", f->key, "Key")->required()->type_name("KEY");
  expire->add_option("ttl", f->ttl, "Time to live, e.g. 10m")->required()->type_name("DUR");
  expire->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_expire(ctx, *f); }; });

  auto* persist = cache->add_subcommand("persist", "Remove a key's time to live");
  persist->add_option("key", f->key, "Key")->required()->type_name("KEY");
  persist->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_persist(ctx, *f); }; });

  auto* keys = cache->add_subcommand("keys", "List keys under a prefix with type, TTL and size (SCAN, every primary)");
  keys->add_option("prefix", f->prefix, "Literal key prefix (glob characters are escaped)")->type_name("PREFIX");
  keys->add_option("--limit", f->limit, "Most keys to list (default 100)")
      ->type_name("N")
      ->check(CLI::Range(1, 10000000));
  keys->callback([&ctx, f] { ctx.run = [&ctx, f] { return run_keys(ctx, *f); }; });

  register_cache_invalidate(*cache, ctx);
}

}  // namespace rctl::commands
