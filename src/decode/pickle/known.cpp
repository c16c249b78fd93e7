#include "decode/pickle/known.hpp"

#include "decode/big_int.hpp"
#include "decode/bytes.hpp"

#include <cstdint>
#include <cstdlib>

#include <fmt/format.h>

namespace rctl::decode::pickle {

namespace {

// The arguments tuple of a plain call: no kwargs, state, or items added afterwards.
const std::vector<Ref>* plain_args(const Graph& graph, const Node& object) {
  if (object.kind != Kind::object) return nullptr;
  const auto& s = object.items;
  if (s[k_slot_kwargs] != k_no_ref || s[k_slot_state] != k_no_ref || s[k_slot_listitems] != k_no_ref ||
      s[k_slot_dictitems] != k_no_ref) {
    return nullptr;
  }
  return &graph.nodes[s[k_slot_args]].items;
}

std::optional<std::int64_t> int_value(const Graph& graph, Ref ref) {
  const Node& n = graph.nodes[ref];
  if (n.kind == Kind::integer) return n.integer;
  return std::nullopt;
}

// Code points of a UTF-8 str, each narrowed to one Latin-1 byte (what 'latin1' encoding
// does); nullopt if one does not fit.
std::optional<std::string> latin1_bytes(std::string_view utf8) {
  std::string out;
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::uint32_t cp = 0;
    const std::size_t n = decode_utf8_char(utf8.substr(i), cp);
    if (n == 0 || cp > 0xff) return std::nullopt;
    out.push_back(static_cast<char>(cp));
    i += n;
  }
  return out;
}

unsigned byte_at(const std::string& s, std::size_t i) { return static_cast<unsigned char>(s[i]); }

// "HH:MM:SS[.ffffff]" (microseconds only when non-zero, as Python's isoformat()).
// `value` in exactly `width` decimal digits (callers bound it). Not fmt: every datetime of
// every session of a scan goes through here.
void append_digits(std::string& out, unsigned value, int width) {
  char digits[8];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits, static_cast<std::size_t>(width));
}

std::optional<std::string> clock(unsigned h, unsigned m, unsigned s, unsigned us) {
  if (h > 23 || m > 59 || s > 59 || us > 999999) return std::nullopt;
  std::string out;
  out.reserve(15);
  append_digits(out, h, 2);
  out += ':';
  append_digits(out, m, 2);
  out += ':';
  append_digits(out, s, 2);
  if (us != 0) {
    out += '.';
    append_digits(out, us, 6);
  }
  return out;
}

std::optional<std::string> date_part(const std::string& st) {
  const unsigned year = byte_at(st, 0) * 256 + byte_at(st, 1);
  const unsigned month = byte_at(st, 2) & 0x7fu;  // the top bit is datetime's `fold`
  const unsigned day = byte_at(st, 3);
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  std::string out;
  out.reserve(26);  // room for "T" and a clock with microseconds
  append_digits(out, year, 4);
  out += '-';
  append_digits(out, month, 2);
  out += '-';
  append_digits(out, day, 2);
  return out;
}

// "+HH:MM" (or "+HH:MM:SS") for a timedelta node of less than a day either way.
std::optional<std::string> offset_from_timedelta(const Graph& graph, Ref ref) {
  const Node& td = graph.nodes[ref];
  const auto* args = plain_args(graph, td);
  if (args == nullptr || callable_name(graph, td) != "datetime.timedelta" || args->size() != 3) return std::nullopt;
  const auto days = int_value(graph, (*args)[0]);
  const auto secs = int_value(graph, (*args)[1]);
  const auto us = int_value(graph, (*args)[2]);
  if (!days || !secs || !us || *us != 0 || (*days != 0 && *days != -1) || *secs < 0 || *secs >= 86400) {
    return std::nullopt;
  }
  std::int64_t total = *days * 86400 + *secs;
  const char sign = total < 0 ? '-' : '+';
  total = std::llabs(total);
  std::string out = fmt::format("{}{:02}:{:02}", sign, total / 3600, total / 60 % 60);
  if (total % 60 != 0) out += fmt::format(":{:02}", total % 60);
  return out;
}

