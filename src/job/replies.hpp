#pragma once
// Small helpers shared by the job commands for reading replies: error replies become
// Failures, and hash/stream field lists read the same under RESP2 (flat arrays) and RESP3
// (maps).

#include "resp/value.hpp"
#include "util/error.hpp"

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rctl::job {

// The reply, or a Failure for a transport error or an error reply (`what` names the command).
resp::Value reply_or_throw(Expected<resp::Value> reply, std::string_view what);

// Throws a Failure when `reply` is an error reply.
void throw_if_error(const resp::Value& reply, std::string_view what);

// Field/value pairs of an HGETALL-like or stream-entry reply (map or flat array), in order.
std::vector<std::pair<std::string, std::string>> pairs_of(const resp::Value& reply);

// HGETALL as a map (empty when the key does not exist); throws on an error reply.
std::map<std::string, std::string> hash_reply(const resp::Value& reply, std::string_view what);

// HMGET values in order; a missing field is "" (RQ treats empty and missing alike).
std::vector<std::string> hmget_reply(const resp::Value& reply, std::string_view what);

}  // namespace rctl::job
