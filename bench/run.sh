#!/usr/bin/env bash
# npm run bench: every bench/*.bench.ts in turn (or those named: npm run bench -- parser engine).
# A benchmark measures its own baseline in the same run and prints the ratio; it never fails on timing.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run build --silent >/dev/null 2>&1 || echo "warning: build reported errors" >&2
status=0
# install.bench.ts (minutes, needs the npm registry) runs only when named: npm run bench -- install
if [ $# -gt 0 ]; then files=(); for n in "$@"; do files+=("bench/$n.bench.ts"); done
else files=(); for f in bench/*.bench.ts; do [ "$f" = bench/install.bench.ts ] || files+=("$f"); done; fi
for f in "${files[@]}"; do
  echo "== $f"
  node --expose-gc --import tsx "$f" || { echo "benchmark $f did not finish" >&2; status=1; }
done
exit $status
