#pragma once
// `rctl test` documents: the JSON contract and the per-group tables.
// Only the render*.cpp files of this folder define these, so the domain's logic never
// includes output code.

#include "optest/optest.hpp"
#include "output/document.hpp"

namespace rctl::optest {

// JSON contract and tables.
output::Document render_test_report(const TestReport& report);

}  // namespace rctl::optest
