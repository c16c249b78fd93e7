#include "decode/json_reader.hpp"

#include "decode/json_build.hpp"

#include <optional>
#include <vector>

#include <fmt/format.h>

namespace rctl::decode {

namespace {

using Json = nlohmann::ordered_json;

// SAX handler building the value in place; returns false (stopping the parser) once an
// error is recorded.
class Handler final : public nlohmann::json_sax<Json> {
 public:
  explicit Handler(const JsonLimits& limits) : m_limits(limits) {
    // Frames are addressed by pointer while nested values are built: never reallocate.
    m_frames.reserve(limits.max_depth + 1);
  }

  Json root;
  std::string error;

  bool null() override { return put(nullptr); }
  bool boolean(bool v) override { return put(v); }
  bool number_integer(number_integer_t v) override { return put(v); }
  bool number_unsigned(number_unsigned_t v) override { return put(v); }
  bool number_float(number_float_t v, const string_t& /*text*/) override { return put(v); }
  bool string(string_t& v) override { return put(std::move(v)); }
  bool binary(binary_t& /*v*/) override { return fail_with("binary values are not JSON"); }
  bool start_object(std::size_t /*elements*/) override {
    if (!open(Json::object())) return false;
    m_frames.back().builder.emplace(*m_frames.back().node);
    return true;
  }
  bool key(string_t& k) override {
    m_slot = &m_frames.back().builder->slot(std::move(k));
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t /*elements*/) override { return open(Json::array()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*ex*/) override {
    return fail_with(fmt::format("syntax error at byte {}", position == 0 ? 0 : position - 1));
  }

 private:
  struct Frame {
    Json* node = nullptr;
    std::optional<ObjectBuilder> builder;  // objects only
  };

  bool fail_with(std::string message) {
    if (error.empty()) error = "json: " + std::move(message);
    return false;
  }
  // Where the next value goes: the root, the end of the open array, or the slot of the key
  // just read in the open object.
  Json* next_slot() {
    if (m_frames.empty()) return &root;
    Frame& f = m_frames.back();
    if (f.builder) return m_slot;
    f.node->push_back(nullptr);
    return &f.node->back();
  }
  bool put(Json value) {
    if (++m_elements > m_limits.max_elements) {
      return fail_with(fmt::format("more than {} elements", m_limits.max_elements));
    }
    *next_slot() = std::move(value);
    return true;
  }
  bool open(Json empty) {
    if (m_frames.size() >= m_limits.max_depth) {
      return fail_with(fmt::format("too deep (more than {} levels)", m_limits.max_depth));
    }
    if (++m_elements > m_limits.max_elements) {
      return fail_with(fmt::format("more than {} elements", m_limits.max_elements));
    }
    Json* slot = next_slot();
    *slot = std::move(empty);
    m_frames.emplace_back();
    m_frames.back().node = slot;
    return true;
  }
  bool close() {
    m_frames.pop_back();
    return true;
  }

  const JsonLimits& m_limits;
  std::vector<Frame> m_frames;
  Json* m_slot = nullptr;
  std::size_t m_elements = 0;
};

}  // namespace

Expected<nlohmann::ordered_json> read_json(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_input_bytes) {
    return fail(ErrorKind::protocol, fmt::format("json: input larger than {} bytes", limits.max_input_bytes));
  }
  try {
    Handler handler(limits);
    const bool ok = Json::sax_parse(text.begin(), text.end(), &handler);
    if (!ok) return fail(ErrorKind::protocol, handler.error.empty() ? std::string("json: invalid") : handler.error);
    return std::move(handler.root);
  } catch (const std::bad_alloc&) {
    return fail(ErrorKind::protocol, "json: out of memory");
  } catch (const std::exception& e) {
    return fail(ErrorKind::protocol, fmt::format("json: {}", e.what()));
  }
}

}  // namespace rctl::decode
