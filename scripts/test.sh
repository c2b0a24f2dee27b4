#!/usr/bin/env bash
# The test command (`npm test`): runs the suites with vitest (`scripts/test.sh [vitest args…]`).
#
# The SSH and SLURM suites need a real sshd and SLURM on loopback (scripts/start-test-infra.sh).
# This script starts them when a selected suite needs them and this user may (root, or sudo -n, or
# CI=true), and tells the suites where they are (CRYSTAL_TUI_INFRA_ENV). With CI=true a failure to
# start them fails the run (the suites must run there, never skip).
#
# Several runs may share one set of daemons (two engineers, two terminals): each run holds a lease
# on the set while it runs ($INFRA_DIR.runs/<pid>, taken and given back under the lock
# $INFRA_DIR.lock). Daemons a test run started are stopped by the LAST run to leave — never under
# another run still using them; daemons started by hand (or completed from a partial set) are left
# up. A run killed with SIGKILL leaves a lease whose process is gone: it is ignored and removed.
#
# The run gets a temporary folder of its own as TMPDIR, and checks at the end that the suites left
# nothing in it (the global teardown removes its run folder there): a run leaves TMPDIR as it found
# it, or fails saying what it left. Vitest's exit code is this script's exit code otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

INFRA_DIR=${CRYSTAL_TUI_INFRA_DIR:-/tmp/crystal-tui-infra}
export CRYSTAL_TUI_INFRA_DIR=$INFRA_DIR
export CRYSTAL_TUI_INFRA_ENV=${CRYSTAL_TUI_INFRA_ENV:-$INFRA_DIR/infra.env}
CI=${CI:-}
say() { printf '[test] %s\n' "$*" >&2; }

# Does any selected suite use the daemons? Vitest's positional arguments filter test files by
# substring; with none, every suite runs. Suites that need the daemons import test/helpers/infra (or
# the namespaced test hosts of test/remote/remote-hosts, which sit on the shared SLURM).
needs_infra() {
  local filters=() a f
  for a in "$@"; do case "$a" in -*) ;; *) filters+=("$a");; esac; done
  while IFS= read -r f; do
    if [ ${#filters[@]} -gt 0 ]; then
      local hit=0; for a in "${filters[@]}"; do case "$f" in *"$a"*) hit=1;; esac; done
      [ $hit = 1 ] || continue
    fi
    grep -qE 'helpers/infra|remote-hosts' "$f" && return 0
  done < <(find test -name '*.test.ts' -o -name '*.test.tsx' | sort)
  return 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n --preserve-env=CRYSTAL_TUI_INFRA_DIR,SSH_PORT,SLURMCTLD_PORT,SLURMD_PORT,SLURMDBD_PORT,DB_PORT,SLURM_NODE_NAME,SLURM_CLUSTER_NAME,EXTRA_HOSTS CLIENT_USER="$(id -un)" "$@"
  else return 126; fi
}

