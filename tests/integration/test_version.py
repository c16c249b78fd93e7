"""rctl --version: which rctl this is and how it was built, as text and as JSON, without a
server; the git revision is the checkout's."""

import json
import os
import re
import subprocess
import unittest

from harness import RctlTestCase, rctl

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


class Version(RctlTestCase):
    def test_text(self):
        out = rctl("--version")
        self.assertExit(out, 0)
        lines = out.stdout.splitlines()
        self.assertRegex(lines[0], r"^rctl [0-9]+\.[0-9]+\.[0-9]+$")
        labels = [line.split(":")[0].strip() for line in lines[1:]]
        self.assertEqual(labels, ["git revision", "build type", "compiler", "openssl"])
        self.assertEqual(out.stderr, "")

    def test_json_either_side_of_the_flag(self):
        for args in (["--version", "-o", "json"], ["-o", "json", "--version"], ["--output=json", "--version"]):
            out = rctl(*args)
            self.assertExit(out, 0)
            info = json.loads(out.stdout)
            self.assertEqual(list(info), ["version", "git_revision", "build_type", "compiler", "openssl"], args)
            self.assertRegex(info["compiler"], r"^(GCC|clang) [0-9]")
            self.assertRegex(info["openssl"], r"^OpenSSL [0-9]")
            self.assertTrue(info["build_type"])

    def test_revision_is_the_checkouts(self):
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
        if head.returncode != 0:
            self.skipTest("not a git checkout")  # a release tarball: the revision is "unknown"
        info = json.loads(rctl("--version", "-o", "json").stdout)
        self.assertRegex(info["git_revision"], r"^[0-9a-f]{12}(-dirty)?$")
        # The binary may predate the last commit (built, then committed): same history at least.
        base = info["git_revision"].removesuffix("-dirty")
        known = subprocess.run(["git", "-C", ROOT, "cat-file", "-e", base + "^{commit}"])
        self.assertEqual(known.returncode, 0, f"{base} is not a commit of this checkout")


if __name__ == "__main__":
    unittest.main()
