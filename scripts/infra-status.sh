#!/usr/bin/env bash
# infra-status.sh [STATE_DIR]
#
# Whether crystal-tui's test infrastructure (start-test-infra.sh) is up: exits 0 when
# STATE_DIR/infra.env exists and every daemon it started is alive (PID file checked
# against /proc/PID/exe), 1 when none is, 3 when only some are.  Prints one line per
# daemon on stderr.  Reads only: changes nothing, needs no root.
set -uo pipefail
DIR=${1:-${CRYSTAL_TUI_INFRA_DIR:-/tmp/crystal-tui-infra}}
S=$DIR/ssh M=$DIR/munge DB=$DIR/mysql SL=$DIR/slurm

alive() {   # PIDFILE EXE
  local f=$1 exe=$2 pid st
  [ -s "$f" ] || return 1
  pid=$(tr -dc 0-9 < "$f"); [ -n "$pid" ] || return 1
  [ -r "/proc/$pid/stat" ] || return 1
  st=$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1); [ "$st" != Z ] || return 1
  case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in "$(readlink -f "$exe")"*) return 0;; esac
  return 1
}

[ -f "$DIR/infra.env" ] || { echo "[infra-status] $DIR/infra.env missing: not started" >&2; exit 1; }
accounting=$(sed -n 's/^SLURM_ACCOUNTING=//p' "$DIR/infra.env")
checks="sshd:$S/sshd.pid:/usr/sbin/sshd munged:$M/munged.pid:/usr/sbin/munged slurmctld:$SL/slurmctld.pid:/usr/sbin/slurmctld"
for pf in "$SL"/slurmd.*.pid; do checks="$checks slurmd:$pf:/usr/sbin/slurmd"; done
[ "$accounting" = dbd ] && checks="$checks mariadbd:$DB/mysqld.pid:/usr/sbin/mariadbd slurmdbd:$SL/slurmdbd.pid:/usr/sbin/slurmdbd"
up=0 down=0
for c in $checks; do
  IFS=: read -r name pidfile exe <<<"$c"
  if alive "$pidfile" "$exe"; then up=$((up + 1)); echo "[infra-status] $name up" >&2
  else down=$((down + 1)); echo "[infra-status] $name DOWN" >&2; fi
done
[ $down = 0 ] && exit 0
[ $up = 0 ] && exit 1
exit 3
