#pragma once
// Terminal bar charts for table output: a share drawn as a bar of block characters, so that
// people see the shape of a distribution before reading its figures.

#include <cstddef>
#include <string>

namespace rctl::output {

// A bar `width` columns wide filled to `fraction` (clamped to [0, 1]) in eighths of a column
// (U+2588..U+258F). Never empty for a fraction above 0, so that a small share stays visible;
// "" for 0. Pads with spaces to `width` columns only when `pad`.
std::string bar(double fraction, std::size_t width, bool pad = false);

}  // namespace rctl::output
