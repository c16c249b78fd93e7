#include "job/rq/result.hpp"

#include "decode/bytes.hpp"
#include "decode/json_reader.hpp"
#include "decode/pickle/reader.hpp"
#include "decode/zlib_inflate.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace rctl::job::rq {

namespace {

using Json = nlohmann::ordered_json;

}  // namespace

const char* result_type_name(int code) {
  switch (code) {
    case 1: return "successful";
    case 2: return "failed";
    case 3: return "stopped";
    case 4: return "retried";
    case 5: return "max_retries_exceeded";
    default: return "unknown";
  }
}

decode::DecodedValue decode_serialized(std::string_view bytes, Serializer serializer) {
  auto forced = decode::decode(bytes, serializer == Serializer::json ? decode::Mode::json : decode::Mode::pickle);
  if (forced) return std::move(*forced);
  auto fallback = decode::decode(bytes, decode::Mode::auto_detect).value_or(decode::DecodedValue{});
  fallback.note = fmt::format("not {} as the job's serializer would write it ({}){}{}", to_string(serializer),
                              forced.error().message, fallback.note.empty() ? "" : "; ", fallback.note);
  return fallback;
}

std::string traceback_text(std::string_view bytes, std::vector<std::string>& problems) {
  std::string text(bytes);
  if (decode::looks_like_zlib(bytes)) {
    auto inflated = decode::inflate_capped(bytes, k_max_traceback_bytes);
    if (inflated) {
      text = std::move(*inflated);
    } else {
      problems.push_back(fmt::format("traceback: {}", inflated.error().message));
      text.clear();
    }
  }
  return decode::is_valid_utf8(text) ? text : decode::repair_utf8(text);
}

JobResult decode_result_entry(std::string_view entry_id, const std::vector<std::pair<std::string, std::string>>& fields,
                              Serializer serializer) {
  JobResult r;
  r.source = "stream";
  r.entry_id = entry_id;
  if (auto ms = util::parse_int(entry_id.substr(0, entry_id.find('-')))) r.created_at_ms = *ms;
  for (const auto& [field, value] : fields) {
    if (field == "type") {
      r.type_code = static_cast<int>(util::parse_int(value).value_or(0));
      r.type = result_type_name(r.type_code);
    } else if (field == "return_value") {
      auto raw = decode::base64_decode(value);
      if (!raw) r.problems.push_back(fmt::format("return_value: not base64 ({})", raw.error().message));
      else r.return_value = decode_serialized(*raw, serializer);
    } else if (field == "exc_string") {
      auto raw = decode::base64_decode(value);
      if (!raw) r.problems.push_back(fmt::format("exc_string: not base64 ({})", raw.error().message));
      else r.exc_string = traceback_text(*raw, r.problems);
    } else {
      r.extra.emplace_back(field, value);
    }
  }
  if (r.type.empty()) {
    r.type = "unknown";
    r.problems.push_back("the entry has no type field");
  }
  return r;
}

std::optional<JobResult> decode_legacy_result(std::string_view result_field, std::string_view exc_info_field,
                                              Serializer serializer) {
  if (result_field.empty() && exc_info_field.empty()) return std::nullopt;
  JobResult r;
  r.source = "hash";
  if (!exc_info_field.empty()) {
    r.exc_string = traceback_text(exc_info_field, r.problems);
    // A requeued job keeps an empty exc_info (zlib of ""): that is no outcome at all.
    if (r.exc_string->empty() && result_field.empty() && r.problems.empty()) return std::nullopt;
  }
  if (!result_field.empty()) r.return_value = decode_serialized(result_field, serializer);
  r.type_code = r.exc_string && !r.exc_string->empty() ? 2 : 1;
  r.type = result_type_name(r.type_code);
  return r;
}

JobCall decode_job_data(std::string_view data) {
  JobCall call;
  std::string bytes(data);
  if (decode::looks_like_zlib(data)) {
    auto inflated = decode::inflate_capped(data, k_max_job_data_bytes);
    if (inflated) bytes = std::move(*inflated);
    else if (inflated.error().message.find("exceeds") != std::string::npos) {
      call.problem = fmt::format("data: {}", inflated.error().message);
      return call;
    }
    // Otherwise RQ falls back to the bytes as they are; so do we.
  }
  Json value;
  if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x80) {
    auto p = decode::read_pickle(bytes);
    if (!p) {
      call.problem = fmt::format("data: {}", p.error().message);
      return call;
    }
    call.serializer = Serializer::pickle;
    value = std::move(p->value);
  } else if (!bytes.empty() && bytes[0] == '[') {
    auto j = decode::read_json(bytes);
    if (!j) {
      call.problem = fmt::format("data: {}", j.error().message);
      return call;
    }
    call.serializer = Serializer::json;
    value = std::move(*j);
  } else {
    call.problem = "data: neither a pickle nor JSON (a custom serializer?)";
    return call;
  }
  if (!value.is_array() || value.size() != 4 || !value[0].is_string()) {
    call.problem = "data: not RQ's (func_name, instance, args, kwargs) tuple";
    return call;
  }
  call.func_name = value[0].get<std::string>();
  call.instance = std::move(value[1]);
  if (value[2].is_array()) call.args = std::move(value[2]);
  if (value[3].is_object()) call.kwargs = std::move(value[3]);
  return call;
}

}  // namespace rctl::job::rq
