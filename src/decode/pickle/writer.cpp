#include "decode/pickle/writer.hpp"

#include "decode/big_int.hpp"
#include "decode/bytes.hpp"

#include <bit>
#include <cstdint>

#include <fmt/format.h>

namespace rctl::decode {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

bool put_str(std::string& out, std::string_view s, std::string& error) {
  if (!is_valid_utf8(s)) {
    error = "pickle writer: string is not valid UTF-8";
    return false;
  }
  if (s.size() > UINT32_MAX) {
    error = "pickle writer: string too long";
    return false;
  }
  out.push_back('X');  // BINUNICODE
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
  return true;
}

void put_long1(std::string& out, const std::string& twos_complement) {
  out.push_back('\x8a');  // LONG1
  out.push_back(static_cast<char>(twos_complement.size()));
  out.append(twos_complement);
}

void put_int(std::string& out, std::int64_t v) {
  if (v >= INT32_MIN && v <= INT32_MAX) {
    out.push_back('J');  // BININT
    put_u32(out, static_cast<std::uint32_t>(static_cast<std::int32_t>(v)));
  } else {
    put_long1(out, to_twos_complement(v));
  }
}

template <class Json>
bool put_value(std::string& out, const Json& v, std::size_t depth, std::string& error) {
  if (depth > k_pickle_writer_max_depth) {
    error = fmt::format("pickle writer: nested deeper than {} levels", k_pickle_writer_max_depth);
    return false;
  }
  switch (v.type()) {
    case nlohmann::json::value_t::null: out.push_back('N'); return true;
    case nlohmann::json::value_t::boolean: out.push_back(v.template get<bool>() ? '\x88' : '\x89'); return true;
    case nlohmann::json::value_t::number_integer: put_int(out, v.template get<std::int64_t>()); return true;
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = v.template get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(INT32_MAX)) {
        put_int(out, static_cast<std::int64_t>(u));
      } else {
        put_long1(out, to_twos_complement_unsigned(u));
      }
      return true;
    }
    case nlohmann::json::value_t::number_float: {
      out.push_back('G');  // BINFLOAT, big-endian
      const auto bits = std::bit_cast<std::uint64_t>(v.template get<double>());
      for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xffu));
      return true;
    }
    case nlohmann::json::value_t::string:
      return put_str(out, v.template get_ref<const typename Json::string_t&>(), error);
    case nlohmann::json::value_t::array:
      out.push_back(']');  // EMPTY_LIST
      if (v.empty()) return true;
      out.push_back('(');
      for (const auto& item : v) {
        if (!put_value(out, item, depth + 1, error)) return false;
      }
      out.push_back('e');  // APPENDS
      return true;
    case nlohmann::json::value_t::object:
      out.push_back('}');  // EMPTY_DICT
      if (v.empty()) return true;
      out.push_back('(');
      for (const auto& [key, item] : v.items()) {
        if (!put_str(out, key, error) || !put_value(out, item, depth + 1, error)) return false;
      }
      out.push_back('u');  // SETITEMS
      return true;
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded: break;
  }
  error = "pickle writer: unsupported JSON value";
  return false;
}

template <class Json>
Expected<std::string> encode_value(const Json& value) {
  std::string out = "\x80\x02";
  std::string error;
  if (!put_value(out, value, 1, error)) return fail(ErrorKind::usage, error);
  out.push_back('.');
  return out;
}

template <class Json>
Expected<std::string> encode_job(std::string_view func_name, const Json& args, const Json& kwargs) {
  if (func_name.empty()) return fail(ErrorKind::usage, "pickle writer: empty function name");
  if (!args.is_array()) return fail(ErrorKind::usage, "pickle writer: job args must be a JSON array");
  if (!kwargs.is_object()) return fail(ErrorKind::usage, "pickle writer: job kwargs must be a JSON object");
  std::string out = "\x80\x02(";
  std::string error;
  if (!put_str(out, func_name, error)) return fail(ErrorKind::usage, error);
  out.push_back('N');  // instance
  out.push_back('(');  // args: MARK ... TUPLE
  for (const auto& item : args) {
    if (!put_value(out, item, 2, error)) return fail(ErrorKind::usage, error);
  }
  out.push_back('t');
  if (!put_value(out, kwargs, 1, error)) return fail(ErrorKind::usage, error);
  out += "t.";  // closes the outer MARK: the 4-tuple
  return out;
}

}  // namespace

Expected<std::string> encode_pickle(const nlohmann::ordered_json& value) { return encode_value(value); }
Expected<std::string> encode_pickle(const nlohmann::json& value) { return encode_value(value); }

Expected<std::string> encode_rq_job_data(std::string_view func_name, const nlohmann::ordered_json& args,
                                         const nlohmann::ordered_json& kwargs) {
  return encode_job(func_name, args, kwargs);
}

Expected<std::string> encode_rq_job_data(std::string_view func_name, const nlohmann::json& args,
                                         const nlohmann::json& kwargs) {
  return encode_job(func_name, args, kwargs);
}

}  // namespace rctl::decode
