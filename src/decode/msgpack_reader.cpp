#include "decode/msgpack_reader.hpp"

#include "decode/bytes.hpp"
#include "decode/json_build.hpp"

#include <cmath>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <msgpack.hpp>

namespace rctl::decode {

namespace {

using Json = nlohmann::ordered_json;

// Receives parser events and builds the JSON value in place. Every callback returns false
// to stop the parser once an error is recorded.
class JsonVisitor {
 public:
  JsonVisitor(std::size_t input_size, const MsgpackLimits& limits) : m_input_size(input_size), m_limits(limits) {
    // Frames are addressed by pointer while nested values are built: never reallocate.
    m_frames.reserve(limits.max_depth + 1);
  }

  Json root;
  std::string error;

  // ---- scalars ----
  bool visit_nil() { return put(nullptr); }
  bool visit_boolean(bool v) { return put(v); }
  bool visit_positive_integer(std::uint64_t v) { return put(v); }
  bool visit_negative_integer(std::int64_t v) { return put(v); }
  bool visit_float32(float v) { return put_float(v); }
  bool visit_float64(double v) { return put_float(v); }
  bool visit_str(const char* v, std::uint32_t size) {
    const std::string_view s(v, size);
    return put(is_valid_utf8(s) ? std::string(s) : repair_utf8(s));
  }
  bool visit_bin(const char* v, std::uint32_t size) { return put(tagged_bytes(std::string_view(v, size))); }
  bool visit_ext(const char* v, std::uint32_t size) {
    // `v` is the type byte followed by the data; `size` counts both.
    Json ext = Json::object();
    ext["$ext"] = static_cast<std::int8_t>(v[0]);
    ext["data"] = base64_encode(std::string_view(v + 1, size - 1));
    return put(std::move(ext));
  }

  // ---- aggregates ----
  bool start_array(std::uint32_t n) { return open(n, 1, Json::array()); }
  bool start_array_item() {
    Json& array = *m_frames.back().node;
    array.push_back(nullptr);
    m_target = &array.back();
    return true;
  }
  bool end_array_item() { return true; }
  bool end_array() { return close(); }
  bool start_map(std::uint32_t n) {
    if (!open(n, 2, Json::object())) return false;
    m_frames.back().builder.emplace(*m_frames.back().node);
    return true;
  }
  bool start_map_key() {
    Frame& f = m_frames.back();
    f.key = nullptr;
    m_target = &f.key;
    return true;
  }
  bool end_map_key() {
    Frame& f = m_frames.back();
    if (f.key.is_string()) {
      f.key_text = std::move(f.key.get_ref<std::string&>());
    } else if (f.key.is_primitive()) {
      f.key_text = f.key.dump();  // a number, true/false or null: short, needs no budget
    } else {
      // The key's own parts were budgeted when they were made, so this dump stays bounded.
      f.key_text = f.key.dump(-1, ' ', false, Json::error_handler_t::replace);
      m_key_bytes += f.key_text.size();
      if (m_key_bytes > m_limits.max_key_bytes) {
        return set_error(fmt::format("structured map keys longer than {} bytes in total", m_limits.max_key_bytes));
      }
    }
    f.key = nullptr;
    return true;
  }
  bool start_map_value() {
    Frame& f = m_frames.back();
    m_target = &f.builder->slot(std::move(f.key_text));
    return true;
  }
  bool end_map_value() { return true; }
  bool end_map() { return close(); }

  // ---- parser diagnostics ----
  void parse_error(std::size_t /*parsed_offset*/, std::size_t error_offset) {
    set_error(fmt::format("invalid data at offset {}", error_offset));
  }
  void insufficient_bytes(std::size_t /*parsed_offset*/, std::size_t /*error_offset*/) { set_error("truncated"); }
  bool referenced() const { return false; }
  void set_referenced(bool /*referenced*/) {}
  void init() {}

 private:
  struct Frame {
    Json* node = nullptr;
    std::optional<ObjectBuilder> builder;  // maps only
    Json key;  // the key being read
    std::string key_text;  // the key, as an object key
  };

  bool set_error(std::string message) {
    if (error.empty()) error = "msgpack: " + std::move(message);
    return false;
  }
  bool count() {
    if (++m_elements > m_limits.max_elements) {
      return set_error(fmt::format("more than {} elements", m_limits.max_elements));
    }
    return true;
  }
  bool put(Json value) {
    if (!count()) return false;
    *m_target = std::move(value);
    return true;
  }
  bool put_float(double v) {
    if (std::isfinite(v)) return put(v);
    Json marker = Json::object();
    marker["$float"] = std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
    return put(std::move(marker));
  }
  // Every element takes at least one byte, so all counts declared so far together cannot
  // exceed the input size in a valid message. Checked before anything is built.
  bool open(std::uint32_t n, std::size_t per_entry, Json empty) {
    if (m_frames.size() >= m_limits.max_depth) {
      return set_error(fmt::format("too deep (more than {} levels)", m_limits.max_depth));
    }
    m_declared += static_cast<std::size_t>(n) * per_entry;
    if (m_declared > m_input_size) {
      return set_error(fmt::format("declared {} {} cannot fit in {} bytes", n,
                                   per_entry == 1 ? "array elements" : "map entries", m_input_size));
    }
    if (!put(std::move(empty))) return false;
    m_frames.emplace_back();
    m_frames.back().node = m_target;
    return true;
  }
  bool close() {
    m_frames.pop_back();
    return true;
  }

  std::size_t m_input_size;
  const MsgpackLimits& m_limits;
  std::vector<Frame> m_frames;
  Json* m_target = &root;
  std::size_t m_elements = 0;
  std::size_t m_declared = 0;
  std::size_t m_key_bytes = 0;
};

}  // namespace

Expected<MsgpackResult> read_msgpack(std::string_view bytes, const MsgpackLimits& limits, Trailing trailing) {
  if (bytes.size() > limits.max_input_bytes) {
    return fail(ErrorKind::protocol, fmt::format("msgpack: input larger than {} bytes", limits.max_input_bytes));
  }
  try {
    JsonVisitor visitor(bytes.size(), limits);
    std::size_t offset = 0;
    const bool ok = msgpack::parse(bytes.data(), bytes.size(), offset, visitor);
    if (!ok) {
      return fail(ErrorKind::protocol, visitor.error.empty() ? std::string("msgpack: invalid data") : visitor.error);
    }
    MsgpackResult result;
    result.consumed = offset;
    result.complete = offset == bytes.size();
    if (!result.complete && trailing == Trailing::reject) {
      return fail(ErrorKind::protocol, fmt::format("msgpack: {} trailing bytes", bytes.size() - offset));
    }
    result.value = std::move(visitor.root);
    return result;
  } catch (const std::bad_alloc&) {
    return fail(ErrorKind::protocol, "msgpack: out of memory");
  } catch (const std::exception& e) {
    return fail(ErrorKind::protocol, fmt::format("msgpack: {}", e.what()));
  }
}

}  // namespace rctl::decode