// The isoformat() suffix for a tzinfo argument: "" for None, "+HH:MM" for a fixed offset
// we can read; nullopt when the zone's offset is unknown without a tz database.
std::optional<std::string> zone_suffix(const Graph& graph, Ref ref) {
  const Node& tz = graph.nodes[ref];
  if (tz.kind == Kind::none) return std::string();
  const auto* args = plain_args(graph, tz);
  if (args == nullptr) return std::nullopt;
  const std::string name = callable_name(graph, tz);
  if (name == "datetime.timezone" && (args->size() == 1 || args->size() == 2)) {
    return offset_from_timedelta(graph, (*args)[0]);
  }
  if (name == "pytz._UTC" && args->empty()) return std::string("+00:00");
  if (name == "zoneinfo.ZoneInfo._unpickle" && !args->empty()) {
    const Node& key = graph.nodes[(*args)[0]];
    if (key.kind == Kind::str && (key.text == "UTC" || key.text == "Etc/UTC")) return std::string("+00:00");
  }
  return std::nullopt;
}

// The datetime/time string without zone, and the tzinfo argument (k_no_ref if none).
std::optional<NaiveWithZone> naive_datetime_or_time(const Graph& graph, const Node& object) {
  const auto* args = plain_args(graph, object);
  if (args == nullptr || args->empty() || args->size() > 2) return std::nullopt;
  const std::string name = callable_name(graph, object);
  const bool is_datetime = name == "datetime.datetime";
  if (!is_datetime && name != "datetime.time") return std::nullopt;
  const auto st = raw_bytes(graph, (*args)[0]);
  if (!st || st->size() != (is_datetime ? 10u : 6u)) return std::nullopt;
  const std::size_t t = is_datetime ? 4 : 0;  // offset of the time fields
  const auto hms = clock(byte_at(*st, t) & 0x7fu, byte_at(*st, t + 1), byte_at(*st, t + 2),
                         (byte_at(*st, t + 3) << 16) | (byte_at(*st, t + 4) << 8) | byte_at(*st, t + 5));
  if (!hms) return std::nullopt;
  NaiveWithZone out;
  if (is_datetime) {
    const auto date = date_part(*st);
    if (!date) return std::nullopt;
    out.naive = *date + "T" + *hms;
  } else {
    out.naive = *hms;
  }
  if (args->size() == 2) out.tzinfo = (*args)[1];
  return out;
}

// ISO 8601 duration of timedelta(days, seconds, microseconds) as Python normalises it
// (0 <= seconds < 86400, 0 <= microseconds < 10**6, |days| <= 999999999).
std::optional<std::string> duration(std::int64_t days, std::int64_t secs, std::int64_t us) {
  if (days < -999999999 || days > 999999999 || secs < 0 || secs >= 86400 || us < 0 || us > 999999) {
    return std::nullopt;
  }
  const bool negative = days < 0;
  if (negative) {
    // -(days*86400 + secs + us/1e6), written with non-negative parts.
    days = -days - 1;
    secs = 86400 - secs;
    if (us != 0) {
      us = 1000000 - us;
      secs -= 1;
    }
    if (secs == 86400) {
      secs = 0;
      days += 1;
    }
  }
  std::string out = negative ? "-P" : "P";
  if (days != 0) out += fmt::format("{}D", days);
  if (secs != 0 || us != 0 || days == 0) {
    out += 'T';
    if (secs >= 3600) out += fmt::format("{}H", secs / 3600);
    if (secs % 3600 >= 60) out += fmt::format("{}M", secs % 3600 / 60);
    if (secs % 60 != 0 || us != 0 || secs == 0) {
      out += fmt::format("{}", secs % 60);
      if (us != 0) out += fmt::format(".{:06}", us);
      out += 'S';
    }
  }
  return out;
}

