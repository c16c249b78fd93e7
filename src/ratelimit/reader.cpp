#include "ratelimit/reader.hpp"

#include "client/server_error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

namespace rctl::ratelimit {

namespace {

using client::keyed;

// A value above this in a plain string counter is not a count but a redis-cell theoretical
// arrival time in Unix nanoseconds (1e17 ns is March 1973).
constexpr std::int64_t k_min_tat_ns = 100'000'000'000'000'000;

// The start of an unknown window: every entry counts as inside; a bad element never does.
constexpr double k_no_window = -std::numeric_limits<double>::infinity();

// Log entries one round of reads may hold at once, over all keys of a batch.
constexpr std::int64_t k_max_entries_per_round = 200'000;

bool is_wrong_type(const resp::Value& v) {
  return v.is_error() && client::classify(v.str) == client::ServerErrorKind::wrong_type;
}

std::optional<double> number_of(const resp::Value& v) {
  if (v.type == resp::Type::double_number) return v.number;
  if (v.type == resp::Type::integer) return static_cast<double>(v.integer);
  if (!v.is_string()) return std::nullopt;
  return util::parse_double(v.str);
}

// ZRANGE ... WITHSCORES in RESP2 (flat) and RESP3 (pairs): (member, score) in reply order.
std::vector<std::pair<std::string, double>> scored_members(const resp::Value& v) {
  std::vector<std::pair<std::string, double>> out;
  if (!v.elements.empty() && v.elements.front().is_list()) {
    for (const auto& pair : v.elements)
      if (pair.elements.size() == 2)
        if (auto score = number_of(pair.elements[1])) out.emplace_back(pair.elements[0].str, *score);
    return out;
  }
  for (std::size_t i = 0; i + 1 < v.elements.size(); i += 2)
    if (auto score = number_of(v.elements[i + 1])) out.emplace_back(v.elements[i].str, *score);
  return out;
}

LimiterLayout layout_of(KeyLayout k) {
  switch (k) {
    case KeyLayout::limits: return LimiterLayout::limits;
    case KeyLayout::limits_prefixed: return LimiterLayout::limits_prefixed;
    case KeyLayout::limits_sliding: return LimiterLayout::limits_sliding;
  }
  return LimiterLayout::limits;
}

// What one subject needs, filled round by round.
struct Work {
  Subject subject;
  ReadOutcome outcome;
  bool settled = false;  // outcome final, nothing more to read
  std::string type;
  std::int64_t pttl = -2;
  std::vector<std::pair<std::string, double>> log;  // newest first: (raw, timestamp or score)
  std::int64_t log_fetched = 0;  // entries the range returned
  double divisor = 1;  // sorted-set scores per second
  bool log_read = false;  // round two done
  std::optional<double> newest, pivot;  // sorted sets: newest and amount-th newest time
  Limiter limiter;
};

class Reader : public std::enable_shared_from_this<Reader> {
 public:
  Reader(std::vector<Subject> subjects, const ReadOptions& options, double now, Sender send,
         std::function<void(ReadResult)> done)
      : m_options(options), m_now(now), m_send(std::move(send)), m_done(std::move(done)) {
    for (auto& s : subjects) {
      Work w;
      w.subject = std::move(s);
      m_work.push_back(std::move(w));
    }
  }

  void start() { round_one(); }

 private:
  // The limit that applies to a subject: its own, else --limit.
  std::optional<LimitItem> limit_for(const Work& w) const {
    if (w.subject.parsed) return w.subject.parsed->limit;
    return m_options.limit;
  }

  // How many log entries to fetch: enough to count the limit (amount + 1), and the entries
  // `show` wants.
  std::int64_t log_range(const Work& w) const {
    std::int64_t n = static_cast<std::int64_t>(m_options.entries);
    if (auto limit = limit_for(w)) n = std::max(n, limit->amount + 1);
    return std::min(n, k_max_window_entries);
  }

  void settle(Work& w, ReadStatus status, std::string why = {}) {
    w.settled = true;
    w.outcome.status = status;
    w.outcome.why = std::move(why);
  }

  void finish_ok(Work& w) {
    w.settled = true;
    w.outcome.status = ReadStatus::ok;
    w.outcome.limiter = std::move(w.limiter);
  }

  // Checks a reply for redirects and refusals; false when the subject is settled or the read
  // failed (m_failed).
  bool usable(Work& w, const resp::Value& v, std::string_view command, bool wrong_type_ok) {
    if (cluster::slot_moved(v)) {
      settle(w, ReadStatus::redirected);
      return false;
    }
    if (v.is_error() && !(wrong_type_ok && is_wrong_type(v))) {
      fail(client::to_error(v.str, fmt::format("{} {}", command, w.subject.key)));
      return false;
    }
    return true;
  }

