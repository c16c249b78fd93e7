#pragma once
// Cluster redirections (https://redis.io/docs/reference/cluster-spec/#redirection-and-resharding):
// parsing -MOVED/-ASK/-TRYAGAIN/-CLUSTERDOWN, and the bounded per-command state machine a
// cluster client drives. Pure: the caller does the sending, sleeping and map refreshing.
//
// A redirection error means the node did NOT execute the command, so following one is safe
// even for non-idempotent commands. A connection lost after sending is different: the
// command may have run, and only the caller knows whether running it twice is harmless.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/address.hpp"
#include "resp/value.hpp"
#include "util/error.hpp"

namespace rctl::cluster {

enum class RedirectKind {
  none,  // not a cluster redirection (success, or any other error)
  moved,  // the slot lives elsewhere for good: update the map, retry there
  ask,  // the slot is migrating, this key already moved: ASKING + retry there, once
  try_again,  // multi-key command during a migration with keys split: wait, retry
  cluster_down,  // the cluster cannot serve the slot right now: wait, refresh, retry
};

struct Redirect {
  RedirectKind kind = RedirectKind::none;
  int slot = -1;  // moved/ask: 0..16383
  NodeAddress target;  // moved/ask: where to go; empty host = the node that answered
};

// Parses an error reply's text ("MOVED 3999 127.0.0.1:6381", "ASK 3999 [::1]:6381",
// "MOVED 3999 ::1:6381" as Redis really prints IPv6, "MOVED 3999 :6380" for an unknown
// endpoint, "TRYAGAIN ...", "CLUSTERDOWN ..."). Anything else, including a malformed
// MOVED/ASK, is RedirectKind::none.
Redirect parse_redirect(std::string_view error_message);

// Limits per command. Defaults follow redis-py/go-redis practice (DESIGN reference,
// reliability-ux.md "Cluster redirects").
struct RedirectPolicy {
  int max_hops = 5;  // MOVED/ASK redirects followed; one more gives up
  int max_retries = 3;  // TRYAGAIN/CLUSTERDOWN/LOADING/BUSY/MASTERDOWN/connection-lost
      // retries; one more gives up
  int refresh_after_moved = 2;  // the Nth MOVED of a command refreshes the whole map (once)
  std::chrono::milliseconds try_again_backoff{50};  // first wait; doubles per retry
  std::chrono::milliseconds cluster_down_backoff{250};
  std::chrono::milliseconds busy_backoff{100};  // LOADING, BUSY, MASTERDOWN
  std::chrono::milliseconds max_backoff{1000};
};

// Server states in which a node refuses a command without running it, for a while: LOADING
// (reading its dataset after a restart), BUSY (a script or function is running), MASTERDOWN
// (a replica that lost its primary). Waiting and sending the command again is safe even for
// non-idempotent commands. Returns the state's description ("server is loading its dataset")
// or nullptr when `error_message` is not one of them.
const char* transient_state(std::string_view error_message);

enum class Action {
  done,  // not a redirection: the reply is the command's answer
  retry_on_target_after_asking,  // send ASKING then the command to `target`; map unchanged
  retry_on_target_and_update_slot,  // map.assign(slot, target); send the command to `target`
  refresh_map_then_retry,  // refresh the whole map, then route by slot again
  backoff_then_retry,  // wait `delay`, refresh if `refresh_map`, route by slot again
  give_up,  // stop; `error` says why
};

struct Decision {
  Action action = Action::done;
  NodeAddress target;  // retry_on_target_*: host resolved (never empty)
  int slot = -1;  // the slot a MOVED named (also set on refresh after MOVED,
      // so a caller whose refresh fails can assign() instead)
  std::chrono::milliseconds delay{0};  // backoff_then_retry
  bool refresh_map = false;  // backoff_then_retry: refresh before routing
  Error error;  // give_up
};

// One command's journey through redirects. Create one per command (per attempt sequence).
class RedirectTracker {
 public:
  // `slot` is what the command was routed by (-1 for keyless); it names the loop in errors.
  explicit RedirectTracker(RedirectPolicy policy = {}, int slot = -1);

  // Decides after `reply` arrived from `from` (the node the attempt went to, used to resolve
  // redirects with an empty host). Non-error replies and errors that are neither redirects
  // nor a transient_state() are `done`. A transient state is backoff_then_retry (no refresh)
  // until max_retries, then give_up naming the state.
  Decision on_reply(const resp::Value& reply, const NodeAddress& from);

  // Same, for an already parsed redirect; `message` is the error text (for the give-up message).
  Decision on_redirect(const Redirect& redirect, std::string_view message, const NodeAddress& from);

  // Decides after the connection dropped once the command may have been sent. Retries (after
  // a map refresh: the node may have failed over) only if `retry_safe`; otherwise gives up
  // with ErrorKind::outcome_unknown.
  Decision on_connection_lost(bool retry_safe);

  int redirects() const { return m_hops; }  // MOVED/ASK seen so far
  int retries() const { return m_retries; }  // backoffs and reconnects so far
  const std::vector<std::string>& trail() const { return m_trail; }  // "MOVED h:p", "TRYAGAIN"...

 private:
  Decision give_up(ErrorKind kind, std::string_view what, int count, std::string_view last);
  std::chrono::milliseconds backoff(std::chrono::milliseconds base) const;

  RedirectPolicy m_policy;
  int m_slot = -1;
  int m_hops = 0;
  int m_moved = 0;
  int m_retries = 0;
  bool m_refreshed_after_moved = false;
  std::vector<std::string> m_trail;
};

}  // namespace rctl::cluster