# ---------------------------------------------------------------- leases on the shared daemons
LEASES=$INFRA_DIR.runs
LEASED=0
start_time() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
lock() { exec 9>>"$INFRA_DIR.lock"; chmod 666 "$INFRA_DIR.lock" 2>/dev/null; flock -w 900 9 || { say "waited 15 min for $INFRA_DIR.lock — giving up"; exit 1; }; }
unlock() { flock -u 9; exec 9>&-; }
# the runs holding a lease now (a lease whose process is gone, or whose PID was reused, is dropped)
live_leases() {
  local f pid n=0
  for f in "$LEASES"/[0-9]*; do
    [ -e "$f" ] || continue
    pid=${f##*/}
    if [ -n "$(start_time "$pid")" ] && [ "$(start_time "$pid")" = "$(cat "$f" 2>/dev/null)" ]; then n=$((n + 1))
    else rm -f "$f"; fi
  done
  echo $n
}
take_lease() {
  mkdir -p "$LEASES"; chmod 1777 "$LEASES" 2>/dev/null
  start_time $$ > "$LEASES/$$"; LEASED=1
}
give_back_lease() {
  [ $LEASED = 1 ] || return 0
  LEASED=0
  lock
  rm -f "$LEASES/$$"
  local others; others=$(live_leases)
  if [ "$others" = 0 ] && [ -e "$LEASES/started-by-a-test-run" ]; then
    say "last run to leave: stopping the test daemons a test run started ($INFRA_DIR)"
    as_root bash scripts/stop-test-infra.sh "$INFRA_DIR" >/dev/null 2>&1 || say "warning: stop-test-infra.sh reported a problem"
    rm -f "$LEASES/started-by-a-test-run"
  elif [ "$others" != 0 ]; then
    say "leaving the test daemons up: $others other run(s) still use them"
  fi
  unlock
}

# ---------------------------------------------------------------- this run's temporary folder
OUTER_TMP=${TMPDIR:-/tmp}
RUN_TMP=$(mktemp -d "$OUTER_TMP/ctui-npm-test-XXXXXX") || { say "cannot make a temporary folder in $OUTER_TMP"; exit 1; }
chmod 1777 "$RUN_TMP"        # like /tmp: the SSH/SLURM test user works in there too
export TMPDIR=$RUN_TMP

finish() {
  give_back_lease
  if [ -d "$RUN_TMP" ]; then
    if [ -n "$(ls -A "$RUN_TMP" 2>/dev/null)" ] && [ -z "${KEEP_TEST_PROJECTS:-}" ]; then
      say "FAILED: the run left files in its temporary folder (a suite that does not clean up?):"
      ls -A "$RUN_TMP" | head -n 20 | sed 's/^/[test]   /' >&2
      [ "${rc:-1}" = 0 ] && rc=1
    fi
    [ -n "${KEEP_TEST_PROJECTS:-}" ] || rm -rf "$RUN_TMP"
  fi
}
trap 'finish; exit "${rc:-1}"' EXIT
trap 'rc=130; exit 130' INT
trap 'rc=143; exit 143' TERM

if [ "${CRYSTAL_TUI_NO_INFRA:-}" = 1 ]; then
  say "CRYSTAL_TUI_NO_INFRA=1: not starting the SSH/SLURM daemons"
elif needs_infra "$@"; then
  may_start=0
  { [ "$(id -u)" = 0 ] || [ "$CI" = true ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; } && may_start=1
  lock
  take_lease
  bash scripts/infra-status.sh "$INFRA_DIR" 2>/dev/null; status=$?
  if [ $status = 0 ]; then
    say "reusing the test daemons already running ($INFRA_DIR)"
  elif [ $may_start = 1 ]; then
    # status 3 = some daemons up (started by hand): complete the set, but leave it up afterwards.
    # status 1 = none up: start from a clean slate (no SLURM jobs or state left from earlier runs),
    # and the last test run to leave stops them
    if [ $status = 1 ]; then
      as_root bash scripts/stop-test-infra.sh "$INFRA_DIR" --purge >/dev/null 2>&1 || true
      echo "$$" > "$LEASES/started-by-a-test-run"
    fi
    say "starting the test daemons (sshd + SLURM on 127.0.0.1) in $INFRA_DIR"
    # the daemons outlive this run: they must not take its TMPDIR, which the run removes at its end
    # (MariaDB then fails every query that needs a temporary table, and sacct answers nothing)
    if ! TMPDIR=$OUTER_TMP as_root bash scripts/start-test-infra.sh "$INFRA_DIR" >"$INFRA_DIR.start.log" 2>&1; then
      say "could not start the test daemons — see $INFRA_DIR.start.log"
      tail -n 30 "$INFRA_DIR.start.log" >&2
      if [ "$CI" = true ]; then unlock; rc=1; exit 1; fi
      say "continuing: the SSH and SLURM suites will be skipped"
    fi
  else
    say "not root: the SSH and SLURM suites will be skipped (start them with: sudo bash scripts/start-test-infra.sh)"
  fi
  unlock
fi

npx vitest run "$@"
rc=$?
exit $rc