  void fail(Error e) {
    if (m_failed) return;
    m_failed = true;
    m_done(ReadResult{std::move(e), {}});
  }

  void begin_limiter(Work& w) {
    auto& l = w.limiter;
    l.key = w.subject.key;
    if (const auto& p = w.subject.parsed) {
      l.layout = layout_of(p->layout);
      l.identity = p->identity;
      l.scope = p->scope;
      l.limit = p->limit;
      l.limit_from_key = true;
      if (p->layout == KeyLayout::limits_sliding) l.previous_key = p->previous_key;
    } else {
      l.limit = m_options.limit;
    }
  }

  // Round one: GET/PTTL of both sliding keys, or TYPE/PTTL/GET (GET fails harmlessly with
  // WRONGTYPE on lists and sorted sets, and saves a round trip for strings).
  void round_one() {
    std::vector<client::Command> commands;
    for (const auto& w : m_work) {
      const auto& p = w.subject.parsed;
      if (p && p->layout == KeyLayout::limits_sliding) {
        commands.push_back(keyed({"GET", p->current_key}));
        commands.push_back(keyed({"PTTL", p->current_key}));
        commands.push_back(keyed({"GET", p->previous_key}));
        commands.push_back(keyed({"PTTL", p->previous_key}));
      } else {
        commands.push_back(keyed({"TYPE", w.subject.key}));
        commands.push_back(keyed({"PTTL", w.subject.key}));
        commands.push_back(keyed({"GET", w.subject.key}));
      }
    }
    m_send(std::move(commands), [self = shared_from_this()](Replies r) { self->on_round_one(std::move(r)); });
  }

  void on_round_one(Replies replies) {
    if (replies.error) return fail(*replies.error);
    std::size_t i = 0;
    for (auto& w : m_work) {
      const auto& p = w.subject.parsed;
      bool sliding = p && p->layout == KeyLayout::limits_sliding;
      std::size_t n = sliding ? 4 : 3;
      if (i + n > replies.values.size()) return fail({ErrorKind::protocol, "fewer replies than commands", {}});
      auto* r = &replies.values[i];
      i += n;
      bool ok = true;
      for (std::size_t j = 0; j < n && ok; ++j)
        ok = usable(w, r[j], sliding ? (j % 2 ? "PTTL" : "GET") : (j == 0 ? "TYPE" : j == 1 ? "PTTL" : "GET"), true);
      if (m_failed) return;
      if (!ok) continue;
      begin_limiter(w);
      if (sliding) take_sliding(w, r);
      else take_plain(w, r);
    }
    round_two();
  }

  void take_sliding(Work& w, const resp::Value* r) {
    if (is_wrong_type(r[0]) || is_wrong_type(r[2]))
      return settle(w, ReadStatus::unsupported, "a sliding-window key that is not a string counter");
    SlidingWindowState s;
    s.current_pttl_ms = r[1].integer;
    s.previous_pttl_ms = r[3].integer;
    if (s.current_pttl_ms == -2 && s.previous_pttl_ms == -2) return settle(w, ReadStatus::missing);
    auto cur = r[0].is_null() ? std::optional<std::int64_t>(0) : util::parse_int(r[0].str);
    auto prev = r[2].is_null() ? std::optional<std::int64_t>(0) : util::parse_int(r[2].str);
    if (!cur || !prev) return settle(w, ReadStatus::unsupported, "a sliding-window counter that is not an integer");
    s.current_count = *cur;
    s.previous_count = *prev;
    auto& l = w.limiter;
    l.strategy = LimiterStrategy::sliding_window_counter;
    l.sliding = s;
    l.count = *cur;
    l.ttl_ms = s.current_pttl_ms;
    l.usage = sliding_window_usage(s, *l.limit, m_now);
    finish_ok(w);
  }

  void take_plain(Work& w, const resp::Value* r) {
    w.type = r[0].str;
    w.pttl = r[1].integer;
    auto& l = w.limiter;
    l.ttl_ms = w.pttl;
    if (w.type == "none") return settle(w, ReadStatus::missing);
    if (w.type == "string") return take_string(w, r[2]);
    if (w.type == "list") {
      l.strategy = LimiterStrategy::moving_window;
      if (!w.subject.parsed) l.layout = LimiterLayout::list_log;
      return;  // round two reads the list
    }
    if (w.type == "zset" && !w.subject.parsed) {
      l.strategy = LimiterStrategy::sliding_log;
      l.layout = LimiterLayout::zset_log;
      return;
    }
    settle(w, ReadStatus::unsupported, fmt::format("a {}, which no limiter layout rctl reads uses", w.type));
  }

