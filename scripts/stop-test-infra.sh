#!/usr/bin/env bash
# stop-test-infra.sh [STATE_DIR] [--purge]
#
# Stops crystal-tui's test infrastructure (see start-test-infra.sh), the set in STATE_DIR only.
# Stops only what start-test-infra.sh started, identified by the PID files in
# STATE_DIR (and checked against /proc/PID/exe so a recycled PID is never hit).
# Never kills by process name.  Order: cancel jobs -> leftover slurmstepd
# (found via their sockets in OUR spool dir) -> slurmd -> slurmctld ->
# slurmdbd -> mariadbd -> munged -> sshd (+ its sessions) -> anything still
# carrying the CRYSTAL_TUI_INFRA_ID=STATE_DIR environment marker set by the start script.
# --purge additionally deletes STATE_DIR.  Always exits 0 unless a process
# refused to die even after SIGKILL.
set -uo pipefail

DIR=${CRYSTAL_TUI_INFRA_DIR:-/tmp/crystal-tui-infra}; PURGE=0
for a in "$@"; do case "$a" in --purge) PURGE=1;; *) DIR=$a;; esac; done
[ -d "$DIR" ] || { echo "[stop-test-infra] $DIR does not exist, nothing to do" >&2; exit 0; }
DIR=$(cd "$DIR" && pwd)
S=$DIR/ssh M=$DIR/munge DB=$DIR/mysql SL=$DIR/slurm
export SLURM_CONF=$SL/slurm.conf
T0_MS=$(( $(date +%s%N) / 1000000 ))
log() { local d=$(( $(date +%s%N) / 1000000 - T0_MS )); printf '[stop-test-infra %d.%02ds] %s\n' $((d/1000)) $(((d%1000)/10)) "$*" >&2; }
FAILED=0

is_running() {   # PID: alive and not a zombie (PID 1 may reap late)
  local st
  [ -r "/proc/$1/stat" ] || return 1
  st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$st" ] && [ "$st" != Z ]
}
pid_from() {     # PIDFILE EXE -> echo PID if it is a live EXE process
  local f=$1 exe=$2 pid
  [ -s "$f" ] || return 1
  pid=$(tr -dc 0-9 < "$f"); [ -n "$pid" ] || return 1
  is_running "$pid" || return 1
  case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in "$(readlink -f "$exe")"*) echo "$pid"; return 0;; esac
  log "WARNING: $f names pid $pid which is not $exe - leaving it alone"
  return 1
}
terminate() {    # NAME PID...: SIGTERM, wait up to TERM_WAIT (10) s, then SIGKILL
  local name=$1; shift; local p alive
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null
  for _ in $(seq $(( ${TERM_WAIT:-10} * 10 ))); do
    alive=0; for p in "$@"; do is_running "$p" && alive=1; done
    [ $alive = 0 ] && { log "stopped $name ($*)"; return 0; }
    sleep 0.1
  done
  log "$name did not exit on SIGTERM, sending SIGKILL"
  kill -KILL "$@" 2>/dev/null; sleep 0.5
  for p in "$@"; do is_running "$p" && { log "ERROR: $name pid $p survived SIGKILL"; FAILED=1; }; done
  return 0
}
stop_pidfile() { # NAME PIDFILE EXE
  local pid
  if pid=$(pid_from "$2" "$3"); then terminate "$1" "$pid"; else log "$1 not running"; fi
  rm -f "$2"
}

# 0. optional extra hosts (scripts/infra.d/NAME.sh, started last by start-test-infra.sh): first,
#    newest first; each stops only what it started
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -s "$DIR/extra-hosts" ]; then
  for name in $(tac "$DIR/extra-hosts"); do
    if [ -f "$HERE/infra.d/$name.sh" ]; then
      bash "$HERE/infra.d/$name.sh" stop "$DIR" || { log "WARNING: extra host $name did not stop cleanly"; FAILED=1; }
    else
      log "WARNING: extra host $name was started, but scripts/infra.d/$name.sh is gone"
    fi
  done
  rm -f "$DIR/extra-hosts"
fi

