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
# The man page's generated reference must match the command tree.
ref=$(mktemp)
"$rctl" generate-man-reference > "$ref"
if ! python3 - "$src/man/rctl.1.scd" "$ref" <<'PY'
import sys
text, ref = open(sys.argv[1]).read(), open(sys.argv[2]).read()
begin = "; BEGIN GENERATED REFERENCE (scripts/update-man.sh)\n"
inside = text.split(begin)[1].split("; END GENERATED REFERENCE\n")[0]
sys.exit(0 if inside == "\n" + ref else 1)
PY
then
  echo "man/rctl.1.scd's reference is out of date; run scripts/update-man.sh" >&2
  status=1
fi
rm -f "$ref"
exit $status