  void take_string(Work& w, const resp::Value& get) {
    auto& l = w.limiter;
    auto value = util::parse_int(get.str);
    if (!value) return settle(w, ReadStatus::unsupported, "a string that is not an integer counter");
    if (!w.subject.parsed && *value >= k_min_tat_ns) {
      l.layout = LimiterLayout::redis_cell;
      l.strategy = LimiterStrategy::gcra;
      l.tat_ns = *value;
      if (l.limit) {
        l.max_burst = m_options.max_burst.value_or(std::max<std::int64_t>(0, l.limit->amount - 1));
        l.usage = gcra_usage(*value, static_cast<std::int64_t>(m_now * 1e9), *l.limit, *l.max_burst);
      }
      return finish_ok(w);
    }
    l.strategy = LimiterStrategy::fixed_window;
    l.count = *value;
    l.usage = fixed_window_usage(*value, w.pttl, l.limit, m_now);
    finish_ok(w);
  }

  // Round two: the window logs, newest first, with their length. Logs are read in chunks of at
  // most k_max_entries_per_round entries, so that a batch of long moving windows (10000/day...)
  // never sits in memory all at once.
  void round_two() {
    std::vector<client::Command> commands;
    m_chunk.clear();
    std::int64_t budget = 0;
    for (; m_next_log < m_work.size(); ++m_next_log) {
      auto& w = m_work[m_next_log];
      if (w.settled || w.log_read) continue;
      auto n = std::max<std::int64_t>(log_range(w), 1);
      if (!m_chunk.empty() && budget + n > k_max_entries_per_round) break;
      budget += n;
      m_chunk.push_back(m_next_log);
      auto last = std::to_string(n - 1);
      if (w.type == "list") {
        commands.push_back(keyed({"LRANGE", w.subject.key, "0", last}));
        commands.push_back(keyed({"LLEN", w.subject.key}));
      } else {
        commands.push_back(keyed({"ZREVRANGE", w.subject.key, "0", last, "WITHSCORES"}));
        commands.push_back(keyed({"ZCARD", w.subject.key}));
      }
    }
    if (commands.empty()) return round_three();
    m_send(std::move(commands), [self = shared_from_this()](Replies r) { self->on_round_two(std::move(r)); });
  }

  void on_round_two(Replies replies) {
    if (replies.error) return fail(*replies.error);
    if (replies.values.size() != 2 * m_chunk.size())
      return fail({ErrorKind::protocol, "fewer replies than commands", {}});
    for (std::size_t c = 0; c < m_chunk.size(); ++c) {
      auto& w = m_work[m_chunk[c]];
      const auto& range = replies.values[2 * c];
      const auto& length = replies.values[2 * c + 1];
      bool list = w.type == "list";
      if (!usable(w, range, list ? "LRANGE" : "ZREVRANGE", true) || !usable(w, length, list ? "LLEN" : "ZCARD", true)) {
        if (m_failed) return;
        continue;
      }
      if (is_wrong_type(range) || length.type != resp::Type::integer) {
        settle(w, ReadStatus::missing);  // the key changed type or vanished in between
        continue;
      }
      w.limiter.entries_total = length.integer;
      if (length.integer == 0) {
        settle(w, ReadStatus::missing);
        continue;
      }
      w.log_read = true;
      if (list) take_list(w, range);
      else take_zset(w, range);
      w.log.clear();  // only `show` keeps entries (limiter.entries)
      w.log.shrink_to_fit();
    }
    round_two();
  }

  // Keeps the newest entries for `show`. A moving window counts an entry at the window's start
  // (>=, as limits does); a sorted-set log has dropped it (ZREMRANGEBYSCORE 0 now-window).
  void keep_entries(Work& w, double window_start, bool inclusive) {
    auto& l = w.limiter;
    for (std::size_t k = 0; k < w.log.size() && l.entries.size() < m_options.entries; ++k) {
      double t = w.log[k].second;
      l.entries.push_back({w.log[k].first, t, inclusive ? t >= window_start : t > window_start});
    }
  }

  void take_list(Work& w, const resp::Value& range) {
    auto& l = w.limiter;
    for (const auto& item : range.elements) {
      auto t = util::parse_double(item.str);
      if (!t) {
        if (w.subject.parsed) {
          w.log.emplace_back(item.str, k_no_window);  // never inside the window
          continue;
        }
        return settle(w, ReadStatus::unsupported, "a list whose elements are not hit times");
      }
      w.log.emplace_back(item.str, *t);
    }
    w.log_fetched = static_cast<std::int64_t>(w.log.size());
    if (!l.limit) {
      keep_entries(w, k_no_window, true);
      return finish_ok(w);
    }
    std::vector<double> times;
    times.reserve(w.log.size());
    for (const auto& e : w.log) times.push_back(e.second);
    auto rules = l.layout == LimiterLayout::limits ? MovingWindowRules::limits_2 : MovingWindowRules::limits_3;
    l.usage = moving_window_usage(times, *l.limit, m_now, rules);
    keep_entries(w, m_now - static_cast<double>(l.limit->window_seconds()), true);
    finish_ok(w);
  }

