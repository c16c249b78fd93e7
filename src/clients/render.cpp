// Clients as JSON (the contract) and as tables for people.

#include "clients/render.hpp"

#include "decode/bytes.hpp"
#include "output/render_helpers.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace rctl::clients {

namespace {

using Json = nlohmann::ordered_json;

// Rows shown per group table; JSON carries every group.
constexpr std::size_t k_group_rows = 10;

Json clients_error_json(const std::optional<Error>& e) {
  if (!e) return nullptr;
  return {{"kind", rctl::to_string(e->kind)}, {"message", e->message}, {"hint", e->hint}};
}

// -1 (not sent by this server) is JSON null.
Json known(std::int64_t v) { return v < 0 ? Json(nullptr) : Json(v); }

Json client_json(const ClientInfo& c) {
  return {{"node", c.node},
          {"id", c.id},
          {"addr", decode::json_bytes(c.addr)},
          {"laddr", output::text_or_null(c.laddr)},
          {"name", output::text_or_null(c.name)},
          {"user", output::text_or_null(c.user)},
          {"lib_name", c.has_lib ? output::text_or_null(c.lib_name) : Json(nullptr)},
          {"lib_ver", c.has_lib ? output::text_or_null(c.lib_ver) : Json(nullptr)},
          {"age_s", known(c.age_s)},
          {"idle_s", known(c.idle_s)},
          {"flags", decode::json_bytes(c.flags)},
          {"db", known(c.db)},
          {"sub", known(c.sub)},
          {"psub", known(c.psub)},
          {"ssub", known(c.ssub)},
          {"cmd", output::text_or_null(c.cmd)},
          {"qbuf_bytes", known(c.qbuf)},
          {"qbuf_free_bytes", known(c.qbuf_free)},
          {"omem_bytes", known(c.omem)},
          {"tot_mem_bytes", known(c.tot_mem)},
          {"obl_bytes", known(c.obl)},
          {"oll", known(c.oll)},
          {"resp", known(c.resp)}};
}

Json clients_json(const std::vector<ClientInfo>& list) {
  Json out = Json::array();
  for (const auto& c : list) out.push_back(client_json(c));
  return out;
}

Json counts_json(const std::vector<Count>& counts) {
  Json out = Json::array();
  for (const auto& c : counts) out.push_back({{"key", decode::json_bytes(c.key)}, {"count", c.count}});
  return out;
}

std::string bytes_cell(std::int64_t v) { return v < 0 ? std::string("-") : util::format_bytes(v); }
std::string idle_cell(std::int64_t s) {
  return s < 0 ? std::string("-") : util::format_duration(util::Millis(s * 1000));
}

output::Table counts_table(std::string title, std::string column, const std::vector<Count>& counts) {
  output::Table t;
  t.title = std::move(title);
  t.columns = {std::move(column), "CLIENTS"};
  t.numeric = {false, true};
  for (std::size_t i = 0; i < counts.size() && i < k_group_rows; ++i)
    t.rows.push_back({counts[i].key, util::format_count(counts[i].count)});
  if (counts.size() > k_group_rows)
    t.rows.push_back({output::Cell(fmt::format("... {} more", counts.size() - k_group_rows), output::Tone::dim), ""});
  return t;
}

output::Table clients_table(std::string title, const std::vector<ClientInfo>& list) {
  output::Table t;
  t.title = std::move(title);
  t.columns = {"NODE", "ID", "ADDR", "NAME", "USER", "IDLE", "FLAGS", "CMD", "QBUF", "OMEM", "TOT-MEM"};
  t.numeric = {false, true, false, false, false, true, false, false, true, true, true};
  for (const auto& c : list)
    t.rows.push_back({c.node, std::to_string(c.id), c.addr, c.name, c.user, idle_cell(c.idle_s), c.flags, c.cmd,
                      bytes_cell(c.qbuf), bytes_cell(c.omem), bytes_cell(c.tot_mem)});
  return t;
}

Json filters_json(const std::vector<std::string>& filters) {
  Json out = Json::array();
  for (const auto& f : filters) out.push_back(decode::json_bytes(f));
  return out;
}

}  // namespace

