#!/usr/bin/env bash
# The Debian package's CI check: builds it with scripts/package.sh (which runs lintian), then
# inspects, extracts and uses it (test_package.py).
# Usage: [RCTL_PACKAGE_BUILD=build] tests/package/check.sh
#   (CI calls it right after scripts/test.sh, with RCTL_PACKAGE_BUILD=build: no second compile)
set -euo pipefail
cd "$(dirname "$0")/../.."
deb=$(./scripts/package.sh)
cd tests/package
RCTL_DEB="$PWD/../../$deb" PYTHONPATH=../integration PYTHONDONTWRITEBYTECODE=1 \
  /usr/bin/python3 -m unittest -v test_package