  void take_zset(Work& w, const resp::Value& range) {
    auto& l = w.limiter;
    auto members = scored_members(range);
    if (members.empty()) return settle(w, ReadStatus::missing);
    w.divisor = score_divisor(members.front().second);
    for (auto& [member, score] : members) w.log.emplace_back(std::move(member), score / w.divisor);
    w.log_fetched = static_cast<std::int64_t>(w.log.size());
    if (!l.limit) {
      keep_entries(w, k_no_window, true);
      return finish_ok(w);
    }
    double start = m_now - static_cast<double>(l.limit->window_seconds());
    keep_entries(w, start, false);
    w.newest = w.log.front().second;
    // The amount-th newest member: its leaving the window frees the next hit.
    auto edge = static_cast<std::size_t>(std::max<std::int64_t>(l.limit->amount - 1, 0));
    if (l.limit->amount > 0 && edge < w.log.size()) w.pivot = w.log[edge].second;
    std::int64_t in_window = 0;
    while (in_window < w.log_fetched && w.log[static_cast<std::size_t>(in_window)].second > start) ++in_window;
    // Every fetched member is in the window and there are more: count them all (round three).
    if (in_window == w.log_fetched && w.log_fetched < l.entries_total) return;
    complete_zset(w, in_window);
  }

  void complete_zset(Work& w, std::int64_t in_window) {
    auto& l = w.limiter;
    l.usage = sliding_log_usage(in_window, w.newest, w.pivot, l.limit, m_now);
    finish_ok(w);
  }

  // Round three: ZCOUNT for sorted sets longer than what round two fetched.
  void round_three() {
    std::vector<client::Command> commands;
    for (auto& w : m_work) {
      if (w.settled) continue;
      double start = (m_now - static_cast<double>(w.limiter.limit->window_seconds())) * w.divisor;
      commands.push_back(keyed({"ZCOUNT", w.subject.key, fmt::format("({:.17g}", start), "+inf"}));
    }
    if (commands.empty()) return finish();
    m_send(std::move(commands), [self = shared_from_this()](Replies r) { self->on_round_three(std::move(r)); });
  }

  void on_round_three(Replies replies) {
    if (replies.error) return fail(*replies.error);
    std::size_t i = 0;
    for (auto& w : m_work) {
      if (w.settled) continue;
      if (i >= replies.values.size()) return fail({ErrorKind::protocol, "fewer replies than commands", {}});
      const auto& count = replies.values[i++];
      if (!usable(w, count, "ZCOUNT", true)) {
        if (m_failed) return;
        continue;
      }
      if (count.type != resp::Type::integer) {
        settle(w, ReadStatus::missing);
        continue;
      }
      complete_zset(w, count.integer);
    }
    finish();
  }

  void finish() {
    if (m_failed) return;
    ReadResult result;
    result.outcomes.reserve(m_work.size());
    for (auto& w : m_work) result.outcomes.push_back(std::move(w.outcome));
    m_done(std::move(result));
  }

  const ReadOptions& m_options;
  double m_now;
  Sender m_send;
  std::function<void(ReadResult)> m_done;
  std::vector<Work> m_work;
  std::size_t m_next_log = 0;  // round two: the next work to read a log for
  std::vector<std::size_t> m_chunk;  // round two: the works in flight
  bool m_failed = false;
};

}  // namespace

Subject make_subject(std::string key) {
  Subject s;
  s.parsed = parse_limits_key(key);
  s.key = s.parsed ? s.parsed->current_key : std::move(key);
  return s;
}

void read_limiters(std::vector<Subject> subjects, const ReadOptions& options, double now, Sender send,
                   std::function<void(ReadResult)> done) {
  if (subjects.empty()) return done(ReadResult{});
  auto reader = std::make_shared<Reader>(std::move(subjects), options, now, std::move(send), std::move(done));
  reader->start();
}

std::vector<ReadOutcome> read_routed(cluster::Client& target, std::vector<Subject> subjects,
                                     const ReadOptions& options) {
  std::optional<ReadResult> result;
  read_limiters(std::move(subjects), options, unix_now(), routed_sender(target),
                [&](ReadResult r) { result = std::move(r); });
  if (!result) throw Failure(ErrorKind::internal, "the read did not complete");
  if (result->error) throw Failure(std::move(*result->error));
  return std::move(result->outcomes);
}

}  // namespace rctl::ratelimit
