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
// Whole-reply bounds: every element of one top-level reply, nested ones included, and the
// memory it takes (payload bytes plus k_element_overhead per element). A flood of empty
// arrays is small on the wire but large in memory, so elements are charged their cost.
inline constexpr std::int64_t k_default_max_reply_elements = 2LL * 1024 * 1024;
inline constexpr std::int64_t k_default_max_reply_bytes = 1024LL * 1024 * 1024;
inline constexpr std::int64_t k_element_overhead = static_cast<std::int64_t>(sizeof(Value));

// Longest line (simple string, error, number, header) accepted, CRLF excluded. A peer that
// never sends CRLF gets an error here instead of being buffered without end.
inline constexpr std::size_t k_max_line_length = 64 * 1024;

struct ReaderLimits {
  std::size_t max_depth = k_default_max_depth;  // nesting of aggregates
  std::int64_t max_elements = k_default_max_elements;  // elements of one aggregate (map: pairs)
  std::int64_t max_bulk_length = k_default_max_bulk_length;  // bytes of one bulk/verbatim/error
  std::int64_t max_reply_elements = k_default_max_reply_elements;  // all elements of one reply
  std::int64_t max_reply_bytes = k_default_max_reply_bytes;  // payload + overhead; INT64_MAX: none
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

  // Takes the next complete top-level value. A RESP3 attribute (|) is kept in the
  // `attributes` of the value it precedes (at any depth).
  // After a ProtocolError every later call returns the same error.
  ReadResult next();

  // Bytes fed but not yet consumed by a complete value.
  std::size_t buffered() const;

  bool failed() const { return m_error.has_value(); }

 private:
  // One aggregate being filled. Open aggregates live on an explicit stack rather than in
  // their parents, so a reply split across feeds resumes where it stopped (never re-parsed)
  // and nesting never recurses on the call stack.
  struct Frame {
    Value value;  // type set; elements are appended as they complete
    std::int64_t remaining = 0;  // elements still to come (map and attribute: 2 per pair)
    bool is_attribute = false;  // RESP3 `|`: becomes the next sibling's attributes when complete
    std::vector<Value> next_attributes;  // an attribute read at this level, for the next element
  };

  ReaderLimits m_limits;
  std::string m_buffer;  // bytes fed; those before m_pos are consumed
  std::size_t m_pos = 0;  // parse position in m_buffer
  std::size_t m_line_scanned = 0;  // bytes after m_pos + 1 known to hold no CR or LF
  std::size_t m_partial = 0;  // bytes consumed into the top-level value still open
  std::int64_t m_reply_elements = 0;  // elements announced so far by the open top-level value
  std::vector<Frame> m_stack;  // open aggregates, outermost first
  std::vector<Value> m_next_attributes;  // an attribute read at top level, for the next reply
  std::optional<ProtocolError> m_error;
  friend struct ReaderImpl;  // the parsing steps, in reader.cpp
};

}  // namespace rctl::resp
