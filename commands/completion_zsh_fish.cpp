// zsh and fish completion scripts generated from the command tree.

#include "cli_model.hpp"

#include <fmt/format.h>

#include <set>

namespace rctl::commands {

namespace {

// Single-quoted for shells: ' becomes '\''.
std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// zsh _describe entries: "name:description" with ':' in the name escaped.
std::string zsh_entry(const std::string& name, const std::string& description) {
  std::string n;
  for (char c : name) n += c == ':' ? std::string("\\:") : std::string(1, c);
  return shell_quoted(n + ":" + description);
}

std::vector<std::string> option_names(const OptionModel& o) {
  std::vector<std::string> out;
  for (const auto& s : o.shorts) out.push_back("-" + s);
  for (const auto& l : o.longs) out.push_back("--" + l);
  return out;
}

struct ZshCases {
  std::string commands, args, options, passthrough, values;
  const OptionModel* output = nullptr;  // -o, whose values are emitted per command
};

void zsh_values(ZshCases& z, const std::string& path, const OptionModel& o, const std::string& kind) {
  for (const auto& n : option_names(o))
    z.values += fmt::format("      {}) REPLY={} ;;\n", shell_quoted(path + " " + n), shell_quoted(kind));
}

void zsh_walk(const CommandModel& m, const std::string& path, std::vector<std::string> inherited, ZshCases& z) {
  if (m.passthrough) z.passthrough += fmt::format("    {}) return 0 ;;\n", shell_quoted(path));
  if (!m.commands.empty()) {
    std::string list;
    for (const auto& c : m.commands) list += " " + zsh_entry(c.name, c.description);
    z.commands += fmt::format("    {}) reply=({}) ;;\n", shell_quoted(path), list.substr(1));
  }
  std::string args;
  for (const auto& p : m.positionals)
    for (const auto& c : p.choices) args += " " + shell_quoted(c);
  if (!args.empty()) z.args += fmt::format("    {}) reply=({}) ;;\n", shell_quoted(path), args.substr(1));
  for (const auto& o : m.options) {
    for (const auto& n : option_names(o)) inherited.push_back(zsh_entry(n, o.description));
    if (o.output_format) z.output = &o;
    if (!o.value_name.empty() && !o.output_format) zsh_values(z, path, o, value_kind(o));
  }
  if (z.output != nullptr && !m.formats.empty()) zsh_values(z, path, *z.output, "choices " + space_joined(m.formats));
  std::string list;
  for (const auto& e : inherited) list += " " + e;
  z.options += fmt::format("    {}) reply=({}) ;;\n", shell_quoted(path), list.empty() ? "" : list.substr(1));
  for (const auto& c : m.commands) zsh_walk(c, path + " " + c.name, inherited, z);
}

std::string fish_option_spec(const OptionModel& o) {
  std::string spec;
  for (const auto& s : o.shorts) spec += " -s " + s;
  for (const auto& l : o.longs) spec += " -l " + l;
  return spec;
}

struct FishLines {
  std::string out;
  std::set<std::string> valued;  // options that take a value (their value is not a command word)
  const OptionModel* output = nullptr;  // -o, whose values are offered per command
};

void fish_walk(const CommandModel& m, const std::string& path, FishLines& f) {
  auto at = shell_quoted("__rctl_at " + shell_quoted(path));
  for (const auto& c : m.commands)
    f.out += fmt::format("complete -c rctl -n {} -a {} -d {}\n", at, shell_quoted(c.name), shell_quoted(c.description));
  for (const auto& p : m.positionals)
    if (!p.choices.empty())
      f.out += fmt::format("complete -c rctl -n {} -a {} -d {}\n", at, shell_quoted(space_joined(p.choices)),
                           shell_quoted(p.description));
  for (const auto& o : m.options) {
    if (!o.value_name.empty())
      for (const auto& n : option_names(o)) f.valued.insert(n);
    if (o.output_format) {
      f.output = &o;
      continue;
    }
    std::string spec = fish_option_spec(o);
    if (o.list) {
      spec += " -x -a " + shell_quoted("(__rctl_list " + space_joined(o.choices) + ")");
    } else if (!o.choices.empty()) {
      spec += " -x -a " + shell_quoted(space_joined(o.choices));
    } else if (o.file) {
      spec += " -r -F";
    } else if (!o.value_name.empty()) {
      spec += " -x";
    }
    f.out += fmt::format("complete -c rctl -n {}{} -d {}\n", shell_quoted("__rctl_under " + shell_quoted(path)), spec,
                         shell_quoted(o.description));
  }
  // -o once per command level, with what that command accepts.
  if (f.output != nullptr && !m.formats.empty())
    f.out += fmt::format("complete -c rctl -n {}{} -x -a {} -d {}\n", at, fish_option_spec(*f.output),
                         shell_quoted(space_joined(m.formats)), shell_quoted(f.output->description));
  for (const auto& c : m.commands) fish_walk(c, path + " " + c.name, f);
}

void collect_commands(const CommandModel& m, const std::string& path, std::string& out) {
  if (m.passthrough) out += fmt::format("        case {}\n            set passthrough 1\n", shell_quoted(path));
  if (m.commands.empty()) return;
  std::string names;
  for (const auto& c : m.commands) names += " " + c.name;
  out += fmt::format("        case {}\n            set subs{}\n", shell_quoted(path), names);
  for (const auto& c : m.commands) collect_commands(c, path + " " + c.name, out);
}

}  // namespace

std::string zsh_completion(const CommandModel& root) {
  ZshCases z;
  zsh_walk(root, root.name, {}, z);
  return fmt::format(R"SH(#compdef rctl
# zsh completion for rctl. Generated by `rctl completion zsh`; do not edit.
# Install: copy to a directory in $fpath as _rctl (e.g. /usr/share/zsh/vendor-completions/_rctl).

_rctl_commands() {{
  reply=()
  case "$1" in
{}  esac
}}

# Fixed values of the command's arguments (`completion bash`).
_rctl_args() {{
  reply=()
  case "$1" in
{}  esac
}}

_rctl_options() {{
  reply=()
  case "$1" in
{}  esac
}}

# True for a command whose words after the first positional one belong to the server.
_rctl_passthrough() {{
  case "$1" in
{}  esac
  return 1
}}

# REPLY="<kind> <choices>" for an option that takes a value, looked up at this level and
# then at each parent (options are inherited).
_rctl_value() {{
  local p="$1"
  REPLY=
  while :; do
    case "$p $2" in
{}    esac
    [[ -n $REPLY || $p != *' '* ]] && return
    p="${{p% *}}"
  done
}}

_rctl() {{
  local p=rctl w i skip=0
  local -a reply
  for ((i = 2; i < CURRENT; i++)); do
    w=${{words[i]}}
    if ((skip)); then skip=0; continue; fi
    case $w in
      --*=*) ;;
      -*) _rctl_value "$p" "$w"; [[ -n $REPLY ]] && skip=1 ;;
      *) _rctl_commands "$p"
         if (( ${{reply[(I)${{w}}:*]}} )); then p="$p $w"; elif _rctl_passthrough "$p"; then return; fi ;;
    esac
  done
  local prev=${{words[CURRENT-1]}}
  if [[ $prev == -* ]]; then
    _rctl_value "$p" "$prev"
    case $REPLY in
      choices*) compadd -- ${{=REPLY#choices }}; return ;;
      list*) compset -P '*,'; compadd -- ${{=REPLY#list }}; return ;;
      file*) _files; return ;;
      value*) return ;;
    esac
  fi
  if [[ ${{words[CURRENT]}} == -* ]]; then
    _rctl_options "$p"
    _describe -t options option reply
  else
    _rctl_commands "$p"
    _describe -t commands command reply
    _rctl_args "$p"
    (( $#reply )) && compadd -- $reply
  fi
}}

_rctl "$@"
)SH",
                     z.commands, z.args, z.options, z.passthrough, z.values);
}

