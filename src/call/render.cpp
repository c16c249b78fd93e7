#include "call/render.hpp"

#include "decode/bytes.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

namespace rctl::call {

namespace {

// A string as redis-cli quotes it: in double quotes, with quotes and every unsafe byte escaped.
std::string quoted_reply_text(std::string_view bytes) {
  std::string out = "\"";
  for (char c : decode::escape_for_terminal(bytes)) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string double_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

// Text shown as it is (verbatim strings: INFO, LATENCY DOCTOR): each line escaped on its own,
// the CR of CRLF dropped.
std::vector<std::string> text_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    auto line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (end == std::string_view::npos && line.empty() && start > 0) break;
    lines.push_back(decode::escape_for_terminal(line));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

void add_aggregate_lines(std::vector<std::string>& out, const resp::Value& value);

// Appends `child` under `prefix`: its first line after the prefix, the others indented to match.
void add_prefixed(std::vector<std::string>& out, const std::string& prefix, std::vector<std::string> child) {
  std::string indent(prefix.size(), ' ');
  for (std::size_t i = 0; i < child.size(); ++i) out.push_back((i == 0 ? prefix : indent) + child[i]);
}

void add_aggregate_lines(std::vector<std::string>& out, const resp::Value& value) {
  const bool map = value.is_map();
  std::size_t count = map ? value.elements.size() / 2 : value.elements.size();
  if (count == 0) {
    out.push_back(fmt::format("(empty {})", resp::to_string(value.type)));
    return;
  }
  const char* mark = map ? "#" : value.type == resp::Type::set ? "~" : value.type == resp::Type::push ? ">" : ")";
  auto width = fmt::format("{}", count).size();
  for (std::size_t i = 0; i < count; ++i) {
    auto prefix = fmt::format("{:>{}}{} ", i + 1, width, mark);
    if (!map) {
      add_prefixed(out, prefix, reply_lines(value.elements[i]));
      continue;
    }
    auto key = reply_lines(value.elements[2 * i]);
    auto key_text = key.size() == 1 ? key.front() : fmt::format("{}", fmt::join(key, " "));
    add_prefixed(out, prefix + key_text + " => ", reply_lines(value.elements[2 * i + 1]));
  }
}

// The lines of a value without its attribute (reply_lines adds that).
std::vector<std::string> call_value_lines(const resp::Value& value);

}  // namespace

std::string type_name(const resp::Value& value) {
  std::string name = resp::to_string(value.type);
  for (auto& c : name)
    if (c == ' ') c = '_';
  return name;
}

nlohmann::ordered_json reply_json(const resp::Value& value) {
  using json = nlohmann::ordered_json;
  switch (value.type) {
    case resp::Type::simple_string:
    case resp::Type::bulk_string:
    case resp::Type::verbatim_string: return decode::json_bytes(value.str);
    case resp::Type::big_number: return value.str;
    case resp::Type::error: return json{{"error", decode::json_bytes(value.str)}};
    case resp::Type::integer: return value.integer;
    case resp::Type::null: return nullptr;
    case resp::Type::boolean: return value.integer != 0;
    case resp::Type::double_number:
      return std::isfinite(value.number) ? json(value.number) : json(double_text(value.number));
    case resp::Type::array:
    case resp::Type::set:
    case resp::Type::push: {
      auto out = json::array();
      for (const auto& e : value.elements) out.push_back(reply_json(e));
      return out;
    }
    case resp::Type::map: {
      std::set<std::string_view> seen;
      bool as_object = true;
      for (std::size_t i = 0; i + 1 < value.elements.size(); i += 2) {
        const auto& k = value.elements[i];
        if (!k.is_string() || !decode::is_valid_utf8(k.str) || !seen.insert(k.str).second) as_object = false;
      }
      auto out = as_object ? json::object() : json::array();
      for (std::size_t i = 0; i + 1 < value.elements.size(); i += 2) {
        if (as_object) out[value.elements[i].str] = reply_json(value.elements[i + 1]);
        else out.push_back(json::array({reply_json(value.elements[i]), reply_json(value.elements[i + 1])}));
      }
      return out;
    }
  }
  return nullptr;
}

std::vector<std::string> reply_lines(const resp::Value& value) {
  std::vector<std::string> out;
  if (!value.attributes.empty()) {
    // Shown before the value it annotates, as a map.
    auto annotation = resp::Value::list(value.attributes, resp::Type::map);
    add_prefixed(out, "(attribute) ", reply_lines(annotation));
  }
  auto lines = call_value_lines(value);
  out.insert(out.end(), std::make_move_iterator(lines.begin()), std::make_move_iterator(lines.end()));
  return out;
}

namespace {

std::vector<std::string> call_value_lines(const resp::Value& value) {
  switch (value.type) {
    case resp::Type::simple_string: return {decode::escape_for_terminal(value.str)};
    case resp::Type::bulk_string: return {quoted_reply_text(value.str)};
    case resp::Type::verbatim_string: return text_lines(value.str);
    case resp::Type::error: return {"(error) " + decode::escape_for_terminal(value.str)};
    case resp::Type::integer: return {fmt::format("(integer) {}", value.integer)};
    case resp::Type::null: return {"(nil)"};
    case resp::Type::boolean: return {value.integer ? "(true)" : "(false)"};
    case resp::Type::double_number: return {"(double) " + double_text(value.number)};
    case resp::Type::big_number: return {"(big number) " + decode::escape_for_terminal(value.str)};
    case resp::Type::array:
    case resp::Type::set:
    case resp::Type::push:
    case resp::Type::map: {
      std::vector<std::string> out;
      add_aggregate_lines(out, value);
      return out;
    }
  }
  return {};
}

}  // namespace

std::string reply_raw(const resp::Value& value) {
  switch (value.type) {
    case resp::Type::simple_string:
    case resp::Type::bulk_string:
    case resp::Type::verbatim_string:
    case resp::Type::big_number:
    case resp::Type::error: return value.str;
    case resp::Type::integer: return fmt::format("{}", value.integer);
    case resp::Type::null: return {};
    case resp::Type::boolean: return value.integer ? "1" : "0";
    case resp::Type::double_number: return double_text(value.number);
    case resp::Type::array:
    case resp::Type::set:
    case resp::Type::push:
    case resp::Type::map: {
      std::string out;
      for (const auto& e : value.elements) {
        out += reply_raw(e);
        if (!e.is_list() && !e.is_map()) out += '\n';
      }
      return out;
    }
  }
  return {};
}

output::Document render_call(const CallResult& result) {
  output::Document doc;
  auto node_json = [](const NodeReply& r) {
    nlohmann::ordered_json j;
    j["node"] = r.node;
    j["role"] = r.role;
    if (r.reply) {
      j["type"] = type_name(*r.reply);
      j["reply"] = reply_json(*r.reply);
      if (!r.reply->attributes.empty())
        j["attributes"] = reply_json(resp::Value::list(r.reply->attributes, resp::Type::map));
    } else {
      j["error"] = {{"kind", to_string(r.reply.error().kind)}, {"message", r.reply.error().message}};
    }
    return j;
  };
  auto lines_of = [](const NodeReply& r) {
    return r.reply ? reply_lines(*r.reply)
                   : std::vector<std::string>{"(rctl error) " + decode::escape_for_terminal(r.reply.error().message)};
  };
  auto text_block = [](const std::vector<std::string>& lines, output::Tone tone = output::Tone::plain) {
    return output::Text{fmt::format("{}", fmt::join(lines, "\n")), tone, true, true};
  };
  if (!result.fanned_out) {
    const auto& r = result.replies.front();
    doc.json = node_json(r);
    doc.blocks.emplace_back(text_block(lines_of(r)));
    return doc;
  }
  doc.json["nodes"] = nlohmann::ordered_json::array();
  for (const auto& r : result.replies) {
    doc.json["nodes"].push_back(node_json(r));
    bool failed = !r.reply || r.reply->is_error();
    doc.blocks.emplace_back(text_block({fmt::format("{} ({})", r.node, r.role)}, output::Tone::strong));
    auto lines = lines_of(r);
    for (auto& l : lines) l = "  " + l;
    doc.blocks.emplace_back(text_block(lines, failed ? output::Tone::bad : output::Tone::plain));
  }
  return doc;
}

}  // namespace rctl::call
