#include "decode/pickle/interpreter.hpp"

#include "decode/bytes.hpp"

#include <array>
#include <bit>

namespace rctl::decode::pickle {

namespace {

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::none: return "None";
    case Kind::boolean: return "bool";
    case Kind::integer:
    case Kind::big_int: return "int";
    case Kind::floating: return "float";
    case Kind::str: return "str";
    case Kind::bytes: return "bytes";
    case Kind::list: return "list";
    case Kind::tuple: return "tuple";
    case Kind::dict: return "dict";
    case Kind::set: return "set";
    case Kind::global: return "global";
    case Kind::object: return "object";
    case Kind::persid: return "persistent id";
    case Kind::ext: return "extension";
  }
  return "?";
}

}  // namespace

void Interpreter::reset_node(Node& n) {
  n.kind = Kind::none;
  n.flag = false;
  n.integer = 0;
  n.real = 0;
  n.text = {};
  n.items.clear();
}

std::string& Interpreter::next_text() {
  auto& texts = m_workspace.texts;
  if (m_workspace.texts_used == texts.size()) texts.emplace_back();
  return texts[m_workspace.texts_used++];
}

std::string_view Interpreter::keep(std::string_view text) {
  auto& kept = next_text();
  kept.assign(text);
  if (kept.size() > Workspace::k_kept_text_bytes) m_workspace.oversized = true;
  return kept;
}

bool Interpreter::push_global(std::string_view module, std::string_view name) {
  // Made in a text of the workspace directly (no temporary string): one per session value.
  auto& kept = next_text();
  pickle::assign_qualified_name(kept, module, name);
  if (kept.size() > Workspace::k_kept_text_bytes) m_workspace.oversized = true;
  return push_new(Kind::global, kept);
}

bool Interpreter::run(Ref& root) {
  while (!m_stopped) {
    std::uint8_t op = 0;
    const std::size_t at = m_pos;
    if (!read_u8(op)) return false;
    if (!step(op, at)) return false;
  }
  root = m_result;
  return true;
}

bool Interpreter::read(std::size_t n, std::string_view& out) {
  if (n > m_in.size() - m_pos) return error("truncated");
  out = m_in.substr(m_pos, n);
  m_pos += n;
  return true;
}

template <class T>
bool Interpreter::read_le(T& out) {
  std::string_view raw;
  if (!read(sizeof(T), raw)) return false;
  std::uint64_t v = 0;
  for (std::size_t i = sizeof(T); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(raw[i]);
  out = static_cast<T>(v);
  return true;
}

bool Interpreter::read_u8(std::uint8_t& out) { return read_le(out); }

template <class T>
bool Interpreter::read_length(std::size_t& out) {
  T n{};
  if (!read_le(n)) return false;
  if constexpr (std::is_signed_v<T>) {
    if (n < 0) return error("negative length");
  }
  if (static_cast<std::uint64_t>(n) > m_limits.max_string_bytes) {
    return error(fmt::format("string longer than {} bytes", m_limits.max_string_bytes));
  }
  out = static_cast<std::size_t>(n);
  return true;
}

template <class T>
bool Interpreter::read_counted(std::string_view& out) {
  std::size_t n = 0;
  return read_length<T>(n) && read(n, out);
}

bool Interpreter::read_line(std::string_view& out) {
  const std::size_t limit = std::min(m_in.size() - m_pos, m_limits.max_string_bytes + 1);
  const void* nl = std::memchr(m_in.data() + m_pos, '\n', limit);
  if (nl == nullptr) {
    if (limit == m_in.size() - m_pos) return error("truncated");
    return error(fmt::format("line longer than {} bytes", m_limits.max_string_bytes));
  }
  const auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - (m_in.data() + m_pos));
  out = m_in.substr(m_pos, len);
  m_pos += len + 1;
  return true;
}

bool Interpreter::push_big(BigInt v) {
  if (const auto small = to_int64(v)) return push_int(*small);
  return push_new(Kind::big_int, keep(v.magnitude), v.negative);
}

