// The command and option reference of the man page, generated from the command tree so
// that the page cannot miss a flag. `scripts/update-man.sh` pastes it into man/rctl.1.scd.

#include "cli_model.hpp"
#include "context.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace rctl::commands {

namespace {

// scdoc treats * _ \ as markup; escape them in prose.
std::string scd(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string option_heading(const OptionModel& o) {
  std::string names;
  for (const auto& s : o.shorts) names += (names.empty() ? "" : ", ") + fmt::format("*-{}*", s);
  for (const auto& l : o.longs) names += (names.empty() ? "" : ", ") + fmt::format("*--{}*", l);
  if (!o.value_name.empty()) names += fmt::format(" _{}_", o.value_name);
  return names;
}

void emit_options(std::string& out, const std::vector<OptionModel>& options) {
  for (const auto& o : options) {
    if (o.longs.size() == 1 && o.longs.front() == "help") continue;  // documented once, globally
    out += option_heading(o) + "\n\t" + scd(o.description);
    if (!o.choices.empty()) {
      std::string list;
      for (const auto& c : o.choices) list += (list.empty() ? "" : ", ") + c;
      out += fmt::format(" (one of: {})", list);
    }
    out += "\n\n";
  }
}

// What -o accepts, without "none" (accepted everywhere, said once under GLOBAL OPTIONS).
std::string output_formats(const CommandModel& m) {
  std::string out;
  for (const auto& f : m.formats)
    if (f != "none") out += (out.empty() ? "" : ", ") + f;
  return out;
}

void emit_command(std::string& out, const CommandModel& m, const std::string& path) {
  std::string usage = path;
  for (const auto& p : m.positionals)
    usage += p.required
                 ? fmt::format(" _{}_{}", p.value_name.empty() ? p.name : p.value_name, p.repeated ? "..." : "")
                 : fmt::format(" [_{}_{}]", p.value_name.empty() ? p.name : p.value_name, p.repeated ? "..." : "");
  if (m.commands.empty()) {
    out += fmt::format("## {}\n\n*{}*{}\n\n{}. Output (*-o*): {}.\n\n", path, path, usage.substr(path.size()),
                       scd(m.description), output_formats(m));
    emit_options(out, m.options);
  } else {
    out += fmt::format("## {}\n\n{}.\n\n", path, scd(m.description));
    emit_options(out, m.options);
  }
  for (const auto& c : m.commands) emit_command(out, c, path + " " + c.name);
}

}  // namespace

std::string man_reference(const CommandModel& root) {
  std::string out = "# GLOBAL OPTIONS\n\nThese options are accepted before or after the command name.\n\n";
  emit_options(out, root.options);
  out += "# COMMANDS\n\n";
  for (const auto& c : root.commands) emit_command(out, c, "rctl " + c.name);
  return out;
}

void register_man_reference(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("generate-man-reference", "Print the man page's generated reference (scdoc)");
  cmd->group("");  // hidden: a maintainer tool
  cmd->callback([&app, &ctx] {
    ctx.run = [&app, &ctx] {
      output::Document doc;
      doc.blocks.emplace_back(output::RawBytes{man_reference(read_model(app, ctx.formats()))});
      ctx.printer().emit(doc);
      return 0;
    };
  });
}

}  // namespace rctl::commands