output::Document render_summary(const std::string& target, const std::vector<NodeClients>& nodes, const Summary& s,
                                const std::vector<std::string>& filters) {
  output::Document doc;
  Json nodes_json = Json::array();
  for (const auto& n : nodes) {
    Json j{{"address", n.address},
           {"role", n.role},
           {"error", clients_error_json(n.error)},
           {"list_error", clients_error_json(n.list_error)}};
    std::int64_t connected =
        n.list_error ? n.info.integer("connected_clients").value_or(0) : static_cast<std::int64_t>(n.clients.size());
    j["connected_clients"] = n.error ? Json(nullptr) : Json(connected);
    j["maxclients"] = n.maxclients ? Json(*n.maxclients) : Json(nullptr);
    j["maxclients_source"] = n.maxclients_source.empty() ? Json(nullptr) : Json(n.maxclients_source);
    j["headroom"] = n.maxclients && !n.error ? Json(*n.maxclients - connected) : Json(nullptr);
    j["pubsub_output_buffer_limit"] = n.pubsub_limit ? Json{{"hard_bytes", n.pubsub_limit->hard_bytes},
                                                            {"soft_bytes", n.pubsub_limit->soft_bytes},
                                                            {"soft_seconds", n.pubsub_limit->soft_seconds}}
                                                     : Json(nullptr);
    Json info = nullptr;
    if (n.list_error && !n.info.empty()) {
      info = Json::object();
      for (auto key : n.info.keys_in("clients")) info[std::string(key)] = std::string(*n.info.get(key));
    }
    j["info_clients"] = std::move(info);
    nodes_json.push_back(std::move(j));
  }
  Json idle = Json::array();
  for (const auto& b : s.idle)
    idle.push_back(
        {{"bucket", b.label}, {"upto_s", b.upto_s < 0 ? Json(nullptr) : Json(b.upto_s)}, {"count", b.count}});
  Json near = Json::array();
  for (const auto& n : s.pubsub_near_limit) {
    auto j = client_json(n.client);
    j["limit_hard_bytes"] = n.limit.hard_bytes;
    j["limit_soft_bytes"] = n.limit.soft_bytes;
    j["used_ratio"] = output::round3(n.used_ratio);
    near.push_back(std::move(j));
  }
  doc.json = {{"target", target},
              {"filter", filters_json(filters)},
              {"totals",
               {{"nodes", nodes.size()},
                {"connected_clients", s.connected},
                {"matching_clients", s.clients},
                {"maxclients", s.maxclients},
                {"headroom", s.maxclients ? Json(s.maxclients - s.connected) : Json(nullptr)}}},
              {"nodes", std::move(nodes_json)},
              {"by_host", counts_json(s.by_host)},
              {"by_name", counts_json(s.by_name)},
              {"by_lib", s.lib_known ? counts_json(s.by_lib) : Json(nullptr)},
              {"by_user", counts_json(s.by_user)},
              {"idle_distribution", std::move(idle)},
              {"top_output_buffer", clients_json(s.top_output)},
              {"top_query_buffer", clients_json(s.top_query)},
              {"pubsub_near_limit", std::move(near)},
              {"blocked", clients_json(s.blocked)},
              {"clients", clients_json(s.matching)}};

  output::Fields summary;
  summary.add("target", target);
  if (!filters.empty()) summary.add("filter", util::join(filters, " and "));
  summary.add("clients", filters.empty() ? util::format_count(s.connected)
                                         : fmt::format("{} matching of {}", util::format_count(s.clients),
                                                       util::format_count(s.connected)));
  if (s.maxclients) {
    auto headroom = s.maxclients - s.connected;
    summary.add("headroom", output::Cell(fmt::format("{} free of maxclients {}", util::format_count(headroom),
                                                     util::format_count(s.maxclients)),
                                         headroom * 10 < s.maxclients ? output::Tone::bad : output::Tone::plain));
  }
  doc.blocks.emplace_back(std::move(summary));

  output::Table per_node;
  per_node.title = "Nodes";
  per_node.columns = {"NODE", "ROLE", "CLIENTS", "MAXCLIENTS", "HEADROOM", "NOTE"};
  per_node.numeric = {false, false, true, true, true, false};
  for (const auto& n : nodes) {
    if (n.error) {
      per_node.rows.push_back({n.address, n.role, "-", "-", "-", output::Cell(n.error->message, output::Tone::bad)});
      continue;
    }
    std::int64_t connected =
        n.list_error ? n.info.integer("connected_clients").value_or(0) : static_cast<std::int64_t>(n.clients.size());
    per_node.rows.push_back(
        {n.address, n.role, util::format_count(connected), n.maxclients ? util::format_count(*n.maxclients) : "-",
         n.maxclients ? util::format_count(*n.maxclients - connected) : "-",
         n.list_error ? output::Cell(n.list_error->message + " (counts from INFO clients)", output::Tone::warn)
                      : output::Cell("")});
  }
  doc.blocks.emplace_back(std::move(per_node));

  for (const auto& n : nodes) {
    if (!n.list_error || n.info.empty()) continue;
    output::Fields info;
    info.title = "INFO clients on " + n.address + " (CLIENT LIST refused)";
    for (auto key : n.info.keys_in("clients")) info.add(std::string(key), std::string(*n.info.get(key)));
    doc.blocks.emplace_back(std::move(info));
  }

  if (s.clients == 0) {
    doc.blocks.emplace_back(output::Text{"No clients listed.", output::Tone::dim});
    return doc;
  }
  doc.blocks.emplace_back(counts_table("By host", "HOST", s.by_host));
  doc.blocks.emplace_back(counts_table("By name", "NAME", s.by_name));
  if (s.lib_known) doc.blocks.emplace_back(counts_table("By library", "LIB-NAME LIB-VER", s.by_lib));
  doc.blocks.emplace_back(counts_table("By ACL user", "USER", s.by_user));
  output::Table idle_table;
  idle_table.title = "Idle time";
  idle_table.columns = {"IDLE", "CLIENTS"};
  idle_table.numeric = {false, true};
  for (const auto& b : s.idle) idle_table.rows.push_back({b.label, util::format_count(b.count)});
  doc.blocks.emplace_back(std::move(idle_table));
  if (!s.top_output.empty()) doc.blocks.emplace_back(clients_table("Top output buffers (omem, tot-mem)", s.top_output));
  if (!s.top_query.empty()) doc.blocks.emplace_back(clients_table("Top query buffers (qbuf)", s.top_query));
  if (!s.pubsub_near_limit.empty()) {
    output::Table t;
    t.title = "Pub/sub clients near the output buffer limit";
    t.columns = {"NODE", "ID", "ADDR", "NAME", "OMEM", "LIMIT (HARD/SOFT)", "USED"};
    t.numeric = {false, true, false, false, true, false, true};
    for (const auto& n : s.pubsub_near_limit)
      t.rows.push_back(
          {n.client.node, std::to_string(n.client.id), n.client.addr, n.client.name, bytes_cell(n.client.omem),
           fmt::format("{} / {}", util::format_bytes(n.limit.hard_bytes), util::format_bytes(n.limit.soft_bytes)),
           output::Cell(fmt::format("{:.0f}%", n.used_ratio * 100), output::Tone::bad)});
    doc.blocks.emplace_back(std::move(t));
  }
  if (!s.blocked.empty())
    doc.blocks.emplace_back(clients_table("Blocked clients (flags b; CMD is what they wait in)", s.blocked));
  return doc;
}

