#include "latency/latency.hpp"

#include "client/server_error.hpp"
#include "net/event_loop.hpp"
#include "util/interrupt.hpp"

#include <algorithm>
#include <functional>
#include <limits>

namespace rctl::latency {

struct Sampler::Probe {
  const cluster::Node* node = nullptr;
  std::string label, role;
  std::unique_ptr<client::Connection> connection;
  std::unique_ptr<net::Timer> timer;
  bool busy = false;  // a PING is on its way
  // This interval.
  std::vector<double> interval_samples;
  std::int64_t interval_errors = 0;
  std::optional<Error> error;
  // The whole run: exact count, sum, extremes and histogram; percentiles from a reservoir.
  std::int64_t seen = 0, errors = 0;
  double sum_ms = 0, min_ms = std::numeric_limits<double>::infinity(), max_ms = 0;
  std::vector<double> reservoir;
  server::LatencyHistogram histogram;
  std::mt19937_64 random{0x5eed};

  void record(double ms) {
    interval_samples.push_back(ms);
    ++seen;
    sum_ms += ms;
    min_ms = std::min(min_ms, ms);
    max_ms = std::max(max_ms, ms);
    histogram.add(ms);
    // Algorithm R: every sample seen so far is in the reservoir with the same probability.
    if (reservoir.size() < k_max_summary_samples) {
      reservoir.push_back(ms);
    } else {
      auto at = std::uniform_int_distribution<std::int64_t>(0, seen - 1)(random);
      if (at < static_cast<std::int64_t>(k_max_summary_samples)) reservoir[static_cast<std::size_t>(at)] = ms;
    }
  }
};

Sampler::Sampler(cluster::Client& client) : m_client(client) {
  for (const auto* node : client.nodes()) {
    auto probe = std::make_unique<Probe>();
    probe->node = node;
    probe->label = client.label(*node);
    probe->role = node->primary ? "primary" : "replica";
    probe->timer = std::make_unique<net::Timer>(client.loop());
    m_probes.push_back(std::move(probe));
  }
}

Sampler::~Sampler() = default;

IntervalReport Sampler::sample(util::Millis interval) {
  auto& loop = m_client.loop();
  // A long run outlives a cloud identity token: the probes' own connections AUTH again with
  // the new one when it is due, as the client's do.
  std::vector<client::Connection*> owned;
  for (auto& p : m_probes)
    if (p->connection && !p->connection->broken()) owned.push_back(p->connection.get());
  m_client.refresh_while_busy(owned);
  for (auto& p : m_probes) {
    p->interval_samples.clear();
    p->interval_errors = 0;
    if (p->connection && !p->connection->broken()) continue;
    // Its own connection per node, so that no other work of this client queues behind PINGs.
    auto opened = m_client.open_connection(*p->node);
    if (opened) {
      p->connection = std::move(*opened);
      p->error.reset();
    } else {
      p->connection.reset();
      p->error = opened.error();
    }
  }
  bool stop = false;
  net::Timer deadline(loop);
  deadline.start(interval, [&stop] { stop = true; });
  std::function<void(Probe&)> fire = [&](Probe& p) {
    if (stop || !p.connection || p.connection->broken()) return;
    p.busy = true;
    auto sent = std::chrono::steady_clock::now();
    p.connection->send(client::cmd({"PING"}), [&, sent, probe = &p](Expected<resp::Value> reply) {
      probe->busy = false;
      std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - sent;
      if (reply && !reply->is_error()) {
        probe->record(took.count());
      } else {
        ++probe->interval_errors;
        ++probe->errors;
        probe->error = reply ? client::to_error(reply->str, "PING") : reply.error();
      }
      if (!stop) probe->timer->start(k_ping_gap, [&fire, probe] { fire(*probe); });
    });
  };
  auto started = std::chrono::steady_clock::now();
  for (auto& p : m_probes) fire(*p);
  loop.run_until([&] {
    if (util::interrupted()) stop = true;
    return stop && std::none_of(m_probes.begin(), m_probes.end(), [](const auto& p) { return p->busy; });
  });
  for (auto& p : m_probes) p->timer->cancel();
  deadline.cancel();
  // Nothing left to wait on (every node down): the interval still takes its time.
  if (!stop) {
    auto left = interval - std::chrono::duration_cast<util::Millis>(std::chrono::steady_clock::now() - started);
    if (left.count() > 0) util::sleep_interruptible(left.count());
  }
  IntervalReport report;
  report.taken = std::chrono::system_clock::now();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ++m_intervals;
  m_seconds += report.seconds;
  for (const auto& p : m_probes) {
    NodeLatency n{p->label, p->role, server::summarize_latency(p->interval_samples), p->interval_errors, {}, {}};
    if (p->interval_samples.empty()) n.error = p->error;
    report.nodes.push_back(std::move(n));
  }
  return report;
}

LatencySummary Sampler::summary(bool interrupted) const {
  LatencySummary s;
  s.intervals = m_intervals;
  s.seconds = m_seconds;
  s.interrupted = interrupted;
  for (const auto& p : m_probes) {
    NodeLatency n{p->label, p->role, server::summarize_latency(p->reservoir), p->errors, {}, p->histogram};
    if (p->seen > 0) {
      n.stats.samples = static_cast<int>(std::min<std::int64_t>(p->seen, std::numeric_limits<int>::max()));
      n.stats.min_ms = p->min_ms;
      n.stats.max_ms = p->max_ms;
      n.stats.avg_ms = p->sum_ms / static_cast<double>(p->seen);
    } else {
      n.error = p->error;
    }
    s.nodes.push_back(std::move(n));
  }
  return s;
}

}  // namespace rctl::latency
