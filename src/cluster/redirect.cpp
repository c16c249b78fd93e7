#include "cluster/redirect.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "cluster/address.hpp"
#include "cluster/slot.hpp"

namespace rctl::cluster {
namespace {

std::optional<int> parse_int(std::string_view text, int min, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) return std::nullopt;
  return value;
}

// "host:port", "[v6]:port", "v6:port" (Redis formats "%s:%d" without brackets, so the port is
// after the last colon), ":port" (unknown endpoint, Redis >= 7).
std::optional<NodeAddress> parse_address(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto number = parse_int(port, 1, k_max_port);
  if (!number) return std::nullopt;
  return NodeAddress{std::string(host), *number};
}

std::string_view first_word(std::string_view text) { return text.substr(0, text.find(' ')); }

std::string one_line(std::string_view text) {
  std::string line(text);
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return line;
}

std::string_view trim_trailing(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\n')) text.remove_suffix(1);
  return text;
}

}  // namespace

const char* transient_state(std::string_view error_message) {
  auto word = first_word(error_message);
  if (word == "LOADING") return "server is loading its dataset";
  if (word == "BUSY") return "server is busy running a script";
  if (word == "MASTERDOWN") return "replica has lost its primary";
  return nullptr;
}

Redirect parse_redirect(std::string_view error_message) {
  auto word = first_word(error_message);
  if (word == "TRYAGAIN") return Redirect{RedirectKind::try_again};
  if (word == "CLUSTERDOWN") return Redirect{RedirectKind::cluster_down};
  bool moved = word == "MOVED";
  if (!moved && word != "ASK") return {};
  // "<KIND> <slot> <address>", single spaces, nothing after.
  auto rest = trim_trailing(error_message.substr(std::min(word.size() + 1, error_message.size())));
  auto space = rest.find(' ');
  if (space == std::string_view::npos) return {};
  auto slot = parse_int(rest.substr(0, space), 0, k_slot_count - 1);
  auto address = parse_address(rest.substr(space + 1));
  if (!slot || !address || address->host.find(' ') != std::string::npos) return {};
  return Redirect{moved ? RedirectKind::moved : RedirectKind::ask, *slot, std::move(*address)};
}

RedirectTracker::RedirectTracker(RedirectPolicy policy, int slot) : m_policy(policy), m_slot(slot) {}

Decision RedirectTracker::on_reply(const resp::Value& reply, const NodeAddress& from) {
  if (!reply.is_error()) return {};
  if (const char* state = transient_state(reply.str)) {
    m_trail.emplace_back(first_word(reply.str));
    if (++m_retries > m_policy.max_retries) {
      // The trail would only repeat the state; say what the server is doing instead.
      auto decision = give_up(ErrorKind::server, "retries", m_retries, reply.str);
      decision.error.message =
          fmt::format("{}: gave up after {} retries (last: {})", state, m_retries, one_line(reply.str));
      decision.error.hint = "the command was not run; try again later, or raise --retries to wait longer";
      return decision;
    }
    Decision decision;
    decision.action = Action::backoff_then_retry;
    decision.delay = backoff(m_policy.busy_backoff);
    return decision;
  }
  return on_redirect(parse_redirect(reply.str), reply.str, from);
}

Decision RedirectTracker::on_redirect(const Redirect& redirect, std::string_view message, const NodeAddress& from) {
  switch (redirect.kind) {
    case RedirectKind::none: return {};
    case RedirectKind::moved:
    case RedirectKind::ask: {
      // An empty host means "the endpoint you used" (cluster-preferred-endpoint-type unknown-endpoint).
      NodeAddress target = redirect.target;
      if (target.host.empty()) target.host = from.host;
      bool moved = redirect.kind == RedirectKind::moved;
      if (m_slot < 0) m_slot = redirect.slot;
      m_trail.push_back(fmt::format("{} {}", moved ? "MOVED" : "ASK", to_string(target)));
      if (++m_hops > m_policy.max_hops) return give_up(ErrorKind::server, "redirects", m_hops, {});
      Decision decision;
      decision.target = std::move(target);
      decision.slot = redirect.slot;
      if (!moved) {
        decision.action = Action::retry_on_target_after_asking;
      } else if (++m_moved >= m_policy.refresh_after_moved && !m_refreshed_after_moved) {
        // Repeated MOVEDs mean more than one slot changed hands (resharding, failover): one
        // full refresh beats learning the new layout a redirect at a time.
        m_refreshed_after_moved = true;
        decision.action = Action::refresh_map_then_retry;
      } else {
        decision.action = Action::retry_on_target_and_update_slot;
      }
      return decision;
    }
    case RedirectKind::try_again:
    case RedirectKind::cluster_down: {
      bool down = redirect.kind == RedirectKind::cluster_down;
      m_trail.push_back(down ? "CLUSTERDOWN" : "TRYAGAIN");
      if (++m_retries > m_policy.max_retries) return give_up(ErrorKind::server, "retries", m_retries, message);
      Decision decision;
      decision.action = Action::backoff_then_retry;
      decision.delay = backoff(down ? m_policy.cluster_down_backoff : m_policy.try_again_backoff);
      // TRYAGAIN comes from the slot's rightful owner mid-migration: the map is right, only
      // time helps. CLUSTERDOWN may follow a failover: the map is likely stale.
      decision.refresh_map = down;
      return decision;
    }
  }
  return {};
}

Decision RedirectTracker::on_connection_lost(bool retry_safe) {
  m_trail.push_back("connection lost");
  if (!retry_safe) {
    Decision decision;
    decision.action = Action::give_up;
    decision.error = Error{ErrorKind::outcome_unknown, "outcome unknown: connection lost after the command was sent",
                           "check whether it took effect before running it again"};
    return decision;
  }
  if (++m_retries > m_policy.max_retries) {
    return give_up(ErrorKind::connect, "retries", m_retries, "connection lost after the command was sent");
  }
  Decision decision;
  decision.action = Action::refresh_map_then_retry;
  return decision;
}

std::chrono::milliseconds RedirectTracker::backoff(std::chrono::milliseconds base) const {
  // Doubling from `base`, capped; m_retries is already >= 1 here and <= max_retries.
  auto delay = base;
  for (int i = 1; i < m_retries && delay < m_policy.max_backoff; ++i) delay *= 2;
  return std::min(delay, m_policy.max_backoff);
}

Decision RedirectTracker::give_up(ErrorKind kind, std::string_view what, int count, std::string_view last) {
  std::string trail;
  for (const auto& step : m_trail) {
    if (!trail.empty()) trail += " -> ";
    trail += step;
  }
  std::string slot = m_slot >= 0 ? fmt::format(" for slot {}", m_slot) : std::string();
  Decision decision;
  decision.action = Action::give_up;
  decision.error.kind = kind;
  decision.error.message = fmt::format("gave up after {} {}{}: {}", count, what, slot, trail);
  if (!last.empty()) decision.error.message += fmt::format(" (last: {})", one_line(last));
  if (what == std::string_view("redirects")) {
    decision.error.hint =
        "the slot map keeps changing: a resharding or failover may be under way "
        "(check with redis-cli --cluster check)";
  }
  return decision;
}

}  // namespace rctl::cluster