# 1. cancel every job of this cluster while slurmctld is still there
if pid_from "$SL/slurmctld.pid" /usr/sbin/slurmctld >/dev/null 2>&1; then
  job_ids=$(timeout 10 squeue -h -o '%A' 2>/dev/null | tr '\n' ' ')
  if [ -n "${job_ids// /}" ]; then
    log "cancelling jobs: $job_ids"
    # shellcheck disable=SC2086
    timeout 10 scancel $job_ids 2>/dev/null
    for _ in $(seq 150); do
      [ -z "$(timeout 5 squeue -h -t R,CG,S -o '%A' 2>/dev/null)" ] && break; sleep 0.1
    done
  fi
fi

# 2. leftover slurmstepd: each listens on a unix socket in OUR spool dir;
#    kill it together with its whole session (= the job's processes)
stepd_pids=$(ss -xlpn 2>/dev/null | grep -F "$SL/spool/" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)
for p in $stepd_pids; do
  case "$(readlink "/proc/$p/exe" 2>/dev/null)" in /usr/sbin/slurmstepd*) ;; *) continue;; esac
  sid=$(ps -o sid= -p "$p" | tr -d ' ')
  members=$(ps -eo pid=,sid= | awk -v s="$sid" '$2==s {print $1}' | tr '\n' ' ')
  log "leftover slurmstepd $p (session $sid: $members)"
  # shellcheck disable=SC2086
  TERM_WAIT=1 terminate "job session $sid" $members     # slurmstepd itself ignores SIGTERM
done

# 3. daemons, reverse start order
for pf in "$SL"/slurmd.*.pid; do [ -e "$pf" ] && stop_pidfile slurmd "$pf" /usr/sbin/slurmd; done
stop_pidfile slurmctld "$SL/slurmctld.pid" /usr/sbin/slurmctld
stop_pidfile slurmdbd  "$SL/slurmdbd.pid"  /usr/sbin/slurmdbd
stop_pidfile mariadbd  "$DB/mysqld.pid"    /usr/sbin/mariadbd
stop_pidfile munged    "$M/munged.pid"     /usr/sbin/munged

# sshd: sessions survive the listener (and a non-tty session's command even survives its
# sshd child), so collect every descendant of OUR listener plus everything in the
# sessions those descendants created, before killing anything.
if spid=$(pid_from "$S/sshd.pid" /usr/sbin/sshd); then
  snapshot=$(ps -eo pid=,ppid=,sid=)
  desc=$(awk -v root="$spid" '{pp[$1]=$2} END {
           for (p in pp) { q=p; while (q in pp && q!=root && q>1) q=pp[q]; if (q==root && p!=root) print p } }' <<<"$snapshot")
  sids=$(for d in $desc; do awk -v p="$d" '$1==p {print $3}' <<<"$snapshot"; done | sort -u)
  victims=$( { echo "$desc"; for sd in $sids; do [ "$sd" = "$spid" ] || awk -v s="$sd" '$3==s {print $1}' <<<"$snapshot"; done; } \
             | grep -v "^$spid\$" | grep . | sort -un | tr '\n' ' ')
  # shellcheck disable=SC2086
  [ -n "${victims// /}" ] && terminate "ssh sessions" $victims
  terminate sshd "$spid"
else
  log "sshd not running"
fi
rm -f "$S/sshd.pid"

# 4. safety net: anything still carrying our environment marker (set by start-test-infra.sh
#    for all daemons, ssh sessions (SetEnv) and therefore jobs) - e.g. 'nohup x &' orphans.
marker="CRYSTAL_TUI_INFRA_ID=$DIR"
self=" "; p=$$
while [ "$p" -gt 1 ] 2>/dev/null; do self="$self$p "; p=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f2); p=${p:-0}; done
orphans=""
for f in $(grep -lzxF "$marker" /proc/[0-9]*/environ 2>/dev/null); do
  p=${f#/proc/}; p=${p%/environ}
  case "$self" in *" $p "*) continue;; esac
  is_running "$p" && orphans="$orphans $p"
done
# shellcheck disable=SC2086
[ -n "$orphans" ] && terminate "leftover processes marked $marker" $orphans

if [ $PURGE = 1 ]; then rm -rf "$DIR"; log "purged $DIR"; fi
exit $FAILED
