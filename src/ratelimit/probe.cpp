// `ratelimit probe`: run the hits, concurrently, and judge the outcome.

#include "client/options.hpp"
#include "client/server_error.hpp"
#include "cluster/slot.hpp"
#include "ratelimit/ratelimit.hpp"
#include "ratelimit/probe.hpp"
#include "ratelimit/reader.hpp"
#include "ratelimit/scripts.hpp"
#include "util/interrupt.hpp"

#include <fmt/format.h>

#include <chrono>
#include <limits>

namespace rctl::ratelimit {

namespace {

using Clock = std::chrono::steady_clock;

const LuaScript& script_for(ProbeStrategy s) {
  switch (s) {
    case ProbeStrategy::fixed: return fixed_window_script();
    case ProbeStrategy::moving: return moving_window_script();
    case ProbeStrategy::sliding: return sliding_window_script();
  }
  return fixed_window_script();
}

// The key as it stands before the probe: the budget left and how long it cannot grow.
void read_before(cluster::Client& target, const ProbePlan& p, ProbeResult& r) {
  r.remaining_before = p.limit.amount;
  r.stable_ms = p.limit.window_ms();
  if (p.scratch) return;
  ReadOptions options;
  options.limit = p.limit;
  options.entries = static_cast<std::size_t>(std::min<std::int64_t>(p.limit.amount + 1, k_max_window_entries));
  Limiter l;
  try {
    l = show_limiter(target, p.key, options);
  } catch (const Failure& f) {
    if (f.error().kind == ErrorKind::not_found) return;  // a fresh window
    throw;
  }
  r.remaining_before = l.usage.remaining.value_or(p.limit.amount);
  constexpr auto k_forever = std::numeric_limits<std::int64_t>::max();
  switch (p.strategy) {
    case ProbeStrategy::fixed: r.stable_ms = l.ttl_ms >= 0 ? l.ttl_ms : k_forever; break;
    case ProbeStrategy::moving: {
      double now = unix_now();
      auto window = static_cast<double>(p.limit.window_seconds());
      for (const auto& e : l.entries)
        if (e.in_window)
          r.stable_ms =
              std::min(r.stable_ms, static_cast<std::int64_t>(std::max(0.0, (e.timestamp + window - now) * 1000)));
      break;
    }
    case ProbeStrategy::sliding:
      if (l.sliding) r.stable_ms = sliding_window_stable_ms(*l.sliding, p.limit);
      break;
  }
}

// The hits of one probe, spread round-robin over the connections, each connection keeping up
// to k_probe_in_flight of them in flight.
class HitRun {
 public:
  HitRun(cluster::Client& target, const ProbePlan& plan, std::vector<client::Connection*> connections, ProbeResult& out)
      : m_target(target),
        m_plan(plan),
        m_script(script_for(plan.strategy)),
        m_connections(std::move(connections)),
        m_out(out) {
    auto n = static_cast<std::int64_t>(m_connections.size());
    for (std::int64_t c = 0; c < n; ++c) m_quota.push_back(plan.hits / n + (c < plan.hits % n ? 1 : 0));
    m_in_flight.assign(m_connections.size(), 0);
  }

  void run() {
    net::Timer tick(m_target.loop());
    std::function<void()> on_tick = [&] {
      if (util::interrupted()) m_stop = true;
      if (!m_stop) tick.start(std::chrono::milliseconds(50), on_tick);
    };
    tick.start(std::chrono::milliseconds(50), on_tick);
    m_start = Clock::now();
    m_last = m_start;
    // Every connection gets its first hits before the loop runs: they reach the server together.
    for (std::size_t c = 0; c < m_connections.size(); ++c) pump(c);
    m_target.loop().run_until([&] { return settled(); });
    tick.cancel();
    for (std::size_t c = 0; c < m_connections.size(); ++c) m_out.not_run += m_quota[c];
    reroute();
    m_out.elapsed_ms = std::chrono::duration<double, std::milli>(m_last - m_start).count();
  }

 private:
  client::Command command(bool eval) const {
    std::vector<std::string> args{eval ? "EVAL" : "EVALSHA", std::string(eval ? m_script.text : m_script.sha1)};
    const auto& l = m_plan.limit;
    auto window = std::to_string(l.window_seconds());
    auto amount = std::to_string(l.amount);
    switch (m_plan.strategy) {
      case ProbeStrategy::fixed: args.insert(args.end(), {"1", m_plan.key, window, "1"}); break;
      case ProbeStrategy::moving:
        // The hit time as limits passes it: the client's clock, in float seconds.
        args.insert(args.end(), {"1", m_plan.key, fmt::format("{}", unix_now()), amount, window, "1"});
        break;
      case ProbeStrategy::sliding:
        args.insert(args.end(), {"2", m_plan.previous_key, m_plan.key, amount, window, "1"});
        break;
    }
    auto c = client::cmd(std::move(args));
    c.key(3);
    return c.unsafe_to_retry();
  }

