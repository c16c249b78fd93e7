#pragma once
// `rctl clients` documents: the summary of who is connected and the report of a kill.
// Only the render*.cpp files of this folder define these, so the domain's logic never
// includes output code.

#include "clients/clients.hpp"
#include "output/document.hpp"

namespace rctl::clients {

// Everything `rctl clients` shows: per-node headroom, groups, idle times, top buffers,
// pub/sub near the limit, blocked clients; INFO clients for nodes that refuse CLIENT LIST.
// `filters` are the --filter texts as given.
output::Document render_summary(const std::string& target, const std::vector<NodeClients>& nodes,
                                const Summary& summary, const std::vector<std::string>& filters);

// `rctl clients kill`: the clients chosen (all of them with --dry-run) and, after the kill,
// the exact counts per node.
output::Document render_kill(const std::string& target, const KillPlan& plan, bool dry_run,
                             const std::vector<std::string>& filters);

}  // namespace rctl::clients
