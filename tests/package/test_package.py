"""The .deb as a user gets it: its contents and control fields, apt resolving its Depends
here (simulated), then, extracted with `dpkg -x` into a throwaway root, the installed binary
against a real redis-server, the installed man page rendered without warnings, and each
installed completion file found and loaded by its shell the way the shell looks for it.
RCTL_DEB names the package."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import RedisServer

DEB = os.environ["RCTL_DEB"]

FILES = {
    "usr/bin/rctl": "-rwxr-xr-x",
    "usr/share/man/man1/rctl.1.gz": "-rw-r--r--",
    "usr/share/bash-completion/completions/rctl": "-rw-r--r--",
    "usr/share/zsh/vendor-completions/_rctl": "-rw-r--r--",
    "usr/share/fish/vendor_completions.d/rctl.fish": "-rw-r--r--",
    "usr/share/doc/rctl/copyright": "-rw-r--r--",
    "usr/share/doc/rctl/changelog.gz": "-rw-r--r--",
}


def run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


class Package(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="rctl-deb-root-")
        subprocess.run(["dpkg", "-x", DEB, cls.root], check=True)
        cls.rctl = os.path.join(cls.root, "usr/bin/rctl")
        cls.fields = dict(re.findall(r"^(\S+): (.*)$", run("dpkg-deb", "-f", DEB).stdout, re.M))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def test_contents_owners_and_modes(self):
        listing = run("dpkg-deb", "-c", DEB)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        entries = {}
        for line in listing.stdout.splitlines():
            mode, owner, _size, _date, _time, name = line.split(None, 5)
            entries[name.removeprefix("./").rstrip("/")] = (mode, owner)
        for rel, mode in FILES.items():
            self.assertEqual(entries.get(rel), (mode, "root/root"), rel)
        # Nothing but the files above and their folders.
        self.assertEqual({n for n, (m, _) in entries.items() if not m.startswith("d")}, set(FILES))

    def test_control_fields(self):
        name = os.path.basename(DEB)
        self.assertEqual(name, f"rctl_{self.fields['Version']}_{self.fields['Architecture']}.deb")
        self.assertEqual(self.fields["Package"], "rctl")
        # Computed by dpkg-shlibdeps: glibc with a minimum version, and nothing linked
        # statically (OpenSSL, libstdc++) appears.
        self.assertRegex(self.fields["Depends"], r"(^|, )libc6 \(>= [0-9.]+\)")
        self.assertNotRegex(self.fields["Depends"], r"libssl|libstdc\+\+|libgcc")
        self.assertEqual(self.fields["Recommends"], "ca-certificates")

    def test_apt_would_install_it_here(self):
        # What the README tells users to run, simulated: its Depends resolve on this system.
        out = run("apt-get", "install", "--simulate", "--no-install-recommends", os.path.abspath(DEB),
                  env={**os.environ, "LC_ALL": "C"})
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertRegex(out.stdout, rf"(?m)^Inst rctl \({re.escape(self.fields['Version'])} ")

    def test_binary_links_openssl_and_libstdcxx_statically(self):
        needed = run("readelf", "-d", self.rctl).stdout
        self.assertIn("libc.so.6", needed)
        for lib in ("libssl", "libcrypto", "libstdc++", "libgcc_s"):
            self.assertNotIn(lib, needed)

    def test_version(self):
        text = run(self.rctl, "--version")
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertTrue(text.stdout.startswith(f"rctl {self.fields['Version']}\n"), text.stdout)
        out = run(self.rctl, "--version", "-o", "json")
        self.assertEqual(out.returncode, 0, out.stderr)
        info = json.loads(out.stdout)
        self.assertEqual(list(info), ["version", "git_revision", "build_type", "compiler", "openssl"])
        self.assertEqual(info["version"], self.fields["Version"])
        self.assertEqual(info["build_type"], "Release")
        self.assertRegex(info["git_revision"], r"^([0-9a-f]{12}(-dirty)?|unknown)$")
        self.assertRegex(info["compiler"], r"^(GCC|clang) [0-9]")
        self.assertRegex(info["openssl"], r"^OpenSSL [0-9]")

    def test_health_against_a_real_server(self):
        server = RedisServer()
        try:
            out = run(self.rctl, "health", "-p", str(server.port), "-o", "json", env={"PATH": os.environ["PATH"]})
            self.assertEqual(out.returncode, 0, out.stderr)
            report = json.loads(out.stdout)
            self.assertEqual((report["status"], report["healthy"]), ("ok", True))
            server.stop()
            down = run(self.rctl, "health", "-p", str(server.port), "--connect-timeout", "2s",
                       env={"PATH": os.environ["PATH"]})
            self.assertEqual(down.returncode, 3, down.stderr)
        finally:
            server.close()

    def test_man_page_renders_without_warnings(self):
        out = run("man", "--warnings", "-E", "UTF-8", "-l", self.path("usr/share/man/man1/rctl.1.gz"),
                  env={**os.environ, "MANWIDTH": "100", "MAN_KEEP_FORMATTING": "0", "LC_ALL": "C.UTF-8"})
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "")
        self.assertIn("EXIT STATUS", re.sub(r".\x08", "", out.stdout))

    def test_bash_loads_the_completion(self):
        script = f"""source {self.path('usr/share/bash-completion/completions/rctl')}
complete -p rctl
COMP_WORDS=(rctl cache inv); COMP_CWORD=2
_rctl
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
        out = run("bash", "--norc", "--noprofile", "-c", script)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.splitlines(), ["complete -F _rctl rctl", "invalidate"])

    def test_zsh_finds_the_completion_in_its_vendor_folder(self):
        # compinit reads the #compdef line of each file on $fpath: this is how zsh picks up
        # usr/share/zsh/vendor-completions once the package is installed.
        script = f"""fpath=({self.path('usr/share/zsh/vendor-completions')} $fpath)
autoload -Uz compinit && compinit -u -D
print -r -- $_comps[rctl]
autoload +X _rctl && print loaded"""
        out = run("zsh", "-f", "-c", script)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.splitlines(), ["_rctl", "loaded"])
        self.assertEqual(out.stderr, "")

    def test_fish_finds_the_completion_in_its_vendor_folder(self):
        # fish autoloads <command>.fish from $fish_complete_path on the first completion of a
        # command it finds on PATH, as /usr/bin/rctl is once installed.
        script = (f"set fish_complete_path {self.path('usr/share/fish/vendor_completions.d')} $fish_complete_path; "
                  "complete -C 'rctl cache inv'")
        path = f"{self.path('usr/bin')}:{os.environ['PATH']}"
        out = run("fish", "--no-config", "-c", script, env={**os.environ, "PATH": path})
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual([l.split("\t")[0] for l in out.stdout.splitlines()], ["invalidate"])
        self.assertEqual(out.stderr, "")


if __name__ == "__main__":
    unittest.main()
