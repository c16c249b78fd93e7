#include "resp/reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <charconv>
#include <limits>
#include <system_error>

namespace rctl::resp {

namespace {

// Erasing the consumed prefix moves what remains, so it is done only when the consumed
// part is both large and most of the buffer: amortised O(1) per byte, not a memmove per reply.
constexpr std::size_t k_compact_min_consumed = 64 * 1024;

// A buffer emptied after one huge reply gives its memory back instead of keeping it forever.
constexpr std::size_t k_max_idle_capacity = 1024 * 1024;

// A peer-supplied count is only a promise: reserve at most this many elements up front and
// let the vector grow as elements actually arrive.
constexpr std::int64_t k_max_reserve = 1024;

// What one parsing step did.
enum class Step {
  value,  // produced a complete value (or found a complete line)
  opened,  // pushed a non-empty aggregate onto the stack
  skipped,  // read something that yields no value (an empty attribute)
  need_more,  // the bytes so far end inside the item; nothing consumed
  failed,  // protocol error, recorded in m_error
};

enum class IntParse { ok, junk, out_of_range };

// Exact int64 parse of the whole text: digits with an optional '-', no '+', no spaces,
// no locale. Overflow is reported apart from junk so lengths can say "out of range".
IntParse parse_int64(std::string_view text, std::int64_t& out) {
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, out);
  if (ptr != last) return IntParse::junk;
  if (ec == std::errc::result_out_of_range) return IntParse::out_of_range;
  return ec == std::errc{} ? IntParse::ok : IntParse::junk;
}

// RESP3 doubles: decimal with optional sign and exponent, inf, -inf, nan. std::from_chars
// ignores the locale, unlike strtod, which rejects "3.14" under de_DE.
bool parse_double(std::string_view text, double& out) {
  // The spec allows a leading '+', which from_chars does not; one sign only.
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) return false;
  }
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, out);
  return ec == std::errc{} && ptr == last;
}

// RESP3 big number: optional sign, then at least one digit.
bool is_big_number(std::string_view text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// How an aggregate type byte is read.
struct AggregateKind {
  Type type;
  const char* name;  // for error messages
  bool pairs;  // count is of key/value pairs (map, attribute)
  bool attribute;  // annotates the value after it rather than being one
};

}  // namespace

// The parsing steps. A friend of Reader so the header shows no helper declarations.
struct ReaderImpl {
  Reader& r;

  ReadResult next() {
    if (r.m_error) return *r.m_error;
    for (;;) {
      Value v;
      switch (read_item(v)) {
        case Step::need_more: return NeedMore{};
        case Step::failed: return *r.m_error;
        case Step::opened:
        case Step::skipped: continue;
        case Step::value:
          if (deliver(v)) {
            r.m_partial = 0;
            r.m_reply_elements = 0;
            return v;
          }
          continue;
      }
    }
  }

  Step fail(std::string message) {
    r.m_error = ProtocolError{std::move(message)};
    // A failed stream is never read again, so let go of its memory now. Destroying the
    // stack is bounded: every value in it is at most max_depth deep.
    std::vector<Reader::Frame>().swap(r.m_stack);
    std::vector<Value>().swap(r.m_next_attributes);
    std::string().swap(r.m_buffer);
    r.m_pos = 0;
    r.m_line_scanned = 0;
    r.m_partial = 0;
    r.m_reply_elements = 0;
    return Step::failed;
  }

  void consume(std::size_t end) {
    r.m_partial += end - r.m_pos;
    r.m_pos = end;
    r.m_line_scanned = 0;
  }

  Step read_item(Value& out) {
    if (r.m_pos == r.m_buffer.size()) return Step::need_more;
    const char type_byte = r.m_buffer[r.m_pos];
    switch (type_byte) {
      case '+':
      case '-':
      case ':':
      case '_':
      case ',':
      case '#':
      case '(': return read_line_value(type_byte, out);
      case '$': return read_bulk(Type::bulk_string, out);
      case '!': return read_bulk(Type::error, out);
      case '=': return read_bulk(Type::verbatim_string, out);
      case '*': return read_aggregate({Type::array, "array", false, false}, out);
      case '%': return read_aggregate({Type::map, "map", true, false}, out);
      case '~': return read_aggregate({Type::set, "set", false, false}, out);
      case '>': return read_aggregate({Type::push, "push", false, false}, out);
      case '|': return read_aggregate({Type::map, "attribute", true, true}, out);
      default: return fail(fmt::format("unknown reply type byte 0x{:02x}", static_cast<unsigned char>(type_byte)));
    }
  }

