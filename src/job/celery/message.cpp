#include "job/celery/message.hpp"

#include "decode/bytes.hpp"
#include "decode/json_reader.hpp"
#include "job/repr.hpp"

namespace rctl::job::celery {

std::string args_repr(const Json& args) {
  std::string out = "(";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ", ";
    out += python_repr(args[i]);
  }
  if (args.size() == 1) out += ",";
  return out + ")";
}

std::string kwargs_repr(const Json& kwargs) { return python_repr(kwargs); }

std::string encode_message(const TaskRequest& r) {
  // The body is json.dumps((args, kwargs, embed)) — the tuple becomes a list.
  const Json body = Json::array(
      {r.args, r.kwargs, {{"callbacks", nullptr}, {"errbacks", nullptr}, {"chain", nullptr}, {"chord", nullptr}}});
  Json message;
  message["body"] = decode::base64_encode(python_json_dumps(body));
  message["content-encoding"] = "utf-8";
  message["content-type"] = "application/json";
  message["headers"] = {{"lang", "py"},
                        {"task", r.task},
                        {"id", r.id},
                        {"shadow", nullptr},
                        {"eta", nullptr},
                        {"expires", nullptr},
                        {"group", nullptr},
                        {"group_index", nullptr},
                        {"retries", 0},
                        {"timelimit", Json::array({nullptr, nullptr})},
                        {"root_id", r.id},
                        {"parent_id", nullptr},
                        {"argsrepr", args_repr(r.args)},
                        {"kwargsrepr", kwargs_repr(r.kwargs)},
                        {"origin", r.origin},
                        {"ignore_result", false}};
  message["properties"] = {{"correlation_id", r.id},
                           {"reply_to", ""},
                           {"delivery_mode", 2},
                           {"delivery_info", {{"exchange", ""}, {"routing_key", r.queue}}},
                           {"priority", 0},
                           {"body_encoding", "base64"},
                           {"delivery_tag", r.delivery_tag}};
  return python_json_dumps(message);
}

namespace {

std::string text_field(const Json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

Json value_field(const Json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() ? Json(nullptr) : *it;
}

}  // namespace

TaskMessage decode_message(std::string_view raw) {
  TaskMessage m;
  auto parsed = decode::read_json(raw);
  if (!parsed || !parsed->is_object()) {
    m.problem = "not a kombu JSON message";
    return m;
  }
  const Json& envelope = *parsed;
  const Json headers = value_field(envelope, "headers");
  const Json properties = value_field(envelope, "properties");
  if (!headers.is_object()) {
    m.problem = "no headers (a protocol 1 message?)";
    return m;
  }
  m.valid = true;
  m.id = text_field(headers, "id");
  m.task = text_field(headers, "task");
  m.argsrepr = text_field(headers, "argsrepr");
  m.kwargsrepr = text_field(headers, "kwargsrepr");
  m.eta = value_field(headers, "eta");
  m.expires = value_field(headers, "expires");
  if (auto it = headers.find("retries"); it != headers.end() && it->is_number_integer())
    m.retries = it->get<std::int64_t>();
  m.content_type = text_field(envelope, "content-type");
  if (properties.is_object()) {
    m.body_encoding = text_field(properties, "body_encoding");
    const Json info = value_field(properties, "delivery_info");
    if (info.is_object()) m.routing_key = text_field(info, "routing_key");
  }
  if (m.content_type != "application/json") {
    // Pickle above all: decoding it would mean running what it names.
    m.problem =
        "body is " + (m.content_type.empty() ? std::string("of no declared type") : m.content_type) + ", not decoded";
    return m;
  }
  auto body_it = envelope.find("body");
  if (body_it == envelope.end() || !body_it->is_string()) {
    m.problem = "no body";
    return m;
  }
  std::string body = body_it->get<std::string>();
  if (m.body_encoding == "base64") {
    auto bytes = decode::base64_decode(body);
    if (!bytes) {
      m.problem = "body is not valid base64";
      return m;
    }
    body = std::move(*bytes);
  }
  auto decoded = decode::read_json(body);
  if (!decoded) {
    m.problem = "body is not JSON";
    return m;
  }
  const Json& tuple = *decoded;
  if (!tuple.is_array() || tuple.size() != 3 || !tuple[0].is_array() || !tuple[1].is_object()) {
    m.problem = "body is not [args, kwargs, embed]";
    return m;
  }
  m.args = tuple[0];
  m.kwargs = tuple[1];
  m.embed = tuple[2];
  m.body_decoded = true;
  return m;
}

std::string binding_queue(std::string_view member) {
  const auto first = member.find(k_sep);
  if (first == std::string_view::npos) return {};
  const auto second = member.find(k_sep, first + k_sep.size());
  if (second == std::string_view::npos) return {};
  return std::string(member.substr(second + k_sep.size()));
}

}  // namespace rctl::job::celery
