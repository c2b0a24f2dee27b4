#!/usr/bin/env bash
# stop-remote-hosts.sh [STATE_DIR] [--purge]
#
# Stops what start-remote-hosts.sh started, and only that: the sshd's and forwarders named by the
# PID files in STATE_DIR (checked against /proc), then any process still carrying the
# CRYSTAL_TUI_REMOTE_HOSTS_ID=STATE_DIR marker (their sessions), then the two network namespaces,
# the veth pair, the root namespace's unreachable route and the PAM service file. Never kills by
# name; never touches start-test-infra.sh's daemons. --purge also deletes STATE_DIR.
set -uo pipefail
DIR=${CRYSTAL_TUI_REMOTE_HOSTS_DIR:-/tmp/ctui-remote-hosts}; PURGE=0
for a in "$@"; do case "$a" in --purge) PURGE=1;; *) DIR=$a;; esac; done
NS_JUMP=ctui-tp-jump NS_LOGIN=ctui-tp-login NET=10.231.0.0/16 PAM_SERVICE=ctui-tp-mfa-sshd
log() { printf '[stop-remote-hosts] %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }

if [ -d "$DIR" ]; then
  DIR=$(cd "$DIR" && pwd)
  for f in "$DIR"/run/*.pid; do
    [ -s "$f" ] || continue
    pid=$(tr -dc 0-9 < "$f")
    if [ -n "$pid" ] && tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "CRYSTAL_TUI_REMOTE_HOSTS_ID=$DIR"; then
      kill -TERM "$pid" 2>/dev/null
    fi
    rm -f "$f"
  done
  sleep 0.3
  # sessions and forks of those daemons carry the marker
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = $$ ] && continue
    if tr '\0' '\n' < "$p/environ" 2>/dev/null | grep -qx "CRYSTAL_TUI_REMOTE_HOSTS_ID=$DIR"; then
      kill -KILL "$pid" 2>/dev/null
    fi
  done
fi
ip netns list | grep -qw $NS_LOGIN && ip netns del $NS_LOGIN
ip netns list | grep -qw $NS_JUMP && ip netns del $NS_JUMP
ip link show ctp-r0 >/dev/null 2>&1 && ip link del ctp-r0
ip route show type unreachable | grep -q "^unreachable $NET" && ip route del unreachable $NET
rm -f /etc/pam.d/$PAM_SERVICE
[ $PURGE = 1 ] && [ -d "$DIR" ] && rm -rf "$DIR"
log "stopped"
exit 0