  // Finds the line at m_pos: type byte, text, CRLF. On Step::value, `text` is the text
  // and `end` the offset just past the LF.
  Step read_line(std::string_view& text, std::size_t& end) {
    const std::string_view buf = r.m_buffer;
    const std::size_t begin = r.m_pos + 1;
    // Looking at one byte beyond the longest allowed line decides every case, so the
    // outcome never depends on how the bytes were split into feeds.
    const std::size_t window_end = std::min(buf.size(), begin + k_max_line_length + 1);
    const std::size_t scan_from = begin + r.m_line_scanned;
    const auto found = buf.substr(0, window_end).find_first_of("\r\n", scan_from);
    if (found == std::string_view::npos) {
      // Remembered so a line arriving byte by byte is scanned once, not once per feed.
      r.m_line_scanned = window_end - begin;
      if (r.m_line_scanned > k_max_line_length) {
        return fail(fmt::format("line too long (limit {} bytes)", k_max_line_length));
      }
      return Step::need_more;
    }
    r.m_line_scanned = found - begin;
    if (buf[found] == '\n') return fail("line not terminated by CRLF");
    if (found + 1 == buf.size()) return Step::need_more;
    if (buf[found + 1] != '\n') return fail("line not terminated by CRLF");
    text = buf.substr(begin, found - begin);
    end = found + 2;
    return Step::value;
  }

  // Types whose whole value is the line: + - : _ , # (
  Step read_line_value(char type_byte, Value& out) {
    std::string_view text;
    std::size_t end = 0;
    if (const Step s = read_line(text, end); s != Step::value) return s;
    if (const Step s = check_reply_bytes(static_cast<std::int64_t>(end - r.m_pos)); s != Step::value) return s;
    switch (type_byte) {
      case '+': out = Value::simple(std::string(text)); break;
      case '-': out = Value::error_reply(std::string(text)); break;
      case ':': {
        std::int64_t n = 0;
        if (parse_int64(text, n) != IntParse::ok) return fail("bad integer value");
        out = Value::integer_reply(n);
        break;
      }
      case '_':
        if (!text.empty()) return fail("bad null value");
        out = Value::nil();
        break;
      case '#':
        if (text != "t" && text != "f") return fail("bad boolean value");
        out.type = Type::boolean;
        out.integer = text == "t" ? 1 : 0;
        break;
      case ',':
        out.type = Type::double_number;
        if (!parse_double(text, out.number)) return fail("bad double value");
        break;
      default:  // '('
        if (!is_big_number(text)) return fail("bad big number value");
        out.type = Type::big_number;
        out.str = std::string(text);
        break;
    }
    consume(end);
    return Step::value;
  }

  // Parses the length or count of a `$ ! = * % ~ > |` header. -1 is passed on; the caller
  // decides whether it means null.
  Step parse_length(const char* name, std::string_view text, std::int64_t& n) {
    switch (parse_int64(text, n)) {
      case IntParse::junk: return fail(fmt::format("bad {} length", name));
      case IntParse::out_of_range: return fail(fmt::format("{} length out of range", name));
      case IntParse::ok: break;
    }
    if (n < -1) return fail(fmt::format("{} length out of range", name));
    return Step::value;
  }

  // $ (bulk string), ! (bulk error), = (verbatim string).
  Step read_bulk(Type type, Value& out) {
    const char* name = to_string(type);
    std::string_view text;
    std::size_t end = 0;
    std::int64_t len = 0;
    if (const Step s = read_line(text, end); s != Step::value) return s;
    if (const Step s = parse_length(name, text, len); s != Step::value) return s;
    if (len == -1) {
      if (type != Type::bulk_string) return fail(fmt::format("{} length out of range", name));
      out = Value::nil();  // RESP2 null bulk string
      consume(end);
      return Step::value;
    }
    if (len > r.m_limits.max_bulk_length ||
        static_cast<std::uint64_t>(len) > std::numeric_limits<std::size_t>::max() - 2) {
      return fail(fmt::format("{} length out of range", name));
    }
    if (const Step s = check_reply_bytes(static_cast<std::int64_t>(end - r.m_pos) + len + 2); s != Step::value)
      return s;
    // Wait for the payload and its CRLF before copying anything; the header is re-read on
    // the next call, which costs a few bytes, never the payload.
    const auto n = static_cast<std::size_t>(len);
    if (r.m_buffer.size() - end < n + 2) return Step::need_more;
    const std::string_view payload = std::string_view(r.m_buffer).substr(end, n);
    if (r.m_buffer[end + n] != '\r' || r.m_buffer[end + n + 1] != '\n') {
      return fail(fmt::format("{} not terminated by CRLF", name));
    }
    out.type = type;
    if (type == Type::verbatim_string) {
      // "txt:Some string": a 3-letter format, ':', then the text.
      if (payload.size() < 4 || payload[3] != ':') return fail("bad verbatim string format");
      out.format = std::string(payload.substr(0, 3));
      out.str = std::string(payload.substr(4));
    } else {
      out.str = std::string(payload);
    }
    consume(end + n + 2);
    return Step::value;
  }

