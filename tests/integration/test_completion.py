"""Shell completions: the checked-in scripts load in bash, zsh and fish and complete the
command tree (subcommands, nested subcommands, options, fixed option values, files)."""

import os
import shutil
import subprocess
import unittest

from harness import RctlTestCase, rctl

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
BASH = os.path.join(ROOT, "completions", "rctl.bash")
ZSH = os.path.join(ROOT, "completions", "_rctl")
FISH = os.path.join(ROOT, "completions", "rctl.fish")


def bash_complete(*words):
    script = f"""source {BASH}
COMP_WORDS=({' '.join(repr(w) for w in words)})
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
_rctl
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    out = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True, check=True)
    return [w for w in out.stdout.splitlines() if w]


def fish_complete(line):
    out = subprocess.run(["fish", "--no-config", "-c", f"source {FISH}; complete -C {line!r}"],
                         capture_output=True, text=True, check=True)
    return [l.split("\t")[0] for l in out.stdout.splitlines()]


class Completion(RctlTestCase):
    def test_bash_subcommands(self):
        self.assertEqual(bash_complete("rctl", "cac"), ["cache"])
        self.assertEqual(sorted(bash_complete("rctl", "ca")), ["cache", "call"])
        self.assertEqual(bash_complete("rctl", "cache", "inv"), ["invalidate"])
        self.assertEqual(bash_complete("rctl", "-p", "6379", "he"), ["health"])
        self.assertIn("stats", bash_complete("rctl", ""))

    def test_bash_options_and_values(self):
        self.assertEqual(bash_complete("rctl", "-o", ""), ["table", "json", "nagios", "prometheus", "none"])
        self.assertEqual(bash_complete("rctl", "cache", "invalidate", "--dr"), ["--dry-run"])
        self.assertIn("--wait", bash_complete("rctl", "health", "--"))
        self.assertIn("--url", bash_complete("rctl", "health", "--"))  # global flags are inherited
        self.assertNotIn("--wait", bash_complete("rctl", "stats", "--"))
        self.assertEqual(bash_complete("rctl", "cache", "get", "--decode", "ms"), ["msgpack"])

    def test_bash_offers_exactly_what_each_command_accepts(self):
        # -o per command, from the table the parser checks: health has no prometheus output.
        self.assertEqual(bash_complete("rctl", "health", "-o", ""), ["table", "json", "nagios", "none"])
        self.assertEqual(bash_complete("rctl", "stats", "--output", ""), ["table", "json", "prometheus", "none"])
        self.assertEqual(bash_complete("rctl", "cache", "get", "-o", ""), ["table", "json", "none"])
        self.assertEqual(bash_complete("rctl", "test", "--only", "sor"), ["sorted_sets"])
        self.assertEqual(bash_complete("rctl", "test", "--skip", "strings,ha"), ["strings,hashes"])
        self.assertEqual(bash_complete("rctl", "job", "list", "--state", "fa"), ["failed"])
        self.assertEqual(bash_complete("rctl", "completion", ""), ["bash", "zsh", "fish"])
        for words in (("rctl", "--"), ("rctl", "cache", "--"), ("rctl", "cache", "get", "--")):
            offered = bash_complete(*words)
            self.assertEqual(offered.count("--help"), 1, words)
            self.assertEqual(len(offered), len(set(offered)), words)

    def test_parser_rejects_what_completion_does_not_offer(self):
        for args in (["health", "-o", "prometheus"], ["cache", "get", "k", "-o", "prometheus"],
                     ["completion", "bash", "-o", "prometheus"]):
            out = rctl(*args)
            self.assertEqual(out.returncode, 2, args)
            self.assertIn("does not support -o", out.stderr, args)
    def test_call_completes_its_flags_before_command_and_nothing_after(self):
        self.assertIn("--all-primaries", bash_complete("rctl", "call", "--"))
        self.assertEqual(bash_complete("rctl", "call", "GET", "--"), [])
        self.assertEqual(bash_complete("rctl", "call", "SET", "k", "-o", ""), [])
        self.assertEqual(bash_complete("rctl", "call", "--node", "h:1", "GET", ""), [])
        self.assertIn("--all-nodes", fish_complete("rctl call --"))
        self.assertEqual(fish_complete("rctl call GET --"), [])

    def test_bash_file_values(self):
        out = bash_complete("rctl", "--cacert", os.path.join(ROOT, "completions", "rctl.ba"))
        self.assertEqual([os.path.basename(p) for p in out], ["rctl.bash"])

    def test_zsh_parses(self):
        subprocess.run(["zsh", "-n", ZSH], check=True)

    def test_fish_parses_and_completes(self):
        subprocess.run(["fish", "--no-execute", FISH], check=True)
        self.assertEqual(fish_complete("rctl cac"), ["cache"])
        self.assertEqual(fish_complete("rctl cache inv"), ["invalidate"])
        self.assertEqual(sorted(fish_complete("rctl -o ")), ["json", "nagios", "none", "prometheus", "table"])
        self.assertEqual(sorted(fish_complete("rctl health -o ")), ["json", "nagios", "none", "table"])
        self.assertEqual(sorted(fish_complete("rctl completion ")), ["bash", "fish", "zsh"])
        self.assertIn("sorted_sets", fish_complete("rctl test --only "))
        self.assertEqual(fish_complete("rctl job list --state fa"), ["failed"])
        self.assertEqual(fish_complete("rctl cache get --he"), ["--help"])


if __name__ == "__main__":
    unittest.main()
