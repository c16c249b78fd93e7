#pragma once
// Internal to the pickle reader: recognising the standard-library objects that are plain
// data (datetime, date, time, timedelta, timezone, Decimal, UUID, bytes spelled through
// _codecs.encode) by the name of what would have been called and the shape of its
// arguments. Only reads the graph; nothing is resolved or called.

#include "decode/pickle/graph.hpp"

#include <optional>
#include <string>

namespace rctl::decode::pickle {

// The dotted name of what an object node would call: a global's name, or
// "module.Class.attr" for builtins.getattr(<global>, "attr") (how classmethods such as
// zoneinfo.ZoneInfo._unpickle are pickled). Empty if it is neither.
std::string callable_name(const Graph& graph, const Node& object);

// The raw bytes of a bytes node, of a str node taken as its UTF-8 bytes, or of the objects
// protocols 0-2 use for bytes: _codecs.encode(str, 'latin1'), builtins.bytes(),
// builtins.bytearray(<bytes>). nullopt for anything else.
std::optional<std::string> raw_bytes(const Graph& graph, Ref ref);

// The ISO/decimal/UUID string for a datetime.datetime, date, time, timedelta,
// decimal.Decimal or uuid.UUID object node whose arguments have the expected shape.
// nullopt otherwise (including a datetime/time with a tzinfo of unknown offset).
std::optional<std::string> known_scalar(const Graph& graph, const Node& object);

// For a datetime.datetime/time object whose tzinfo is not a fixed offset we know: the
// ISO string without offset and the tzinfo node, so the caller can show both.
struct NaiveWithZone {
  std::string naive;
  Ref tzinfo = k_no_ref;
};
std::optional<NaiveWithZone> datetime_with_unknown_zone(const Graph& graph, const Node& object);

}  // namespace rctl::decode::pickle
