#pragma once
// `rctl keys` documents. Only the render*.cpp files of this folder define these, so the
// domain's logic never includes output code.

#include "keys/keys.hpp"
#include "output/document.hpp"

#include <string>

namespace rctl::keys {

// `keys analyze`: the JSON contract (README "What is using the memory?") and the tables and
// bar charts people read (render.cpp for JSON, render_tables.cpp for the blocks).
output::Document render_analyze(const AnalyzeReport& report);

// One line of --keys-out: CSV (RFC 4180 quoting; the key as text when it is valid UTF-8,
// else as "base64:...") or a JSON Lines object. `csv_header()` is the CSV's first line.
std::string keys_out_csv_header();
std::string keys_out_csv_row(const KeyRecord& record, const std::string& node);
std::string keys_out_json_line(const KeyRecord& record, const std::string& node);

namespace detail {
// The human blocks of render_analyze (render_tables.cpp).
void add_analyze_blocks(output::Document& doc, const AnalyzeReport& report);
}  // namespace detail

}  // namespace rctl::keys