bool Interpreter::push_float(double v) {
  Ref r = 0;
  if (!new_node(Kind::floating, r)) return false;
  node(r).real = v;
  return push(r);
}

bool Interpreter::push_text_int(std::string_view digits) {
  if (digits.size() > m_limits.max_int_bytes * 5 / 2 + 1) {
    return error(fmt::format("integer longer than {} bytes", m_limits.max_int_bytes));
  }
  auto v = big_int_from_decimal(digits);
  if (!v) return error("bad integer literal");
  return push_big(std::move(*v));
}

void Interpreter::note_keys(std::span<const Ref> pairs) {
  for (std::size_t i = 0; i < pairs.size(); i += 2)
    if (!plain_key_kind(node(pairs[i]).kind)) m_graph.plain_keys = false;
}

bool Interpreter::push_object(Ref callable, Ref args, Ref kwargs) {
  // copyreg._reconstructor(cls, object, None) is how protocols 0 and 1 spell "an instance of
  // cls"; show it as cls itself so every protocol renders the same marker.
  const Node& c = node(callable);
  if (c.kind == Kind::global && c.text == "copyreg._reconstructor" && kwargs == pickle::k_no_ref) {
    const Node& a = node(args);
    if (a.items.size() == 3 && node(a.items[0]).kind == Kind::global && node(a.items[1]).kind == Kind::global &&
        node(a.items[1]).text == "builtins.object" && a.items[2] == pickle::k_none_ref) {
      callable = a.items[0];
      Ref empty = 0;
      if (!new_node(Kind::tuple, empty)) return false;
      args = empty;
    }
  }
  Ref r = 0;
  if (!count_refs(3) || !new_node(Kind::object, r)) return false;
  node(r).items.assign({callable, args, kwargs, pickle::k_no_ref, pickle::k_no_ref, pickle::k_no_ref});
  m_graph.references += pickle::k_object_slots;
  return push(r);
}

// APPEND(S), SETITEM(S) and ADDITEMS: into a list/dict/set, or recorded on an object marker.
bool Interpreter::add_items(const char* op, Ref target, std::span<const Ref> items, bool pairs) {
  if (pairs && items.size() % 2 != 0) return error(fmt::format("{} with an odd number of items", op));
  if (!count_refs(items.size())) return false;
  const Kind kind = node(target).kind;
  const Kind want = pairs ? Kind::dict : std::strcmp(op, "ADDITEMS") == 0 ? Kind::set : Kind::list;
  if (kind == want && !(kind == Kind::set && node(target).flag)) {
    auto& dest = node(target).items;
    dest.insert(dest.end(), items.begin(), items.end());
    if (dest.size() > Workspace::k_kept_refs) m_workspace.oversized = true;
    m_graph.references += items.size();
    if (pairs) note_keys(items);
    return true;
  }
  if (kind != Kind::object) return error(fmt::format("{} on a {}", op, kind_name(kind)));
  const std::size_t slot = pairs ? pickle::k_slot_dictitems : pickle::k_slot_listitems;
  if (node(target).items[slot] == pickle::k_no_ref) {
    Ref fresh = 0;
    if (!new_node(pairs ? Kind::dict : Kind::list, fresh)) return false;
    node(target).items[slot] = fresh;
  }
  auto& dest = node(node(target).items[slot]).items;
  dest.insert(dest.end(), items.begin(), items.end());
  if (dest.size() > Workspace::k_kept_refs) m_workspace.oversized = true;
  m_graph.references += items.size();
  if (pairs) note_keys(items);
  return true;
}

Ref* Interpreter::memo_find(std::uint64_t index) {
  if (index < m_memo_dense.size()) return m_memo_dense[index] == k_no_ref ? nullptr : &m_memo_dense[index];
  // Without an index out of sequence (pickle.dumps never writes one) the map is empty, and a
  // lookup there, hashing the index, was most of what MEMOIZE cost.
  if (m_memo_sparse.empty()) return nullptr;
  const auto it = m_memo_sparse.find(index);
  return it == m_memo_sparse.end() ? nullptr : &it->second;
}

