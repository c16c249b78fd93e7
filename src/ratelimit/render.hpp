#pragma once
// `rctl ratelimit` documents: list, show, reset and probe.
// Only the render*.cpp files of this folder define these, so the domain's logic never
// includes output code.

#include "output/document.hpp"
#include "ratelimit/probe.hpp"
#include "ratelimit/ratelimit.hpp"

namespace rctl::ratelimit {

// Documents.
output::Document render_list(const ListReport& report);
output::Document render_show(const Limiter& limiter);
output::Document render_reset(const ResetReport& report);

output::Document render_probe(const ProbeReport& report);

}  // namespace rctl::ratelimit
