#include "cli_model.hpp"

#include "format_table.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

namespace rctl::commands {

namespace {

// "FORMAT:{table,json}" -> {"table","json"}: CLI11 appends IsMember's description to the type.
std::vector<std::string> choices_of(const std::string& type_name) {
  auto open = type_name.find('{');
  auto close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::vector<std::string> out;
  std::string item;
  for (auto c : type_name.substr(open + 1, close - open - 1)) {
    if (c == ',') {
      out.push_back(item);
      item.clear();
    } else {
      item.push_back(c);
    }
  }
  out.push_back(item);
  return out;
}

std::string value_name_of(const std::string& type_name) { return type_name.substr(0, type_name.find(':')); }

// An option's identity for "a parent already has it": names and description.
std::string signature_of(const OptionModel& o) {
  std::string out;
  for (const auto& n : o.shorts) out += "-" + n + " ";
  for (const auto& n : o.longs) out += "--" + n + " ";
  return out + o.description;
}

CommandModel read_below(const CLI::App& app, const FormatTable& formats, std::set<std::string> inherited) {
  CommandModel m;
  m.name = app.get_name().empty() ? "rctl" : app.get_name();
  m.description = app.get_description();
  m.formats = formats.offered(app);
  for (const auto* opt : app.get_options()) {
    auto type_name = opt->get_type_name();
    if (opt->get_positional()) {
      m.positionals.push_back({opt->get_name(), value_name_of(type_name), opt->get_description(), choices_of(type_name),
                               opt->get_required(), opt->get_expected_max() > 1});
      continue;
    }
    OptionModel o;
    o.shorts = opt->get_snames();
    o.longs = opt->get_lnames();
    if (opt->get_type_size_max() > 0) {
      o.value_name = value_name_of(type_name);
      o.choices = choices_of(type_name);
      o.list = o.value_name.ends_with(",..");
      o.file = o.value_name == "FILE" || o.value_name == "PATH";
      o.output_format = o.longs == std::vector<std::string>{"output"};
    }
    o.description = opt->get_description();
    o.group = opt->get_group();
    if (!inherited.insert(signature_of(o)).second) continue;
    m.options.push_back(std::move(o));
  }
  m.passthrough = app.get_prefix_command() && app.get_parent() != nullptr;
  if (m.passthrough) {
    m.positionals.push_back(
        {"command", "COMMAND", "The command to send; rctl's own flags go before it", {}, true, false});
    m.positionals.push_back({"arg", "ARG", "Its arguments, passed as they are", {}, false, true});
  }
  for (const auto* sub : app.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); }))
    m.commands.push_back(read_below(*sub, formats, inherited));
  return m;
}

}  // namespace

CommandModel read_model(const CLI::App& app, const FormatTable& formats) { return read_below(app, formats, {}); }

std::string space_joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string value_kind(const OptionModel& option) {
  if (option.file) return "file";
  if (option.choices.empty()) return "value";
  return (option.list ? "list " : "choices ") + space_joined(option.choices);
}

CLI::Validator comma_list_choices(const std::vector<std::string>& names) {
  return CLI::Validator(fmt::format("{{{}}}", fmt::join(names, ",")));
}

}  // namespace rctl::commands
