#include "job/replies.hpp"

#include "client/server_error.hpp"

namespace rctl::job {

resp::Value reply_or_throw(Expected<resp::Value> reply, std::string_view what) {
  auto value = value_or_throw(std::move(reply));
  throw_if_error(value, what);
  return value;
}

void throw_if_error(const resp::Value& reply, std::string_view what) {
  if (reply.is_error()) throw Failure(client::to_error(reply.str, what));
}

std::vector<std::pair<std::string, std::string>> pairs_of(const resp::Value& reply) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2)
    out.emplace_back(reply.elements[i].str, reply.elements[i + 1].str);
  return out;
}

std::map<std::string, std::string> hash_reply(const resp::Value& reply, std::string_view what) {
  throw_if_error(reply, what);
  std::map<std::string, std::string> out;
  for (auto& [field, value] : pairs_of(reply)) out.emplace(std::move(field), std::move(value));
  return out;
}

std::vector<std::string> hmget_reply(const resp::Value& reply, std::string_view what) {
  throw_if_error(reply, what);
  std::vector<std::string> out;
  for (const auto& v : reply.elements) out.push_back(v.is_null() ? std::string{} : v.str);
  return out;
}

}  // namespace rctl::job
