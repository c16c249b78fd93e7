#!/usr/bin/env bash
# Refreshes the generated part of man/rctl.1.scd (between the GENERATED REFERENCE markers)
# from `rctl generate-man-reference`; the rest of the page is written by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
rctl=${RCTL:-./build/commands/rctl}
"$rctl" generate-man-reference > man/.reference.tmp
python3 - man/rctl.1.scd man/.reference.tmp <<'PY'
import sys
page, ref = sys.argv[1], open(sys.argv[2]).read()
text = open(page).read()
begin = "; BEGIN GENERATED REFERENCE (scripts/update-man.sh)\n"
end = "; END GENERATED REFERENCE\n"
head, rest = text.split(begin)
_, tail = rest.split(end)
open(page, "w").write(head + begin + "\n" + ref + end + tail)
PY
rm -f man/.reference.tmp
