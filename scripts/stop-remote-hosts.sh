#!/usr/bin/env bash
# stop-remote-hosts.sh [STATE_DIR] [--purge]
#
# Stops what start-remote-hosts.sh started, and only that: the sshd's and forwarders named by the
# PID files in STATE_DIR (checked against /proc: their command line names STATE_DIR) with their open
# sessions, then whatever still runs inside the two network namespaces, then the namespaces,
# the veth pair, the root namespace's unreachable route and the PAM service file. Never kills by
# name; never touches start-test-infra.sh's daemons. --purge also deletes STATE_DIR.
set -uo pipefail
DIR=${CRYSTAL_TUI_REMOTE_HOSTS_DIR:-/tmp/ctui-remote-hosts}; PURGE=0
for a in "$@"; do case "$a" in --purge) PURGE=1;; *) DIR=$a;; esac; done
NS_JUMP=ctui-tp-jump NS_LOGIN=ctui-tp-login NET=10.231.0.0/16 PAM_SERVICE=ctui-tp-mfa-sshd
log() { printf '[stop-remote-hosts] %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }

# sshd clears its environment, so ours are known by their command line (naming STATE_DIR/run/)
ours() { tr '\0' ' ' 2>/dev/null < "/proc/$1/cmdline" | grep -qF "$DIR/run/"; }
children() { for s in /proc/[0-9]*/stat; do sed 's/^.*) //' "$s" 2>/dev/null | awk -v p="$1" -v f="$s" '$2 == p { split(f, a, "/"); print a[3] }'; done; }
if [ -d "$DIR" ]; then
  DIR=$(cd "$DIR" && pwd)
  for f in "$DIR"/run/*.pid; do
    [ -s "$f" ] || continue
    pid=$(tr -dc 0-9 < "$f")
    if [ -n "$pid" ] && ours "$pid"; then
      for c in $(children "$pid"); do kill -TERM "$c" 2>/dev/null; done   # open sessions
      kill -TERM "$pid" 2>/dev/null
    fi
    rm -f "$f"
  done
fi
# whatever still runs inside our own namespaces is ours (sessions, forwarders)
for ns in $NS_LOGIN $NS_JUMP; do
  if ip netns list | grep -qw "$ns"; then
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
  fi
done
sleep 0.3
for ns in $NS_LOGIN $NS_JUMP; do
  if ip netns list | grep -qw "$ns"; then
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  fi
done
ip netns list | grep -qw $NS_LOGIN && ip netns del $NS_LOGIN
ip netns list | grep -qw $NS_JUMP && ip netns del $NS_JUMP
ip link show ctp-r0 >/dev/null 2>&1 && ip link del ctp-r0
ip route show type unreachable | grep -q "^unreachable $NET" && ip route del unreachable $NET
rm -f /etc/pam.d/$PAM_SERVICE
[ $PURGE = 1 ] && [ -d "$DIR" ] && rm -rf "$DIR"
log "stopped"
exit 0
