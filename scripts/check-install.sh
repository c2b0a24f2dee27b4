#!/usr/bin/env bash
# check-install.sh: crystal-tui installed the npm way, checked as a newcomer would use it (issue 15).
# .ci/run calls it after the tests.
#
#   1. the README's step, `npm install -g .` (a link to this checkout), into a temporary prefix;
#   2. the package as npm packs it (`npm pack`: what `files` in package.json ships), installed
#      with `npm install -g` into another temporary prefix — this compiles better-sqlite3 (~1–2 min).
#
# For each, from a folder outside the checkout, with that prefix's bin first on PATH: `crystal-tui
# --version` prints package.json's version; `crystal-tui doctor --json` prints a report (exit 0 when
# this machine has CRYSTAL, 1 when not); the demo project is made, its jobs are run by the packaged
# stand-in, and doctor with CRY23_EXEDIR at that stand-in says `"standin": true`.
# Everything it makes is under one temporary folder, removed on exit. Exit 0 = all good.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=$(node -p 'require("./package.json").version')
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ctui-install-check-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
say() { printf '[check-install] %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# json FILE EXPR: evaluates a JavaScript expression over the parsed file `d`; fails when falsy
json() {
  node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
           if (!eval(process.argv[2])) { console.error(JSON.stringify(d, null, 2).slice(0, 2000)); process.exit(1); }' "$1" "$2"
}

check() { # PREFIX LABEL
  local prefix=$1 label=$2 outside=$WORK/outside-$2
  mkdir -p "$outside"
  (
    cd "$outside"
    export PATH="$prefix/bin:$PATH" HOME="$outside" XDG_STATE_HOME="$outside/state" XDG_CONFIG_HOME="$outside/config"
    unset CRY23_EXEDIR CRY23_ROOT CRYSTAL_TUI_PROJECT
    [ "$(command -v crystal-tui)" = "$prefix/bin/crystal-tui" ] || fail "$label: crystal-tui on PATH is $(command -v crystal-tui || echo nothing)"
    v=$(crystal-tui --version) || fail "$label: crystal-tui --version failed"
    [ "$v" = "$VERSION" ] || fail "$label: crystal-tui --version printed '$v', package.json says $VERSION"
    set +e; crystal-tui doctor --json > doctor.json 2> doctor.err; rc=$?; set -e
    [ $rc = 0 ] || [ $rc = 1 ] || fail "$label: crystal-tui doctor --json exited $rc"
    json doctor.json 'typeof d.usable === "boolean" && typeof d.cores === "number"' || fail "$label: doctor --json is not a report"
    demo=$(crystal-tui demo --no-open) || fail "$label: crystal-tui demo --no-open failed"
    CRY23_EXEDIR="$demo/.standin" crystal-tui doctor --json > standin.json || fail "$label: doctor with the stand-in exited $?"
    json standin.json 'd.usable === true && d.standin === true && d.crystalOMP.standin === true' \
      || fail "$label: doctor does not say the stand-in is one"
    CRY23_EXEDIR="$demo/.standin" CRYSTAL_STANDIN_DELAY_MS=0 crystal-tui --project "$demo" run > run.txt 2>&1 || { cat run.txt >&2; fail "$label: running the demo's jobs failed"; }
    crystal-tui --project "$demo" job list --json > jobs.json
    json jobs.json 'd.length > 0 && d.every((j) => ["COMPLETED", "FAILED", "SKIPPED"].includes(j.status)) && d.some((j) => j.status === "COMPLETED")' \
      || fail "$label: the demo's jobs did not all finish"
    say "$label: crystal-tui $v on PATH from $prefix/bin; doctor, demo and a run of its $(node -p "require('./jobs.json').length") jobs work"
  )
}

say "1/2 npm install -g . (the README's step) into a temporary prefix"
npm install -g --prefix "$WORK/linked" "$ROOT" --no-audit --no-fund --loglevel=error >"$WORK/linked.log" 2>&1 \
  || { cat "$WORK/linked.log" >&2; fail "npm install -g . failed"; }
check "$WORK/linked" linked

say "2/2 npm pack, then npm install -g of the packed file into another temporary prefix"
npm pack --pack-destination "$WORK" --loglevel=error >"$WORK/pack.log" 2>&1 || { cat "$WORK/pack.log" >&2; fail "npm pack failed"; }
tarball=$(ls "$WORK"/crystal-tui-*.tgz)
T0=$(date +%s)
npm install -g --prefix "$WORK/packed" "$tarball" --no-audit --no-fund --loglevel=error >"$WORK/packed.log" 2>&1 \
  || { cat "$WORK/packed.log" >&2; fail "npm install -g of the packed package failed"; }
say "packed package installed in $(( $(date +%s) - T0 )) s"
check "$WORK/packed" packed
say "all good"
