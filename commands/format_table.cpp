#include "format_table.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <functional>

namespace rctl::commands {

namespace {

constexpr std::array k_all_formats = {output::Format::table, output::Format::json, output::Format::nagios,
                                      output::Format::prometheus, output::Format::none};

std::vector<const CLI::App*> defined_subcommands(const CLI::App& command) {
  return command.get_subcommands(std::function<bool(const CLI::App*)>{});
}

}  // namespace

void FormatTable::accept_also(const CLI::App& command, std::vector<output::Format> formats) {
  m_extra[&command] = std::move(formats);
}

std::vector<output::Format> FormatTable::accepted(const CLI::App& command) const {
  std::vector<output::Format> extra;
  if (auto it = m_extra.find(&command); it != m_extra.end()) extra = it->second;
  std::vector<output::Format> out;
  for (auto f : k_all_formats)
    if (f == output::Format::table || f == output::Format::json || f == output::Format::none ||
        std::ranges::find(extra, f) != extra.end())
      out.push_back(f);
  return out;
}

std::vector<std::string> FormatTable::offered(const CLI::App& command) const {
  std::vector<bool> any(k_all_formats.size(), false);
  auto mark = [&](const auto& self, const CLI::App& at) -> void {
    auto subs = defined_subcommands(at);
    if (subs.empty()) {
      for (auto f : accepted(at)) any[std::ranges::find(k_all_formats, f) - k_all_formats.begin()] = true;
      return;
    }
    for (const auto* sub : subs) self(self, *sub);
  };
  mark(mark, command);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < k_all_formats.size(); ++i)
    if (any[i]) out.emplace_back(output::to_string(k_all_formats[i]));
  return out;
}

std::string FormatTable::help() const {
  std::vector<std::string> extras;
  for (const auto& [command, formats] : m_extra) {
    std::vector<std::string> names;
    for (auto f : formats) names.emplace_back(output::to_string(f));
    extras.push_back(fmt::format("{}: {}", command->get_name(), fmt::join(names, ", ")));
  }
  std::ranges::sort(extras);
  extras.insert(extras.begin(), "exit code only");
  return fmt::format("Output format: table, json, none ({})", fmt::join(extras, "; "));
}

}  // namespace rctl::commands
