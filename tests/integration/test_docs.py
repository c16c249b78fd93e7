"""Documentation cannot drift: every command and flag that `--help` shows is in the man page
(rendered by man without warnings) and in the README; `cmake --install` puts the binary, the
man page and the completions where they belong."""

import os
import re
import subprocess
import tempfile
import unittest

from harness import RCTL, RctlTestCase

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MAN = os.environ.get("RCTL_MAN", os.path.join(ROOT, "build", "man", "rctl.1"))


def help_text(path):
    return subprocess.run([RCTL, *path, "--help"], capture_output=True, text=True, check=True).stdout


def command_paths():
    """Every command path, read from --help ("Subcommands:" sections)."""
    paths, todo = [], [[]]
    while todo:
        path = todo.pop()
        paths.append(path)
        text = help_text(path)
        if "Subcommands:" in text:
            block = text.split("Subcommands:")[1]
            for line in block.splitlines()[1:]:
                m = re.match(r"^  (\S+)\s", line)
                if not m:
                    if line.strip() == "":
                        continue
                    break
                todo.append(path + [m.group(1)])
    return paths


def options_of(path):
    text = help_text(path)
    text = text.split("Subcommands:")[0]
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text)) - {"--help"})


class Docs(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.paths = command_paths()
        out = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", MAN], capture_output=True, text=True,
                             env={**os.environ, "MANWIDTH": "100", "MAN_KEEP_FORMATTING": "0", "LC_ALL": "C.UTF-8"})
        cls.man_status, cls.man_warnings = out.returncode, out.stderr
        cls.man = re.sub(r".\x08", "", out.stdout)
        with open(os.path.join(ROOT, "README.md")) as f:
            cls.readme = f.read()

    def test_man_renders_without_warnings(self):
        self.assertEqual(self.man_status, 0)
        self.assertEqual(self.man_warnings, "")
        self.assertIn("EXIT STATUS", self.man)

    def test_prose_renders_as_written(self):
        # Issue 17 item 19: a prose line starting with "#" became a section heading, and the
        # password mask "****" (scdoc's bold markers) rendered as nothing.
        headings = [l for l in self.man.splitlines()[1:-1] if l and not l[0].isspace()]
        self.assertEqual(headings, ["NAME", "SYNOPSIS", "DESCRIPTION", "CONNECTING", "PROFILES", "GLOBAL OPTIONS",
                                    "COMMANDS", "ENVIRONMENT", "EXIT STATUS", "JSON OUTPUT", "EXAMPLES", "SECURITY",
                                    "SEE ALSO"])
        prose = " ".join(self.man.split())
        self.assertIn("Lines starting with # or ; are comments", prose)
        self.assertIn("the password replaced by ****.", prose)

    def test_every_command_and_flag_is_in_the_man_page(self):
        self.assertGreater(len(self.paths), 5)
        for path in self.paths[1:]:
            name = "rctl " + " ".join(path)
            self.assertTrue(name in self.man, f"{name} missing from the man page")
            for opt in options_of(path):
                self.assertTrue(opt in self.man, f"{opt} of {name} missing from the man page")

    def test_every_command_and_flag_is_in_the_readme(self):
        for path in self.paths[1:]:
            if path[0] == "completion":
                continue
            top = "rctl " + path[0]
            self.assertTrue(top in self.readme, f"{top} missing from README.md")
            for opt in options_of(path):
                self.assertTrue(opt in self.readme, f"{opt} of rctl {' '.join(path)} missing from README.md")

    def test_install_puts_files_in_place(self):
        build = os.path.dirname(os.path.dirname(RCTL))
        with tempfile.TemporaryDirectory() as prefix:
            subprocess.run(["cmake", "--install", build, "--prefix", prefix], check=True, capture_output=True)
            for rel in ("bin/rctl", "share/man/man1/rctl.1", "share/bash-completion/completions/rctl",
                        "share/zsh/vendor-completions/_rctl", "share/fish/vendor_completions.d/rctl.fish"):
                self.assertTrue(os.path.exists(os.path.join(prefix, rel)), rel)


if __name__ == "__main__":
    unittest.main()
