#pragma once
// Celery's task message (protocol 2) as kombu's Redis transport keeps it in a queue list:
// a JSON envelope {"body", "content-encoding", "content-type", "headers", "properties"}
// whose body is base64 of the serialized tuple [args, kwargs, embed]. Read from Celery 5.2
// (celery/app/amqp.py as_task_v2) and kombu 5.2 (kombu/transport/redis.py, virtual/base.py).
// Only JSON bodies are decoded: a pickle (or yaml, msgpack) body is reported as such and
// never evaluated.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rctl::job::celery {

using Json = nlohmann::ordered_json;

// kombu's Redis transport separator in binding members and priority queue names.
inline constexpr std::string_view k_sep = "\x06\x16";
// Celery's default queue (and exchange, and routing key).
inline constexpr std::string_view k_default_queue = "celery";

// What `job enqueue --system celery` sends.
struct TaskRequest {
  std::string task;  // registered task name, e.g. tasks.add
  std::string queue = std::string(k_default_queue);
  Json args = Json::array();
  Json kwargs = Json::object();
  std::string id;  // task id (uuid4)
  std::string delivery_tag;  // kombu's delivery tag (uuid4)
  std::string origin;  // headers.origin, "<name><pid>@<host>" like Celery's anon_nodename()
};

// The kombu envelope, byte for byte as Celery's apply_async() writes it through json.dumps
// (reply_to is "" where Celery puts its app's result queue id: the Redis result backend does
// not read it).
std::string encode_message(const TaskRequest& request);

// Celery's saferepr() of the positional arguments as a tuple ("(2, 'a')", "(1,)") and of the
// keyword arguments as a dict: headers.argsrepr / kwargsrepr.
std::string args_repr(const Json& args);
std::string kwargs_repr(const Json& kwargs);

// One message read back from a queue.
struct TaskMessage {
  bool valid = false;  // the envelope parsed as JSON with headers
  std::string problem;  // why it is not valid, or why the body was not decoded
  std::string id, task, content_type, body_encoding, argsrepr, kwargsrepr, routing_key;
  std::optional<std::int64_t> retries;
  Json eta, expires;  // ISO 8601 text or null
  bool body_decoded = false;
  Json args = Json::array(), kwargs = Json::object(), embed = nullptr;
};

// Decodes one list element. Never fails: a message it cannot read says why in `problem`.
TaskMessage decode_message(std::string_view raw);

// The queue named in a `_kombu.binding.<exchange>` member "routing_key<sep>pattern<sep>queue",
// or "" when the member has another shape.
std::string binding_queue(std::string_view member);

}  // namespace rctl::job::celery