  // * % ~ > |: checks the count against the limits, then opens a frame for the elements.
  Step read_aggregate(AggregateKind kind, Value& out) {
    std::string_view text;
    std::size_t end = 0;
    std::int64_t n = 0;
    if (const Step s = read_line(text, end); s != Step::value) return s;
    if (const Step s = parse_length(kind.name, text, n); s != Step::value) return s;
    if (n == -1) {
      if (kind.type != Type::array) return fail(fmt::format("{} length out of range", kind.name));
      out = Value::nil();  // RESP2 null array
      consume(end);
      return Step::value;
    }
    // Pairs are doubled below, so a pair count must also fit in half the range.
    if (n > r.m_limits.max_elements || (kind.pairs && n > std::numeric_limits<std::int64_t>::max() / 2)) {
      return fail(fmt::format("{} length out of range", kind.name));
    }
    if (r.m_stack.size() >= r.m_limits.max_depth) {
      return fail(fmt::format("nesting too deep (limit {})", r.m_limits.max_depth));
    }
    const std::int64_t count = kind.pairs ? 2 * n : n;
    // Checked against the announced count, before a single element arrives: the peer's
    // promise is enough to refuse, and nothing is allocated for it.
    if (count > r.m_limits.max_reply_elements - r.m_reply_elements) {
      return fail(fmt::format("reply too large: more than {} elements", r.m_limits.max_reply_elements));
    }
    r.m_reply_elements += count;
    if (const Step s = check_reply_bytes(static_cast<std::int64_t>(end - r.m_pos)); s != Step::value) return s;
    consume(end);
    Value v;
    v.type = kind.type;
    if (count == 0) {
      if (kind.attribute) return Step::skipped;
      out = std::move(v);
      return Step::value;
    }
    v.elements.reserve(static_cast<std::size_t>(std::min(count, k_max_reserve)));
    r.m_stack.push_back(Reader::Frame{std::move(v), count, kind.attribute});
    return Step::opened;
  }

  // Fails when the open reply, `more` bytes and its announced elements would exceed the
  // reply's memory bound.
  Step check_reply_bytes(std::int64_t more) {
    if (r.m_limits.max_reply_bytes == std::numeric_limits<std::int64_t>::max()) return Step::value;
    const std::int64_t used = static_cast<std::int64_t>(r.m_partial) + more;
    // Divided first so that a huge announced count cannot overflow the product.
    const bool overhead_fits = r.m_reply_elements <= r.m_limits.max_reply_bytes / k_element_overhead;
    const std::int64_t charged = overhead_fits ? r.m_reply_elements * k_element_overhead : 0;
    if (!overhead_fits || used > r.m_limits.max_reply_bytes - charged) {
      return fail(fmt::format("reply too large: more than {} bytes", r.m_limits.max_reply_bytes));
    }
    return Step::value;
  }

  // Hands a complete value to the innermost open aggregate, closing every aggregate it
  // completes. Returns true when `v` ends up a complete top-level value.
  bool deliver(Value& v) {
    while (!r.m_stack.empty()) {
      Reader::Frame& frame = r.m_stack.back();
      take_attributes(frame.next_attributes, v);
      frame.value.elements.push_back(std::move(v));
      if (--frame.remaining > 0) return false;
      const bool attribute = frame.is_attribute;
      v = std::move(frame.value);
      r.m_stack.pop_back();
      // An attribute annotates the value after it, which is read next in its place; it is
      // held at its level until that value is complete. Its elements were already counted
      // against the reply's bounds.
      if (attribute) {
        auto& held = r.m_stack.empty() ? r.m_next_attributes : r.m_stack.back().next_attributes;
        std::move(v.elements.begin(), v.elements.end(), std::back_inserter(held));
        return false;
      }
    }
    take_attributes(r.m_next_attributes, v);
    return true;
  }

  // Gives `v` the attribute held for it, if any.
  static void take_attributes(std::vector<Value>& held, Value& v) {
    if (held.empty()) return;
    v.attributes = std::move(held);
    held.clear();
  }
};

Reader::Reader(ReaderLimits limits) : m_limits(limits) {}

void Reader::feed(std::string_view bytes) {
  if (m_error) return;  // the stream is broken for good; keep nothing more
  if (m_pos == m_buffer.size()) {
    if (m_buffer.capacity() > k_max_idle_capacity) std::string().swap(m_buffer);
    m_buffer.clear();
    m_pos = 0;
  } else if (m_pos >= k_compact_min_consumed && m_pos > m_buffer.size() / 2) {
    m_buffer.erase(0, m_pos);
    m_pos = 0;
  }
  m_buffer.append(bytes);
}

ReadResult Reader::next() { return ReaderImpl{*this}.next(); }

std::size_t Reader::buffered() const { return m_buffer.size() - m_pos + m_partial; }

}  // namespace rctl::resp
