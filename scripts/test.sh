#!/usr/bin/env bash
# The test command (`npm test`): runs the suites with vitest (`scripts/test.sh [vitest args…]`).
#
# The SSH and SLURM suites need a real sshd and SLURM on loopback (scripts/start-test-infra.sh).
# This script starts them when a selected suite needs them and this user may (root, or sudo -n, or
# CI=true), tells the suites where they are (CRYSTAL_TUI_INFRA_ENV), and stops on exit — also on
# failure or Ctrl-C — only what it started itself: daemons already running are reused and left up.
# With CI=true a failure to start them fails the run (the suites must run there, never skip).
# Vitest's exit code is this script's exit code.
set -uo pipefail
cd "$(dirname "$0")/.."

INFRA_DIR=${CRYSTAL_TUI_INFRA_DIR:-/tmp/crystal-tui-infra}
export CRYSTAL_TUI_INFRA_DIR=$INFRA_DIR
export CRYSTAL_TUI_INFRA_ENV=${CRYSTAL_TUI_INFRA_ENV:-$INFRA_DIR/infra.env}
CI=${CI:-}
say() { printf '[test] %s\n' "$*" >&2; }

# Does any selected suite use the daemons? Vitest's positional arguments filter test files by
# substring; with none, every suite runs. Suites that need the daemons import test/helpers/infra.
needs_infra() {
  local filters=() a f
  for a in "$@"; do case "$a" in -*) ;; *) filters+=("$a");; esac; done
  while IFS= read -r f; do
    if [ ${#filters[@]} -gt 0 ]; then
      local hit=0; for a in "${filters[@]}"; do case "$f" in *"$a"*) hit=1;; esac; done
      [ $hit = 1 ] || continue
    fi
    grep -q 'helpers/infra' "$f" && return 0
  done < <(find test -name '*.test.ts' -o -name '*.test.tsx' | sort)
  return 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n --preserve-env=CRYSTAL_TUI_INFRA_DIR CLIENT_USER="$(id -un)" "$@"
  else return 126; fi
}

STARTED=0
stop_started() {
  if [ $STARTED = 1 ]; then
    STARTED=0
    say "stopping the test daemons this run started"
    as_root bash scripts/stop-test-infra.sh "$INFRA_DIR" >/dev/null 2>&1 || say "warning: stop-test-infra.sh reported a problem"
  fi
}
trap stop_started EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "${CRYSTAL_TUI_NO_INFRA:-}" = 1 ]; then
  say "CRYSTAL_TUI_NO_INFRA=1: not starting the SSH/SLURM daemons"
elif needs_infra "$@"; then
  bash scripts/infra-status.sh "$INFRA_DIR" 2>/dev/null; status=$?
  if [ $status = 0 ]; then
    say "reusing the test daemons already running ($INFRA_DIR)"
  elif [ "$(id -u)" = 0 ] || [ "$CI" = true ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
    # status 3 = some daemons up (started by hand): complete the set, but leave it up afterwards.
    # status 1 = none up: start from a clean slate (no SLURM jobs or state left from earlier runs)
    if [ $status = 1 ]; then
      STARTED=1
      as_root bash scripts/stop-test-infra.sh "$INFRA_DIR" --purge >/dev/null 2>&1 || true
    fi
    say "starting the test daemons (sshd + SLURM on 127.0.0.1) in $INFRA_DIR"
    if ! as_root bash scripts/start-test-infra.sh "$INFRA_DIR" >"$INFRA_DIR.start.log" 2>&1; then
      say "could not start the test daemons — see $INFRA_DIR.start.log"
      tail -n 30 "$INFRA_DIR.start.log" >&2
      if [ "$CI" = true ]; then exit 1; fi
      say "continuing: the SSH and SLURM suites will be skipped"
    fi
  else
    say "not root: the SSH and SLURM suites will be skipped (start them with: sudo bash scripts/start-test-infra.sh)"
  fi
fi

npx vitest run "$@"
rc=$?
exit $rc
