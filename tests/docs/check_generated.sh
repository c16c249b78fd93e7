#!/usr/bin/env bash
# Fails when a checked-in generated file differs from what the current binary generates:
# completions (and the man page) must not drift from the command tree.
# Usage: check_generated.sh RCTL SOURCE_DIR
set -euo pipefail
rctl=$1 src=$2 status=0
check() {  # check FILE COMMAND...
  local file=$1; shift
  if ! diff -u "$src/$file" <("$@") >/tmp/rctl-drift.$$ 2>&1; then
    echo "$file is out of date; regenerate it with: $* > $file" >&2
    head -40 /tmp/rctl-drift.$$ >&2
    status=1
  fi
  rm -f /tmp/rctl-drift.$$
}
check completions/rctl.bash "$rctl" completion bash
check completions/_rctl "$rctl" completion zsh
check completions/rctl.fish "$rctl" completion fish
exit $status
