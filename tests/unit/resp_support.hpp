#pragma once
// Helpers shared by the RESP tests: value builders, deep comparison, and a feed-and-drain
// driver that runs a Reader over a list of chunks.

#include "resp/reader.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::resp::test {

inline Value integer(std::int64_t n) { return Value::integer_reply(n); }
inline Value simple(std::string s) { return Value::simple(std::move(s)); }
inline Value bulk(std::string s) { return Value::bulk(std::move(s)); }
inline Value error(std::string s) { return Value::error_reply(std::move(s)); }
inline Value array(std::vector<Value> items) { return Value::list(std::move(items)); }
inline Value set(std::vector<Value> items) { return Value::list(std::move(items), Type::set); }
inline Value push(std::vector<Value> items) { return Value::list(std::move(items), Type::push); }
inline Value map(std::vector<Value> flat) { return Value::list(std::move(flat), Type::map); }
inline Value boolean(bool b) {
  Value v{Type::boolean};
  v.integer = b ? 1 : 0;
  return v;
}
inline Value number(double d) {
  Value v{Type::double_number};
  v.number = d;
  return v;
}
inline Value big(std::string digits) { return Value{Type::big_number, std::move(digits)}; }
inline Value verbatim(std::string format, std::string text) {
  Value v{Type::verbatim_string, std::move(text)};
  v.format = std::move(format);
  return v;
}

// Deep equality; NaN equals NaN of the same sign, so "nan" and "-nan" are told apart.
inline bool same(const Value& a, const Value& b) {
  if (a.type != b.type || a.str != b.str || a.format != b.format || a.integer != b.integer) return false;
  if (std::isnan(a.number) || std::isnan(b.number)) {
    if (!(std::isnan(a.number) && std::isnan(b.number))) return false;
  } else if (a.number != b.number) {
    return false;
  }
  if (std::signbit(a.number) != std::signbit(b.number)) return false;
  if (a.elements.size() != b.elements.size()) return false;
  for (std::size_t i = 0; i < a.elements.size(); ++i) {
    if (!same(a.elements[i], b.elements[i])) return false;
  }
  if (a.attributes.size() != b.attributes.size()) return false;
  for (std::size_t i = 0; i < a.attributes.size(); ++i) {
    if (!same(a.attributes[i], b.attributes[i])) return false;
  }
  return true;
}

// `v` annotated by an attribute of key, value pairs.
inline Value attributed(Value v, std::vector<Value> flat) {
  v.attributes = std::move(flat);
  return v;
}

// Everything a reader produced for one input.
struct Outcome {
  std::vector<Value> values;
  std::optional<std::string> error;
  std::size_t buffered = 0;  // Reader::buffered() at the end
};

// Takes values until the reader wants more bytes or fails.
inline void drain(Reader& reader, Outcome& out) {
  for (;;) {
    auto result = reader.next();
    if (auto* v = std::get_if<Value>(&result)) {
      out.values.push_back(std::move(*v));
    } else if (auto* e = std::get_if<ProtocolError>(&result)) {
      out.error = e->message;
      return;
    } else {
      return;
    }
  }
}

// Feeds the chunks in order, draining after each, and stops feeding at the first error.
inline Outcome run_chunks(const std::vector<std::string_view>& chunks, ReaderLimits limits = {}) {
  Reader reader(limits);
  Outcome out;
  for (auto chunk : chunks) {
    reader.feed(chunk);
    drain(reader, out);
    if (out.error) break;
  }
  out.buffered = reader.buffered();
  return out;
}

inline Outcome run_whole(std::string_view wire, ReaderLimits limits = {}) { return run_chunks({wire}, limits); }

}  // namespace rctl::resp::test
