#pragma once
// `rctl health` documents: JSON, table and nagios forms.
// Only the render*.cpp files of this folder define these, so the domain's logic never
// includes output code.

#include "health/health.hpp"
#include "output/document.hpp"

namespace rctl::health {

// Builds the printable document: JSON, table and nagios forms.
output::Document render_health(const HealthReport& report, const HealthOptions& options);

}  // namespace rctl::health