  bool settled() const {
    for (auto n : m_in_flight)
      if (n) return false;
    if (m_stop) return true;
    for (auto q : m_quota)
      if (q) return false;
    return true;
  }

  void pump(std::size_t c) {
    while (!m_stop && m_quota[c] > 0 && m_in_flight[c] < k_probe_in_flight) {
      --m_quota[c];
      send(c, false);
    }
  }

  void send(std::size_t c, bool eval) {
    ++m_in_flight[c];
    m_connections[c]->send(command(eval), [this, c](Expected<resp::Value> r) { on_reply(c, std::move(r)); });
  }

  void on_reply(std::size_t c, Expected<resp::Value> reply) {
    --m_in_flight[c];
    m_last = Clock::now();
    if (!reply) {
      // Written or not, the hit may have run: never send it again.
      ++m_out.unknown;
      if (!m_out.error) {
        m_out.error = Error{ErrorKind::outcome_unknown,
                            fmt::format("outcome unknown: the connection to {} failed with hits in flight ({})",
                                        m_out.node, reply.error().message),
                            "hits in flight may or may not have counted; they were not sent again"};
      }
      m_stop = true;
      return;
    }
    if (reply->is_error()) return on_error(c, *reply);
    take(*reply);
    pump(c);
  }

  void take(const resp::Value& v) {
    if (v.type != resp::Type::integer) {
      ++m_out.unknown;
      if (!m_out.error)
        m_out.error =
            Error{ErrorKind::protocol, fmt::format("probe: unexpected script reply {}", resp::debug_string(v)), {}};
      m_stop = true;
      return;
    }
    bool allowed = m_plan.strategy == ProbeStrategy::fixed ? v.integer <= m_plan.limit.amount : v.integer == 1;
    ++(allowed ? m_out.allowed : m_out.denied);
  }

  void on_error(std::size_t c, const resp::Value& v) {
    auto kind = client::classify(v.str);
    if (kind == client::ServerErrorKind::no_script) {
      // The script cache was empty (or flushed): the script did not run. EVAL runs and caches it.
      ++m_out.resent_eval;
      return send(c, true);
    }
    if (kind == client::ServerErrorKind::moved || kind == client::ServerErrorKind::ask ||
        kind == client::ServerErrorKind::try_again) {
      ++m_reroute;  // not run here: sent again, routed, after the others
      return pump(c);
    }
    m_stop = true;
    if (kind == client::ServerErrorKind::no_perm || kind == client::ServerErrorKind::unknown_command) {
      ++m_out.not_run;
      if (!m_out.error) {
        auto e = client::to_error(v.str, "probe");
        e.message = kind == client::ServerErrorKind::no_perm
                        ? fmt::format("scripting is denied: {}", v.str)
                        : fmt::format("scripting is not available on this server: {}", v.str);
        e.hint = kind == client::ServerErrorKind::no_perm
                     ? "probe runs each hit as a Lua script (EVALSHA, EVAL): the ACL user needs +@scripting and "
                       "the commands the script calls, on the probed keys"
                     : "probe needs EVAL/EVALSHA (renamed or disabled here); limits needs them too";
        m_out.error = std::move(e);
      }
      return;
    }
    // Any other refusal may come from inside the script after it wrote: the hit's effect is unknown.
    ++m_out.unknown;
    if (!m_out.error) m_out.error = client::to_error(v.str, "probe hit");
  }

  void reroute() {
    for (; m_reroute > 0 && !m_out.error; --m_reroute) {
      ++m_out.rerouted;
      auto reply = m_target.exec(command(true));
      m_last = Clock::now();
      if (!reply) {
        ++m_out.unknown;
        m_out.error = reply.error();
      } else if (reply->is_error()) {
        ++m_out.unknown;
        m_out.error = client::to_error(reply->str, "probe hit");
      } else {
        take(*reply);
      }
    }
    m_out.not_run += m_reroute;
  }

