#pragma once
// `rctl session` documents: list, show, stats and revoke.
// Only the render*.cpp files of this folder define these, so the domain's logic never
// includes output code.

#include "output/document.hpp"
#include "session/session.hpp"

namespace rctl::session {

// Renderers (render.cpp).
output::Document render_session_list(const SessionListing& listing);
output::Document render_session_show(const SessionLookup& lookup);
output::Document render_session_stats(const SessionStatsReport& report);
output::Document render_session_revoke(const RevokeReport& report);

}  // namespace rctl::session
