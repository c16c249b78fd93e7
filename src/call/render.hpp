#pragma once
// `rctl call` documents: a reply as redis-cli shows it (types named, strings quoted and
// escaped), as JSON (RESP3 types mapped to their nearest JSON form, bytes as everywhere else),
// or as its exact bytes for --raw. Only the render*.cpp files of this folder define these.

#include "call/call.hpp"
#include "output/document.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace rctl::call {

// The snake_case name of a reply's type for JSON ("bulk_string", "map", "big_number").
std::string type_name(const resp::Value& value);

// The JSON form of a reply: strings via decode::json_bytes, integers and finite doubles as
// numbers (inf/nan and big numbers as strings, exact), null, booleans, arrays/sets/pushes as
// arrays, maps as objects when every key is a distinct text string (else [[key, value], ...]),
// an error inside an aggregate as {"error": "..."}.
nlohmann::ordered_json reply_json(const resp::Value& value);

// The lines redis-cli would print for a reply, already escaped for a terminal: "1) "a"",
// "(integer) 3", "(nil)", map entries as "1# "key" => value", verbatim strings as their text,
// a RESP3 attribute as "(attribute) ..." lines before the value it annotates.
std::vector<std::string> reply_lines(const resp::Value& value);

// The exact bytes for --raw: a string's bytes, a number's text, nothing for null; the elements
// of an aggregate each followed by a newline (as redis-cli --raw).
std::string reply_raw(const resp::Value& value);

// The document for a call: one reply, or one per node with its role.
output::Document render_call(const CallResult& result);

}  // namespace rctl::call
