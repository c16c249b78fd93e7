#include "clients/client_list.hpp"

#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace rctl::clients {

namespace {

std::int64_t client_number(std::string_view value) { return util::parse_int(value).value_or(-1); }

void set_client_field(ClientInfo& c, std::string_view key, std::string_view value) {
  auto text = std::string(value.substr(0, k_max_value_bytes));
  if (key == "id") c.id = client_number(value);
  else if (key == "addr") c.addr = std::move(text);
  else if (key == "laddr") c.laddr = std::move(text);
  else if (key == "name") c.name = std::move(text);
  else if (key == "user") c.user = std::move(text);
  else if (key == "flags") c.flags = std::move(text);
  else if (key == "cmd") c.cmd = std::move(text);
  else if (key == "events") c.events = std::move(text);
  else if (key == "lib-name") {
    c.lib_name = std::move(text);
    c.has_lib = true;
  } else if (key == "lib-ver") c.lib_ver = std::move(text);
  else if (key == "age") c.age_s = client_number(value);
  else if (key == "idle") c.idle_s = client_number(value);
  else if (key == "db") c.db = client_number(value);
  else if (key == "sub") c.sub = client_number(value);
  else if (key == "psub") c.psub = client_number(value);
  else if (key == "ssub") c.ssub = client_number(value);
  else if (key == "multi") c.multi = client_number(value);
  else if (key == "qbuf") c.qbuf = client_number(value);
  else if (key == "qbuf-free") c.qbuf_free = client_number(value);
  else if (key == "argv-mem") c.argv_mem = client_number(value);
  else if (key == "obl") c.obl = client_number(value);
  else if (key == "oll") c.oll = client_number(value);
  else if (key == "omem") c.omem = client_number(value);
  else if (key == "tot-mem") c.tot_mem = client_number(value);
  else if (key == "resp") c.resp = client_number(value);
}

}  // namespace

std::string ClientInfo::host() const {
  auto colon = addr.rfind(':');
  if (colon == std::string::npos) return addr;
  auto host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

Expected<std::vector<ClientInfo>> parse_client_list(std::string_view text, const std::string& node) {
  std::vector<ClientInfo> out;
  std::size_t line_no = 0;
  for (auto line : util::split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (util::trim(line).empty()) continue;
    ++line_no;
    if (out.size() == k_max_clients)
      return fail(ErrorKind::protocol, fmt::format("{}: CLIENT LIST has more than {} clients", node, k_max_clients),
                  "rctl reads at most that many connections per node");
    ClientInfo c;
    c.node = node;
    // Values never contain spaces: Redis refuses client names with spaces, and every other
    // field is a number, an address or a word.
    for (auto field : util::split(line, ' ')) {
      auto eq = field.find('=');
      if (eq == std::string_view::npos) continue;
      set_client_field(c, field.substr(0, eq), field.substr(eq + 1));
    }
    if (c.id < 0)
      return fail(ErrorKind::protocol, fmt::format("{}: CLIENT LIST line {} has no id", node, line_no),
                  "the server's reply did not have the documented shape");
    out.push_back(std::move(c));
  }
  return out;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matching with one backtrack point: linear in practice, never exponential.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Expected<Condition> parse_condition(std::string_view text) {
  auto usage = [&](std::string why) {
    return fail(ErrorKind::usage, fmt::format("--filter '{}': {}", text, why),
                "use addr=HOST[:PORT], name=GLOB, user=GLOB, lib-name=GLOB, cmd=GLOB, flags=LETTERS, "
                "idle>DUR or idle<DUR");
  };
  Condition c;
  if (util::starts_with(text, "idle>") || util::starts_with(text, "idle<")) {
    c.field = text[4] == '>' ? Condition::Field::idle_over : Condition::Field::idle_under;
    auto ms = util::parse_duration(text.substr(5), "--filter idle");
    if (!ms) return usage(ms.error().message);
    c.ms = ms->count();
    return c;
  }
  auto eq = text.find('=');
  if (eq == std::string_view::npos) return usage("expected FIELD=VALUE, idle>DUR or idle<DUR");
  auto key = text.substr(0, eq);
  c.pattern = std::string(text.substr(eq + 1));
  if (key == "addr") c.field = Condition::Field::addr;
  else if (key == "name") c.field = Condition::Field::name;
  else if (key == "user") c.field = Condition::Field::user;
  else if (key == "lib-name") c.field = Condition::Field::lib_name;
  else if (key == "cmd") c.field = Condition::Field::cmd;
  else if (key == "flags") {
    c.field = Condition::Field::flags;
    if (c.pattern.empty()) return usage("flags= needs at least one flag letter (e.g. flags=P, flags=b)");
  } else return usage(fmt::format("unknown field '{}'", key));
  return c;
}

bool matches(const ClientInfo& client, const std::vector<Condition>& conditions) {
  for (const auto& c : conditions) {
    bool ok = false;
    switch (c.field) {
      case Condition::Field::addr:
        ok = glob_match(c.pattern, client.addr) || glob_match(c.pattern, client.host());
        break;
      case Condition::Field::name: ok = glob_match(c.pattern, client.name); break;
      case Condition::Field::user: ok = glob_match(c.pattern, client.user); break;
      case Condition::Field::lib_name: ok = glob_match(c.pattern, client.lib_name); break;
      case Condition::Field::cmd: ok = glob_match(c.pattern, client.cmd); break;
      case Condition::Field::flags:
        ok = true;
        for (char f : c.pattern) ok = ok && client.has_flag(f);
        break;
      case Condition::Field::idle_over: ok = client.idle_s >= 0 && client.idle_s * 1000 > c.ms; break;
      case Condition::Field::idle_under: ok = client.idle_s >= 0 && client.idle_s * 1000 < c.ms; break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace rctl::clients
