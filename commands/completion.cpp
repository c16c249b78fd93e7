// rctl completion bash|zsh|fish: completion scripts generated from the command tree.

#include "cli_model.hpp"
#include "context.hpp"

#include <CLI/CLI.hpp>

namespace rctl::commands {

void register_completion(CLI::App& app, Context& ctx) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print the shell completion script for bash, zsh or fish");
  cmd->add_option("shell", *shell, "Shell: bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}))
      ->type_name("SHELL");
  cmd->callback([&app, &ctx, shell] {
    ctx.run = [&app, &ctx, shell] {
      auto model = read_model(app, ctx.formats());
      auto text = *shell == "bash"  ? bash_completion(model)
                  : *shell == "zsh" ? zsh_completion(model)
                                    : fish_completion(model);
      output::Document doc;
      doc.blocks.emplace_back(output::RawBytes{text});
      doc.json = {{"shell", *shell}, {"script", text}};
      ctx.printer().emit(doc);
      return 0;
    };
  });
}

}  // namespace rctl::commands
