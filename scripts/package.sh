#!/usr/bin/env bash
# Builds dist/rctl_<version>_<arch>.deb: the Release binary (OpenSSL and libstdc++ linked
# statically), the man page, the bash/zsh/fish completions where each shell looks for them, a
# copyright file, Depends computed from the binary by dpkg-shlibdeps (glibc and zlib only, at
# the build machine's versions or newer), Recommends ca-certificates (the system CA store that
# TLS verification uses); then checks it with lintian. The files come from `cmake --install`, so the package and an install from source
# hold the same things.
#
# Usage: scripts/package.sh
#   RCTL_PACKAGE_BUILD=DIR  package an existing configured Release build directory (CI passes
#                           ./build, which scripts/test.sh has just built: no second compile);
#                           default: configure and build ./build-package (Release, no tests)
set -euo pipefail
cd "$(dirname "$0")/.."
umask 022
./scripts/setup.sh

maintainer="rctl maintainers <maintainers@users.noreply.b-seed-c7961519.example>"

build=${RCTL_PACKAGE_BUILD:-build-package}
if [ -n "${RCTL_PACKAGE_BUILD:-}" ]; then
  cache="$build/CMakeCache.txt"
  if [ ! -f "$cache" ]; then
    echo "package: $build is not a configured build directory (run scripts/build.sh)" >&2
    exit 2
  fi
  setting() { sed -n "s/^$1:[A-Z]*=//p" "$cache"; }
  if [ "$(setting CMAKE_BUILD_TYPE)" != Release ] || [ "$(setting RCTL_SANITIZE)" = ON ] ||
     [ "$(setting RCTL_FUZZ)" = ON ]; then
    echo "package: $build is not a plain Release build (CMAKE_BUILD_TYPE=$(setting CMAKE_BUILD_TYPE)," \
      "RCTL_SANITIZE=$(setting RCTL_SANITIZE), RCTL_FUZZ=$(setting RCTL_FUZZ))" >&2
    exit 2
  fi
else
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRCTL_WERROR=ON \
    -DRCTL_BUILD_TESTS=OFF >/dev/null
fi
# Up to date already after scripts/test.sh: this only checks, and refreshes the revision.
# Everything but the package's path goes to stderr, so that callers can take stdout.
cmake --build "$build" -j "$(nproc)" --target rctl rctl_man >&2

version=$("$build/commands/rctl" --version -o json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
arch=$(dpkg --print-architecture)
deb="dist/rctl_${version}_${arch}.deb"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/debian/rctl"  # where dpkg-shlibdeps expects a package's files
mkdir -p -m 755 "$root"
DESTDIR="$root" cmake --install "$build" --prefix /usr --strip >/dev/null

# Debian policy: man pages and changelogs compressed, a copyright file, reproducible gzip.
gzip -9n "$root/usr/share/man/man1/rctl.1"
doc="$root/usr/share/doc/rctl"
mkdir -p "$doc"
{
  cat <<TEXT
rctl: check, measure and operate the Redis behind your applications

License: $(head -n 1 LICENSE)

$(cat LICENSE)

The rctl binary also contains code from these libraries, linked statically; each one's
copyright and license, as its Debian package states it, follows.

- libstdc++ and libgcc (GCC $(gcc -dumpfullversion)): GPL-3 with the GCC Runtime Library
  Exception 3.1, which allows distributing programs compiled with GCC under any terms
  (/usr/share/common-licenses/GPL-3).
TEXT
  for pkg in libssl-dev libfmt-dev libcli11-dev nlohmann-json3-dev libasio-dev libmsgpack-cxx-dev; do
    printf '\n\n==== %s %s ====\n\n' "$pkg" "$(dpkg-query -W -f='${Version}' "$pkg")"
    cat "/usr/share/doc/$pkg/copyright"
  done
} > "$doc/copyright"
revision=$("$build/commands/rctl" --version -o json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["git_revision"])')
case $revision in
  *-dirty) echo "package: warning: built from a checkout with uncommitted changes ($revision)" >&2 ;;
esac
# The commit's time stands for the build's, in the changelog and as every file's mtime, so
# that the same binary gives the same .deb (dpkg-deb reads SOURCE_DATE_EPOCH too).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
when=$(date -R -u -d "@$SOURCE_DATE_EPOCH")
cat > "$doc/changelog" <<TEXT
rctl ($version) unstable; urgency=medium

  * Built from git revision $revision.

 -- $maintainer  $when
TEXT
gzip -9n "$doc/changelog"

# Depends from the libraries the binary actually links (libc6, zlib1g, ...), with the minimum
# versions of the symbols it uses. dpkg-shlibdeps wants a debian/control to exist.
printf 'Source: rctl\n\nPackage: rctl\nArchitecture: any\n' > "$stage/debian/control"
mkdir -p "$root/DEBIAN"  # how dpkg-shlibdeps finds the package the binary belongs to
depends=$(cd "$stage" && dpkg-shlibdeps -O debian/rctl/usr/bin/rctl | sed -n 's/^shlibs:Depends=//p')
if [ -z "$depends" ]; then
  echo "package: dpkg-shlibdeps found no dependencies for usr/bin/rctl" >&2
  exit 1
fi

size=$(du -sk --apparent-size --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<TEXT
Package: rctl
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Recommends: ca-certificates
Section: database
Priority: optional
Description: check, measure and operate the Redis behind your applications
 rctl is one binary for the people who run Redis (AWS ElastiCache, Upstash,
 Azure Cache, self-hosted) behind applications. It checks a server (health),
 measures it (stats), reads, writes and invalidates cached keys, tests what the
 server allows, inspects sessions and rate limits, and enqueues RQ jobs.
 .
 Every command prints a table for people or JSON for programs, works the same
 against one server or a whole Redis Cluster, verifies TLS certificates by
 default, and exits with a code a pipeline can trust.
TEXT
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p dist
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null

# Lintian: any error or warning fails. None is expected, so none is suppressed. Below the
# default level it reports two infos, both accepted: hardening-no-bindnow (lazy binding, the
# toolchain's default; full RELRO is a choice of the build flags, not of packaging) and
# binary-has-unneeded-section .comment (the compiler's version note, a few hundred bytes).
# As root it also prints "running with root privileges is not recommended", which is about
# lintian itself and not the package.
lintian --fail-on error,warning "$deb" >&2
echo "$deb"