output::Document render_kill(const std::string& target, const KillPlan& plan, bool dry_run,
                             const std::vector<std::string>& filters) {
  output::Document doc;
  Json nodes = Json::array();
  std::int64_t killed = 0, gone = 0;
  for (const auto& k : plan.nodes) {
    killed += k.killed;
    gone += k.gone;
    nodes.push_back({{"address", k.address},
                     {"matched", k.matched},
                     {"skipped_self", k.skipped_self},
                     {"skipped_replication", k.skipped_replication},
                     {"killed", dry_run ? Json(nullptr) : Json(k.killed)},
                     {"gone", dry_run ? Json(nullptr) : Json(k.gone)},
                     {"error", clients_error_json(k.error)}});
  }
  doc.json = {{"target", target},          {"filter", filters_json(filters)},
              {"dry_run", dry_run},        {"targets", clients_json(plan.targets)},
              {"nodes", std::move(nodes)}, {"killed", dry_run ? Json(nullptr) : Json(killed)}};
  output::Fields summary;
  summary.add("target", target);
  summary.add("filter", util::join(filters, " and "));
  if (dry_run) summary.add("would kill", util::format_count(static_cast<std::int64_t>(plan.targets.size())));
  else
    summary.add("killed", fmt::format("{} of {} chosen{}", util::format_count(killed),
                                      util::format_count(static_cast<std::int64_t>(plan.targets.size())),
                                      gone ? fmt::format(" ({} had already gone)", gone) : std::string()));
  doc.blocks.emplace_back(std::move(summary));
  if (!plan.targets.empty())
    doc.blocks.emplace_back(clients_table(dry_run ? "Would be disconnected" : "Disconnected", plan.targets));
  output::Table t;
  t.title = "Per node";
  t.columns = {"NODE", "MATCHED", "SKIPPED (SELF)", "SKIPPED (REPLICATION)", "KILLED", "NOTE"};
  t.numeric = {false, true, true, true, true, false};
  for (const auto& k : plan.nodes)
    t.rows.push_back({k.address, std::to_string(k.matched), std::to_string(k.skipped_self),
                      std::to_string(k.skipped_replication), dry_run ? std::string("-") : std::to_string(k.killed),
                      k.error ? output::Cell(k.error->message, output::Tone::bad) : output::Cell("")});
  doc.blocks.emplace_back(std::move(t));
  return doc;
}

}  // namespace rctl::clients