std::string fish_completion(const CommandModel& root) {
  FishLines f;
  fish_walk(root, root.name, f);
  std::string subs;
  collect_commands(root, root.name, subs);
  std::string takes;
  for (const auto& v : f.valued) takes += " " + shell_quoted(v);
  return fmt::format(R"SH(# fish completion for rctl. Generated by `rctl completion fish`; do not edit.
# Install: copy to ~/.config/fish/completions/rctl.fish (or /usr/share/fish/vendor_completions.d/).

# The command path typed so far ("rctl cache"), skipping options and their values.
function __rctl_path
    set -l words (commandline -opc)
    set -l path rctl
    set -l skip 0
    for w in $words[2..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $w
            if contains -- $w{}
                set skip 1
            end
            continue
        end
        set -l subs
        set -l passthrough 0
        switch $path
{}        end
        if contains -- $w $subs
            set path "$path $w"
        else if test $passthrough -eq 1
            # The server's words from here on: nothing of rctl's is offered.
            echo "$path ARGS"
            return
        end
    end
    echo $path
end

# True when the path is exactly $argv[1] (subcommands are offered there).
function __rctl_at
    test (__rctl_path) = $argv[1]
end

# The items of a comma-list option, each after what the current word already lists.
function __rctl_list
    set -l head (string replace -r -- '[^,]*$' '' (commandline -ct))
    for item in $argv
        echo $head$item
    end
end

# True when the path is $argv[1] or below it (options are inherited by subcommands).
function __rctl_under
    set -l p (__rctl_path)
    string match -q -- '* ARGS' $p; and return 1
    test "$p" = $argv[1]; or string match -q -- "$argv[1] *" $p
end

complete -c rctl -f
{})SH",
                     takes, subs, f.out);
}

}  // namespace rctl::commands