// uuid.UUID: NEWOBJ with no arguments, then BUILD with {'int': N}.
std::optional<std::string> uuid_string(const Graph& graph, const Node& object) {
  const auto& s = object.items;
  if (s[k_slot_kwargs] != k_no_ref || s[k_slot_listitems] != k_no_ref || s[k_slot_dictitems] != k_no_ref ||
      s[k_slot_state] == k_no_ref || !graph.nodes[s[k_slot_args]].items.empty()) {
    return std::nullopt;
  }
  const Node& state = graph.nodes[s[k_slot_state]];
  if (state.kind != Kind::dict) return std::nullopt;
  std::string magnitude;  // little-endian
  bool found = false;
  for (std::size_t i = 0; i + 1 < state.items.size(); i += 2) {
    const Node& key = graph.nodes[state.items[i]];
    if (key.kind != Kind::str || key.text != "int") continue;
    const Node& value = graph.nodes[state.items[i + 1]];
    if (value.kind == Kind::integer && value.integer >= 0) {
      magnitude = to_twos_complement(value.integer);
    } else if (value.kind == Kind::big_int && !value.flag) {
      magnitude = value.text;
    } else {
      return std::nullopt;
    }
    found = true;
  }
  while (!magnitude.empty() && magnitude.back() == '\0') magnitude.pop_back();
  if (!found || magnitude.size() > 16) return std::nullopt;
  magnitude.resize(16, '\0');
  const std::string hex = to_hex(std::string(magnitude.rbegin(), magnitude.rend()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

}  // namespace

std::string callable_name(const Graph& graph, const Node& object) {
  if (object.kind != Kind::object) return {};
  const Node& callable = graph.nodes[object.items[k_slot_callable]];
  if (callable.kind == Kind::global) return std::string(callable.text);
  // Only one level, checked directly: what is called may itself be the result of a call,
  // chained as deep as the input likes, and this must not recurse along that chain.
  const auto* args = plain_args(graph, callable);
  if (args == nullptr) return {};
  const Node& getter = graph.nodes[callable.items[k_slot_callable]];
  if (getter.kind == Kind::global && getter.text == "builtins.getattr" && args->size() == 2) {
    const Node& owner = graph.nodes[(*args)[0]];
    const Node& attr = graph.nodes[(*args)[1]];
    if (owner.kind == Kind::global && attr.kind == Kind::str)
      return std::string(owner.text) + "." + std::string(attr.text);
  }
  return {};
}

namespace {

std::optional<std::string> raw_bytes_at(const Graph& graph, Ref ref, bool allow_nested) {
  const Node& n = graph.nodes[ref];
  if (n.kind == Kind::bytes || n.kind == Kind::str) return std::string(n.text);
  const auto* args = plain_args(graph, n);
  if (args == nullptr) return std::nullopt;
  const std::string name = callable_name(graph, n);
  if (name == "_codecs.encode" && args->size() == 2) {
    const Node& text = graph.nodes[(*args)[0]];
    const Node& encoding = graph.nodes[(*args)[1]];
    if (text.kind != Kind::str || encoding.kind != Kind::str) return std::nullopt;
    if (encoding.text == "latin1" || encoding.text == "latin-1") return latin1_bytes(text.text);
    if (encoding.text == "utf-8" || encoding.text == "utf8") return std::string(text.text);
    return std::nullopt;
  }
  if ((name == "builtins.bytes" || name == "builtins.bytearray") && args->empty()) return std::string();
  if (name == "builtins.bytearray" && args->size() == 1 && allow_nested && graph.nodes[(*args)[0]].kind != Kind::str) {
    return raw_bytes_at(graph, (*args)[0], false);  // bytearray(_codecs.encode(...)), one level only
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> raw_bytes(const Graph& graph, Ref ref) { return raw_bytes_at(graph, ref, true); }

std::optional<std::string> known_scalar(const Graph& graph, const Node& object) {
  const std::string name = callable_name(graph, object);
  if (name == "uuid.UUID") return uuid_string(graph, object);
  const auto* args = plain_args(graph, object);
  if (args == nullptr) return std::nullopt;
  if (name == "datetime.datetime" || name == "datetime.time") {
    auto parts = naive_datetime_or_time(graph, object);
    if (!parts) return std::nullopt;
    if (parts->tzinfo == k_no_ref) return parts->naive;
    const auto suffix = zone_suffix(graph, parts->tzinfo);
    if (!suffix) return std::nullopt;
    return parts->naive + *suffix;
  }
  if (name == "datetime.date" && args->size() == 1) {
    const auto st = raw_bytes(graph, (*args)[0]);
    if (!st || st->size() != 4) return std::nullopt;
    return date_part(*st);
  }
  if (name == "datetime.timedelta" && args->size() == 3) {
    const auto d = int_value(graph, (*args)[0]);
    const auto s = int_value(graph, (*args)[1]);
    const auto us = int_value(graph, (*args)[2]);
    if (!d || !s || !us) return std::nullopt;
    return duration(*d, *s, *us);
  }
  if (name == "decimal.Decimal" && args->size() == 1) {
    const Node& text = graph.nodes[(*args)[0]];
    if (text.kind == Kind::str && is_valid_utf8(text.text)) return std::string(text.text);
  }
  return std::nullopt;
}

std::optional<NaiveWithZone> datetime_with_unknown_zone(const Graph& graph, const Node& object) {
  auto parts = naive_datetime_or_time(graph, object);
  if (!parts || parts->tzinfo == k_no_ref || zone_suffix(graph, parts->tzinfo)) return std::nullopt;
  return parts;
}

}  // namespace rctl::decode::pickle
