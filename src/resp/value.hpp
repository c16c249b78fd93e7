#pragma once
// One RESP2/RESP3 reply value (https://github.com/redis/redis-specification/blob/master/protocol/RESP3.md).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::resp {

enum class Type : std::uint8_t {
  simple_string,  // +OK
  error,  // -ERR ... and RESP3 bulk errors !<len>
  integer,  // :42
  bulk_string,  // $3 foo
  array,  // *N
  null,  // _ and RESP2 $-1 / *-1
  boolean,  // #t / #f
  double_number,  // ,3.14  (also inf, -inf, nan)
  big_number,  // (1234567890123456789012345678901234567890
  verbatim_string,  // =15 txt:Some string (str holds the text after "txt:", format in `format`)
  map,  // %N: elements hold key, value, key, value, ...
  set,  // ~N
  push,  // >N: out-of-band data (pub/sub messages, invalidations)
};

struct Value {
  Type type = Type::null;
  std::string str;  // simple, bulk, verbatim, error, big number text
  std::int64_t integer = 0;  // integer; boolean as 0/1
  double number = 0.0;  // double_number
  std::string format;  // verbatim string format ("txt", "mkd"); empty otherwise
  std::vector<Value> elements;  // array, set, push; map flattened as key, value pairs
  // The RESP3 attribute (|) sent just before this value, flattened as key, value pairs;
  // empty for almost every reply (DEBUG PROTOCOL attrib, client-side caching hints).
  std::vector<Value> attributes;

  bool is_error() const { return type == Type::error; }
  bool is_null() const { return type == Type::null; }
  // True for simple, bulk and verbatim strings.
  bool is_string() const {
    return type == Type::simple_string || type == Type::bulk_string || type == Type::verbatim_string;
  }
  // True for array, set and push (ordered element lists).
  bool is_list() const { return type == Type::array || type == Type::set || type == Type::push; }
  bool is_map() const { return type == Type::map; }

  static Value simple(std::string s) { return Value{Type::simple_string, std::move(s)}; }
  static Value bulk(std::string s) { return Value{Type::bulk_string, std::move(s)}; }
  static Value error_reply(std::string s) { return Value{Type::error, std::move(s)}; }
  static Value integer_reply(std::int64_t n) {
    Value v{Type::integer};
    v.integer = n;
    return v;
  }
  static Value nil() { return Value{}; }
  static Value list(std::vector<Value> items, Type t = Type::array) {
    Value v{t};
    v.elements = std::move(items);
    return v;
  }
};

// Human-readable name of a type ("bulk string", "map"...), for error messages.
const char* to_string(Type type);

// Renders a value on one line for logs and error messages (strings quoted and escaped,
// aggregates abbreviated after a few elements). Never used for user-facing data output.
std::string debug_string(const Value& value);

}  // namespace rctl::resp