bool Interpreter::memo_put(std::uint64_t index) {
  Ref value = 0;
  if (!top(value)) return false;
  if (Ref* slot = memo_find(index)) {
    *slot = value;
    return true;
  }
  if (m_memo_size >= m_limits.max_memo) {
    return error(fmt::format("more than {} memo entries", m_limits.max_memo));
  }
  // memo_find said `index` is in neither container, so appending it cannot shadow a map entry.
  if (index == m_memo_dense.size()) m_memo_dense.push_back(value);
  else m_memo_sparse.emplace(index, value);
  ++m_memo_size;
  return true;
}

bool Interpreter::memo_get(std::uint64_t index) {
  const Ref* slot = memo_find(index);
  if (!slot) return error(fmt::format("memo key {} missing", index));
  m_shared = true;
  return push(*slot);
}

bool Interpreter::step(std::uint8_t op, std::size_t at) {
  std::string_view arg;
  auto& items = m_items;  // what pop_mark() took
  Ref a = 0;
  Ref b = 0;
  Ref c = 0;
  switch (static_cast<Op>(op)) {
    // ---- framing and control ----
    case Op::proto: {  // PROTO
      std::uint8_t version = 0;
      if (!read_u8(version)) return false;
      if (version > 5) return error(fmt::format("unsupported protocol {}", version));
      if (m_protocol == 0) m_protocol = version;
      return true;
    }
    case Op::frame: {  // FRAME: framing is only a buffering hint; the opcodes simply continue
      std::uint64_t length = 0;
      return read_le(length);
    }
    case Op::stop:  // STOP
      if (!pop(m_result)) return false;
      m_stopped = true;
      return true;
    case Op::mark:  // MARK
      if (m_marks.size() >= m_limits.max_depth) {
        return error(fmt::format("too deep (more than {} nested MARKs)", m_limits.max_depth));
      }
      m_marks.push_back(m_stack.size());
      return true;
    case Op::pop:  // POP: the top value, or the mark itself when the frame is empty
      if (m_stack.size() > frame_start()) return pop(a);
      return pop_mark();
    case Op::pop_mark: return pop_mark();  // POP_MARK
    case Op::dup:
      m_shared = true;
      return top(a) && push(a);  // DUP

    // ---- scalars ----
    case Op::none: return push(pickle::k_none_ref);
    case Op::newtrue: return push(pickle::k_true_ref);
    case Op::newfalse: return push(pickle::k_false_ref);
    case Op::int_text:  // INT: "01"/"00" are Python 2's True/False
      if (!read_line(arg)) return false;
      if (arg == "01") return push(pickle::k_true_ref);
      if (arg == "00") return push(pickle::k_false_ref);
      return push_text_int(arg);
    case Op::long_text:  // LONG, text with an optional trailing L
      if (!read_line(arg)) return false;
      if (!arg.empty() && arg.back() == 'L') arg.remove_suffix(1);
      return push_text_int(arg);
    case Op::binint: {
      std::int32_t v = 0;
      return read_le(v) && push_int(v);
    }
    case Op::binint1: {
      std::uint8_t v = 0;
      return read_le(v) && push_int(v);
    }
    case Op::binint2: {
      std::uint16_t v = 0;
      return read_le(v) && push_int(v);
    }
    case Op::long1:  // LONG1
    case Op::long4: {  // LONG4
      std::size_t n = 0;
      if (op == 0x8a ? !read_length<std::uint8_t>(n) : !read_length<std::int32_t>(n)) return false;
      if (n > m_limits.max_int_bytes) {
        return error(fmt::format("integer longer than {} bytes", m_limits.max_int_bytes));
      }
      return read(n, arg) && push_big(big_int_from_twos_complement(arg));
    }
    case Op::float_text: {
      double v = 0;
      if (!read_line(arg)) return false;
      if (!pickle::parse_float_text(arg, v)) return error("bad FLOAT literal");
      return push_float(v);
    }
    case Op::binfloat: {
      std::string_view raw;
      if (!read(8, raw)) return false;
      std::uint64_t bits = 0;
      for (const char ch : raw) bits = (bits << 8) | static_cast<unsigned char>(ch);
      return push_float(std::bit_cast<double>(bits));
    }

    // ---- strings and bytes ----
    case Op::string: {  // STRING: a Python 2 str literal
      std::string text;
      if (!read_line(arg)) return false;
      if (!pickle::unquote_string_literal(arg, text)) return error("bad STRING literal");
      const Kind kind = is_valid_utf8(text) ? Kind::str : Kind::bytes;
      return push_new(kind, keep(text));
    }
    case Op::binstring:  // BINSTRING, SHORT_BINSTRING: Python 2 str, raw bytes
    case Op::short_binstring:
      if (op == 'T' ? !read_counted<std::int32_t>(arg) : !read_counted<std::uint8_t>(arg)) return false;
      return push_new(is_valid_utf8(arg) ? Kind::str : Kind::bytes, arg);
    case Op::unicode: {  // UNICODE
      std::string text;
      if (!read_line(arg)) return false;
      if (!pickle::decode_raw_unicode_escape(arg, text)) return error("bad UNICODE literal");
      return push_new(Kind::str, keep(text));
    }
    case Op::binunicode: return read_counted<std::uint32_t>(arg) && push_new(Kind::str, arg);
    case Op::short_binunicode: return read_counted<std::uint8_t>(arg) && push_new(Kind::str, arg);
    case Op::binunicode8: return read_counted<std::uint64_t>(arg) && push_new(Kind::str, arg);
    case Op::binbytes: return read_counted<std::uint32_t>(arg) && push_new(Kind::bytes, arg);
    case Op::short_binbytes: return read_counted<std::uint8_t>(arg) && push_new(Kind::bytes, arg);
    case Op::binbytes8: return read_counted<std::uint64_t>(arg) && push_new(Kind::bytes, arg);
    case Op::bytearray8:  // BYTEARRAY8
      return read_counted<std::uint64_t>(arg) && push_new(Kind::bytes, arg, true);
    case Op::next_buffer: return error("out-of-band buffers (NEXT_BUFFER) are not supported");
    case Op::readonly_buffer:
      return top(a);  // READONLY_BUFFER: read-only or not, the data is the same

    // ---- containers ----
    case Op::empty_list: return push_container(Kind::list, {});
    case Op::empty_tuple: return push_container(Kind::tuple, {});
    case Op::empty_dict: return push_container(Kind::dict, {});
    case Op::empty_set: return push_container(Kind::set, {});
    case Op::list: return pop_mark() && push_container(Kind::list, items);
    case Op::tuple: return pop_mark() && push_container(Kind::tuple, items);
    case Op::frozenset: return pop_mark() && push_container(Kind::set, items, true);
    case Op::dict:
      if (!pop_mark()) return false;
      if (items.size() % 2 != 0) return error("DICT with an odd number of items");
      return push_container(Kind::dict, items);
    case Op::tuple1: return pop(a) && push_container(Kind::tuple, std::array{a});
    case Op::tuple2: return pop(b) && pop(a) && push_container(Kind::tuple, std::array{a, b});
    case Op::tuple3: return pop(c) && pop(b) && pop(a) && push_container(Kind::tuple, std::array{a, b, c});
    case Op::append: return pop(b) && top(a) && add_items("APPEND", a, std::array{b}, false);
    case Op::appends: return pop_mark() && top(a) && add_items("APPENDS", a, items, false);
    case Op::setitem: return pop(c) && pop(b) && top(a) && add_items("SETITEM", a, std::array{b, c}, true);
    case Op::setitems: return pop_mark() && top(a) && add_items("SETITEMS", a, items, true);
    case Op::additems: return pop_mark() && top(a) && add_items("ADDITEMS", a, items, false);

    // ---- memo ----
    case Op::put: {
      std::uint64_t index = 0;
      if (!read_line(arg)) return false;
      if (!pickle::parse_index(arg, index)) return error("bad PUT index");
      return memo_put(index);
    }
    case Op::binput: {
      std::uint8_t index = 0;
      return read_le(index) && memo_put(index);
    }
    case Op::long_binput: {
      std::uint32_t index = 0;
      return read_le(index) && memo_put(index);
    }
    case Op::memoize: return memo_put(m_memo_size);  // MEMOIZE
    case Op::get: {
      std::uint64_t index = 0;
      if (!read_line(arg)) return false;
      if (!pickle::parse_index(arg, index)) return error("bad GET index");
      return memo_get(index);
    }
    case Op::binget: {
      std::uint8_t index = 0;
      return read_le(index) && memo_get(index);
    }
    case Op::long_binget: {
      std::uint32_t index = 0;
      return read_le(index) && memo_get(index);
    }

    // ---- globals and objects: recorded, never resolved or called ----
    case Op::global: {  // GLOBAL
      std::string_view module;
      return read_line(module) && read_line(arg) && push_global(module, arg);
    }
    case Op::stack_global:  // STACK_GLOBAL
      if (!pop(b) || !pop(a)) return false;
      if (node(a).kind != Kind::str || node(b).kind != Kind::str) {
        return error("STACK_GLOBAL needs two strings");
      }
      return push_global(node(a).text, node(b).text);
    case Op::reduce:  // REDUCE
    case Op::newobj:  // NEWOBJ
      if (!pop(b) || !pop(a)) return false;
      if (node(b).kind != Kind::tuple && node(b).kind != Kind::list) {
        return error(fmt::format("{} arguments are not a tuple", op == 'R' ? "REDUCE" : "NEWOBJ"));
      }
      return push_object(a, b);
    case Op::newobj_ex:  // NEWOBJ_EX
      if (!pop(c) || !pop(b) || !pop(a)) return false;
      if (node(b).kind != Kind::tuple || node(c).kind != Kind::dict) {
        return error("NEWOBJ_EX needs a tuple and a dict");
      }
      return push_object(a, b, c);
    case Op::inst: {  // INST
      std::string_view module;
      if (!read_line(module) || !read_line(arg) || !pop_mark()) return false;
      if (!push_global(module, arg) || !pop(a) || !push_container(Kind::tuple, items)) return false;
      return pop(b) && push_object(a, b);
    }
    case Op::obj:  // OBJ
      if (!pop_mark()) return false;
      if (items.empty()) return error("OBJ without a class");
      a = items.front();
      items.erase(items.begin());
      return push_container(Kind::tuple, items) && pop(b) && push_object(a, b);
    case Op::build:  // BUILD
      if (!pop(b) || !top(a)) return false;
      if (node(a).kind != Kind::object) return error(fmt::format("BUILD on a {}", kind_name(node(a).kind)));
      if (!count_refs(1)) return false;
      node(a).items[pickle::k_slot_state] = b;
      return true;
    case Op::persid: {  // PERSID
      if (!read_line(arg) || !push_new(Kind::str, arg) || !pop(a)) return false;
      return push_container(Kind::persid, std::array{a});
    }
    case Op::binpersid: return pop(a) && push_container(Kind::persid, std::array{a});  // BINPERSID
    case Op::ext1:
    case Op::ext2:
    case Op::ext4: {  // EXT1, EXT2, EXT4
      std::int64_t code = 0;
      if (op == 0x82) {
        std::uint8_t v = 0;
        if (!read_le(v)) return false;
        code = v;
      } else if (op == 0x83) {
        std::uint16_t v = 0;
        if (!read_le(v)) return false;
        code = v;
      } else {
        std::int32_t v = 0;
        if (!read_le(v)) return false;
        code = v;
      }
      Ref r = 0;
      if (!new_node(Kind::ext, r)) return false;
      node(r).integer = code;
      return push(r);
    }
    default: return error(fmt::format("unknown opcode 0x{:02x} at offset {}", op, at));
  }
}

}  // namespace rctl::decode::pickle
