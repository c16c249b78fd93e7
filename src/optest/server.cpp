// Groups pipelining (throughput of one write carrying many commands, replies in order) and
// server (what the node says about itself: version, mode, memory policy, databases, clock).

#include "optest/runner.hpp"

#include "server/info.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace rctl::optest {

namespace {

using client::cmd;
using client::keyed;

// Commands in the INCR pipeline, and keys in the SET/GET one (two commands each).
constexpr int k_pipeline_depth = 1000;
constexpr int k_pipeline_keys = 100;

// Commands per second at the operation's median sample.
void record_throughput(NodeRunner& r, int commands, std::string_view what) {
  auto& groups = r.result().groups;
  if (groups.empty() || groups.back().operations.empty()) return;
  auto& op = groups.back().operations.back();
  auto p50 = latency_of(op).p50_ms;
  if (op.samples_ms.empty() || p50 <= 0) return;
  op.ops_per_sec = commands / (p50 / 1000.0);
  op.detail = fmt::format("{} in one write: {} commands/s at the median", what,
                          util::format_count(static_cast<std::int64_t>(*op.ops_per_sec)));
}

}  // namespace

void run_pipelining_group(NodeRunner& r) {
  auto incr = r.op("pipeline_incr", {"INCR"}, [&] {
    auto k = r.key("pipeline:counter");
    del_keys(r, {k});
    std::vector<client::Command> commands;
    for (int i = 0; i < k_pipeline_depth; ++i) commands.push_back(keyed({"INCR", k}));
    auto replies = r.pipeline(std::move(commands), Timing::timed);
    // The replies must come back complete and in order: 1, 2, ... N.
    for (std::size_t i = 0; i < replies.size(); ++i) {
      if (replies[i].value().is_error()) NodeRunner::error_reply(replies[i].value(), "INCR");
      replies[i].integer(static_cast<std::int64_t>(i) + 1);
    }
  });
  if (incr == Outcome::pass) record_throughput(r, k_pipeline_depth, fmt::format("{} INCRs", k_pipeline_depth));

  auto set_get = r.op("pipeline_set_get", {"SET", "GET"}, [&] {
    std::vector<std::string> keys;
    for (int i = 0; i < k_pipeline_keys; ++i) keys.push_back(r.key(fmt::format("pipeline:{}", i)));
    std::vector<client::Command> commands;
    for (int i = 0; i < k_pipeline_keys; ++i) commands.push_back(keyed({"SET", keys[i], fmt::format("value-{}", i)}));
    for (int i = 0; i < k_pipeline_keys; ++i) commands.push_back(keyed({"GET", keys[i]}));
    auto replies = r.pipeline(std::move(commands), Timing::timed);
    for (const auto& reply : replies)
      if (reply.value().is_error()) NodeRunner::error_reply(reply.value(), reply.label());
    for (int i = 0; i < k_pipeline_keys; ++i) {
      replies[i].ok();
      replies[k_pipeline_keys + i].string(fmt::format("value-{}", i));
    }
  });
  if (set_get == Outcome::pass)
    record_throughput(r, 2 * k_pipeline_keys, fmt::format("{} SETs then {} GETs", k_pipeline_keys, k_pipeline_keys));
}

void run_server_group(NodeRunner& r) {
  auto& facts = r.result().server;
  r.op("info", {"INFO"}, [&] {
    auto reply = r.timed(cmd({"INFO"}));
    auto info = server::Info::parse(reply.as_string());
    auto version = info.get("redis_version");
    if (!version) reply.fail("expected redis_version in INFO");
    facts.version = std::string(*version);
    facts.mode = std::string(info.get_or("redis_mode", ""));
    if (auto c = info.integer("cluster_enabled")) facts.cluster_enabled = *c == 1;
    facts.maxmemory_bytes = info.integer("maxmemory");
    facts.maxmemory_policy = std::string(info.get_or("maxmemory_policy", ""));
    auto limit = facts.maxmemory_bytes.value_or(0);
    r.detail(fmt::format("Redis {} {}, maxmemory {}, policy {}", facts.version, facts.mode.empty() ? "?" : facts.mode,
                         limit > 0 ? util::format_bytes(limit) : std::string("unlimited"),
                         facts.maxmemory_policy.empty() ? "?" : facts.maxmemory_policy));
  });
  r.op("config_get", {"CONFIG GET"}, [&] {
    auto reply = r.timed(cmd({"CONFIG", "GET", "databases"}));
    for (const auto& [name, value] : reply.pairs())
      if (name == "databases") facts.databases = util::parse_int(value);
    if (!facts.databases) reply.fail("expected the databases setting");
    r.detail(fmt::format("{} databases{}", *facts.databases,
                         facts.cluster_enabled.value_or(false) ? " (a cluster uses only db 0)" : ""));
  });
  r.op("time", {"TIME"}, [&] {
    auto before = std::chrono::system_clock::now();
    auto reply = r.timed(cmd({"TIME"}));
    auto after = std::chrono::system_clock::now();
    reply.list(2);
    auto seconds = util::parse_int(reply.at(0).as_string());
    auto micros = util::parse_int(reply.at(1).as_string());
    if (!seconds || !micros) reply.fail("expected seconds and microseconds");
    // The server read its clock somewhere within the round trip: compare with the midpoint.
    double local_us =
        std::chrono::duration<double, std::micro>((before + (after - before) / 2).time_since_epoch()).count();
    double server_us = static_cast<double>(*seconds) * 1e6 + static_cast<double>(*micros);
    // Rounded to 0.1 ms (more is noise) and never "-0.0".
    facts.clock_offset_ms = std::round((server_us - local_us) / 100.0) / 10.0 + 0.0;
    r.detail(fmt::format("server clock {:+.1f} ms from this machine's (within ±{:.1f} ms)", *facts.clock_offset_ms,
                         std::chrono::duration<double, std::milli>(after - before).count() / 2));
  });
}

}  // namespace rctl::optest
