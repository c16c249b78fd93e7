#pragma once
// Incremental RESP2/RESP3 reply reader: feed bytes, take complete values. No I/O.
//
// Everything a server sends passes through here before anyone looks at it, so the
// reader is bounded (depth, element count, bulk length), never allocates from a
// peer-supplied count before the bytes have arrived, parses numbers without the
// locale, and fails permanently on the first protocol error (a broken stream is never
// resynchronised; the connection must be discarded).

#include "resp/value.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rctl::resp {

// Default limits. A CLI has no business receiving more than this in one reply.
inline constexpr std::size_t k_default_max_depth = 128;
inline constexpr std::int64_t k_default_max_elements = 64LL * 1024 * 1024;
inline constexpr std::int64_t k_default_max_bulk_length = 512LL * 1024 * 1024;

struct ReaderLimits {
  std::size_t max_depth = k_default_max_depth;            // nesting of aggregates
  std::int64_t max_elements = k_default_max_elements;     // elements of one aggregate (map: pairs)
  std::int64_t max_bulk_length = k_default_max_bulk_length;  // bytes of one bulk/verbatim/error
};

struct ProtocolError {
  std::string message;  // e.g. "array length out of range", "unknown reply type byte 0x40"
};

// Outcome of Reader::next(): a complete value, "need more bytes", or a protocol error.
struct NeedMore {};
using ReadResult = std::variant<Value, NeedMore, ProtocolError>;

class Reader {
 public:
  explicit Reader(ReaderLimits limits = {});

  // Appends bytes received from the server.
  void feed(std::string_view bytes);

  // Takes the next complete top-level value. RESP3 attributes (|) are read and dropped.
  // After a ProtocolError every later call returns the same error.
  ReadResult next();

  // Bytes fed but not yet consumed by a complete value.
  std::size_t buffered() const;

  bool failed() const { return m_error.has_value(); }

 private:
  struct Frame;  // one aggregate being filled
  ReaderLimits m_limits;
  std::string m_buffer;
  std::size_t m_pos = 0;  // parse position in m_buffer
  std::vector<Frame> m_stack;
  std::optional<ProtocolError> m_error;
  // Implementation-defined state lives in reader.cpp.
  friend struct ReaderImpl;
};

}  // namespace rctl::resp