  cluster::Client& m_target;
  const ProbePlan& m_plan;
  const LuaScript& m_script;
  std::vector<client::Connection*> m_connections;
  ProbeResult& m_out;
  std::vector<std::int64_t> m_quota;
  std::vector<std::size_t> m_in_flight;
  std::int64_t m_reroute = 0;
  bool m_stop = false;
  Clock::time_point m_start, m_last;
};

// Deletes the scratch keys; returns "deleted" or what went wrong.
std::string delete_scratch(cluster::Client& target, const ProbePlan& p) {
  auto command = [&](const char* verb) {
    auto c = client::keyed({verb, p.key});
    if (!p.previous_key.empty()) c.args.push_back(p.previous_key);
    return c;
  };
  auto reply = target.exec(command("UNLINK"));
  if (reply && reply->is_error() && client::classify(reply->str) == client::ServerErrorKind::unknown_command)
    reply = target.exec(command("DEL"));
  if (!reply) return fmt::format("not deleted ({}); the keys expire within two windows", reply.error().message);
  if (reply->is_error()) return fmt::format("not deleted ({}); the keys expire within two windows", reply->str);
  return "deleted";
}

ProbeResult run_one(cluster::Client& target, const ProbePlan& plan, const ProbeOptions& options) {
  ProbeResult r;
  r.plan = plan;
  const auto* node = target.topology().primary_for_slot(cluster::key_slot(plan.key));
  if (!node) throw Failure(ErrorKind::server, fmt::format("no node serves the slot of '{}'", plan.key));
  r.node = target.label(*node);
  read_before(target, plan, r);
  r.expected_allowed = std::min(plan.hits, std::max<std::int64_t>(*r.remaining_before, 0));
  if (options.dry_run) {
    r.allowed = r.expected_allowed;
    r.denied = plan.hits - r.expected_allowed;
    r.verdict = ProbeVerdict::dry_run;
    return r;
  }
  try {
    // Connections first, all of them, so that the hits start together.
    std::vector<std::unique_ptr<client::Connection>> owned;
    std::vector<client::Connection*> connections;
    auto wanted = static_cast<int>(std::min<std::int64_t>(options.concurrency, std::max<std::int64_t>(plan.hits, 1)));
    if (wanted <= 1) {
      connections.push_back(value_or_throw(target.connection(*node)));
    } else {
      for (int i = 0; i < wanted; ++i) {
        owned.push_back(value_or_throw(target.open_connection(*node)));
        connections.push_back(owned.back().get());
      }
    }
    r.connections = static_cast<int>(connections.size());
    // Load the script so EVALSHA finds it; a refusal here is reported by the hits themselves.
    auto loaded =
        connections.front()->exec(client::cmd({"SCRIPT", "LOAD", std::string(script_for(plan.strategy).text)}));
    if (!loaded) throw Failure(loaded.error());  // nothing was sent yet
    HitRun run(target, plan, std::move(connections), r);
    run.run();
  } catch (const Failure& f) {
    if (!r.error) r.error = f.error();
  }
  if (!r.error || r.error->kind != ErrorKind::outcome_unknown) {
    ReadOptions ro;
    ro.limit = plan.limit;
    try {
      r.usage_after = show_limiter(target, plan.key, ro).usage;
    } catch (const Failure&) {
      // Not found (nothing counted) or unreadable: the report goes without it.
    }
  }
  if (plan.scratch) r.cleanup = delete_scratch(target, plan);
  judge_probe(r);
  return r;
}

}  // namespace

void judge_probe(ProbeResult& r) {
  if (r.error) {
    r.verdict = r.error->kind == ErrorKind::outcome_unknown ? ProbeVerdict::unknown : ProbeVerdict::error;
    return;
  }
  if (r.unknown > 0) {
    r.verdict = ProbeVerdict::unknown;
    return;
  }
  if (r.not_run > 0) {
    r.verdict = ProbeVerdict::interrupted;
    return;
  }
  if (r.allowed == r.expected_allowed) r.verdict = ProbeVerdict::pass;
  else if (r.allowed > r.expected_allowed)
    r.verdict = r.elapsed_ms >= static_cast<double>(r.stable_ms) ? ProbeVerdict::inconclusive : ProbeVerdict::too_many;
  else r.verdict = ProbeVerdict::too_few;
}

bool ProbeReport::passed() const {
  for (const auto& p : probes)
    if (p.verdict != ProbeVerdict::pass && p.verdict != ProbeVerdict::dry_run) return false;
  return !interrupted;
}

const Error* ProbeReport::first_error() const {
  for (const auto& p : probes)
    if (p.error) return &*p.error;
  return nullptr;
}

ProbeReport run_probe(cluster::Client& target, const std::vector<ProbePlan>& plans, const ProbeOptions& options) {
  ProbeReport report;
  report.target = client::describe(target.seed_options());
  report.dry_run = options.dry_run;
  for (const auto& plan : plans) {
    if (util::interrupted()) break;
    report.probes.push_back(run_one(target, plan, options));
  }
  report.interrupted = util::interrupted();
  return report;
}

}  // namespace rctl::ratelimit
