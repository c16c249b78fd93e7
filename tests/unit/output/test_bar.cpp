#include "output/bar.hpp"

#include <catch2/catch.hpp>

#include <string>

using rctl::output::bar;

namespace {

// Columns of a bar made of the one-column block characters (3 bytes each in UTF-8).
std::size_t bar_columns(const std::string& s) { return s.size() / 3; }

}  // namespace

TEST_CASE("bar: full, empty, half and eighths", "[output][bar]") {
  CHECK(bar(0, 10).empty());
  CHECK(bar(-1, 10).empty());
  CHECK(bar(1, 4) == "\u2588\u2588\u2588\u2588");
  CHECK(bar(2, 4) == "\u2588\u2588\u2588\u2588");  // clamped
  CHECK(bar(0.5, 4) == "\u2588\u2588");
  CHECK(bar(1.0 / 32, 4) == "\u258f");  // one eighth of one column
  CHECK(bar(0.3, 1) == "\u258e");  // 2.4 eighths round to 2: a quarter block
}

TEST_CASE("bar: a tiny share is still visible, padding keeps the width", "[output][bar]") {
  CHECK(bar(1e-9, 20) == "\u258f");
  CHECK(bar(0.5, 4, true) == "\u2588\u2588  ");
  CHECK(bar(0, 3, true) == "   ");
  CHECK(bar_columns(bar(0.55, 20)) == 11);
}
