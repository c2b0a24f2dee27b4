#!/usr/bin/env bash
# start-remote-hosts.sh [STATE_DIR]
#
# The extra SSH test hosts of the OpenSSH transport's suites (issue 11), next to — never touching —
# the shared daemons of start-test-infra.sh. Everything lives under STATE_DIR (default
# $CRYSTAL_TUI_REMOTE_HOSTS_DIR or /tmp/ctui-remote-hosts); idempotent; must run as root.
#
#   root ns ──veth 10.231.1.0/24── ns ctui-tp-jump ──veth 10.231.2.0/24── ns ctui-tp-login
#             (.1)          (.2) sshd "jump"         (.1)          (.2)  sshd "login" :22
#                                                                        sshd "inner" 127.0.0.1:2202
#   The login host is reachable only through the jump host: no forwarding anywhere, and the root
#   namespace has `unreachable 10.231.0.0/16` (only the directly connected jump subnet is more
#   specific), so nothing for these addresses ever leaves the machine. "inner" (the login
#   namespace's own loopback) is the end of a two-hop chain: jump → login → inner.
#   SLURM from the login host: slurmctld's and slurmdbd's ports are forwarded into the login
#   namespace's loopback (socat through unix sockets in STATE_DIR; munge's socket is on the shared
#   filesystem), so sbatch/squeue/sacct there reach the shared single-node SLURM.
#
#   On 127.0.0.1 in the root namespace:
#     MFA_PORT (2241)      publickey,keyboard-interactive with pam_google_authenticator (TOTP)
#     CERT_PORT (2242)     TrustedUserCAKeys only (no authorized_keys): user certificates
#     MAXSESS_PORT (2243)  MaxSessions 1, MaxStartups 2:50:4
#
# All sshd's log at VERBOSE ("Connection from", "Accepted publickey", "Accepted
# keyboard-interactive/pam") so tests count connections and authentications. Prints KEY=VALUE
# lines, also written to STATE_DIR/remote-hosts.env. With CI=true nothing is optional.
set -euo pipefail

DIR=${1:-${CRYSTAL_TUI_REMOTE_HOSTS_DIR:-/tmp/ctui-remote-hosts}}
USER_NAME=${SSH_USER:-jmtest}
INFRA_DIR=${CRYSTAL_TUI_INFRA_DIR:-/tmp/crystal-tui-infra}
MFA_PORT=${MFA_PORT:-2241}
CERT_PORT=${CERT_PORT:-2242}
MAXSESS_PORT=${MAXSESS_PORT:-2243}
INNER_PORT=2202
NS_JUMP=ctui-tp-jump NS_LOGIN=ctui-tp-login
NET=10.231.0.0/16
ROOT_ADDR=10.231.1.1 JUMP_ADDR=10.231.1.2 JUMP_INNER_ADDR=10.231.2.1 LOGIN_ADDR=10.231.2.2
PAM_SERVICE=ctui-tp-mfa-sshd

log() { printf '[start-remote-hosts] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, sshd)"

need="/usr/sbin/sshd /usr/bin/ssh-keygen /usr/bin/socat /usr/bin/oathtool /usr/sbin/ip"
pam_mod=$(ls /lib/*/security/pam_google_authenticator.so /usr/lib/*/security/pam_google_authenticator.so 2>/dev/null | head -n1 || true)
missing=0; for b in $need; do [ -x "$b" ] || missing=1; done; [ -n "$pam_mod" ] || missing=1
if [ $missing = 1 ]; then
  log "installing openssh-server socat oathtool libpam-google-authenticator iproute2"
  (export DEBIAN_FRONTEND=noninteractive
   apt-get update -qq && apt-get install -y -qq --no-install-recommends \
     openssh-server openssh-client socat oathtool libpam-google-authenticator iproute2 >/dev/null) \
    || die "apt-get install failed"
  pam_mod=$(ls /lib/*/security/pam_google_authenticator.so /usr/lib/*/security/pam_google_authenticator.so 2>/dev/null | head -n1 || true)
  [ -n "$pam_mod" ] || die "pam_google_authenticator.so not found after install"
fi
id "$USER_NAME" >/dev/null 2>&1 || useradd -m -s /bin/bash -p '*' "$USER_NAME"

mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd); chmod 755 "$DIR"
K=$DIR/keys; mkdir -p "$K" "$DIR/run" "$DIR/log"; chmod 755 "$K" "$DIR/log"
export CRYSTAL_TUI_REMOTE_HOSTS_ID=$DIR   # marker inherited by every daemon we start (stop sweeps it)
unset CRYSTAL_TUI_INFRA_ID                # ours are not start-test-infra.sh's: its sweep must not take them

pid_alive() {   # PIDFILE: a live, non-zombie sshd/socat process
  local f=$1 pid st
  [ -s "$f" ] || return 1
  pid=$(tr -dc 0-9 < "$f"); [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  st=$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1); [ "$st" != Z ]
}
wait_port() {   # NS(or -) HOST PORT
  local ns=$1 host=$2 port=$3 i=0
  while [ $i -lt 100 ]; do
    if [ "$ns" = - ]; then timeout 1 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null && return 0
    else ip netns exec "$ns" timeout 1 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null && return 0; fi
    sleep 0.1; i=$((i+1))
  done
  return 1
}

wait_port_once() {   # NS(or -) HOST PORT: answers right now?
  if [ "$1" = - ]; then timeout 1 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null
  else ip netns exec "$1" timeout 1 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; fi
}

# ---------------------------------------------------------------- keys
hostkey() { [ -f "$K/$1_host" ] || ssh-keygen -q -t ed25519 -N '' -C "ctui-tp-$1" -f "$K/$1_host"; }
for h in jump login inner mfa cert maxsess; do hostkey $h; done
[ -f "$K/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C ctui-tp-client -f "$K/id_ed25519"
install -m 644 "$K/id_ed25519.pub" "$K/authorized_keys"
[ -f "$K/ca" ] || ssh-keygen -q -t ed25519 -N '' -C ctui-tp-user-ca -f "$K/ca"
for c in id_cert id_expired; do
  [ -f "$K/$c" ] || ssh-keygen -q -t ed25519 -N '' -C "ctui-tp-$c" -f "$K/$c"
done
# the valid certificate is re-signed on every start (a week's validity, never stale in CI)
ssh-keygen -q -s "$K/ca" -I ctui-tp-valid -n "$USER_NAME" -V -5m:+7d "$K/id_cert.pub"
ssh-keygen -q -s "$K/ca" -I ctui-tp-expired -n "$USER_NAME" -V 20200101:20200102 "$K/id_expired.pub"
chmod 600 "$K"/id_* "$K/ca"; chmod 644 "$K"/*.pub
kh() { echo "$1 $(cut -d' ' -f1,2 "$K/$2_host.pub")"; }
{ kh "$JUMP_ADDR" jump; kh "$LOGIN_ADDR" login; kh "[127.0.0.1]:$INNER_PORT" inner
  kh "[127.0.0.1]:$MFA_PORT" mfa; kh "[127.0.0.1]:$CERT_PORT" cert; kh "[127.0.0.1]:$MAXSESS_PORT" maxsess
} > "$K/known_hosts"

# TOTP secret of the test user (pam_google_authenticator reads it as that user: owned, 0400)
if [ ! -s "$K/totp.secret" ]; then
  head -c 20 /dev/urandom | base32 | tr -d '=\n' > "$K/totp.secret"
fi
SECRET=$(cat "$K/totp.secret")
GA=$DIR/mfa-state; mkdir -p "$GA"; chmod 755 "$GA"
printf '%s\n" TOTP_AUTH\n" WINDOW_SIZE 3\n' "$SECRET" > "$GA/$USER_NAME.ga"
chown "$USER_NAME" "$GA/$USER_NAME.ga"; chmod 400 "$GA/$USER_NAME.ga"
chmod 644 "$K/totp.secret"
cat > /etc/pam.d/$PAM_SERVICE <<EOF
# crystal-tui test host (scripts/start-remote-hosts.sh): TOTP for the MFA sshd only
auth     required  $pam_mod secret=$GA/\${USER}.ga
account  required  pam_permit.so
session  required  pam_permit.so
EOF
# PAM names the service after the program: sshd run through this link asks /etc/pam.d/$PAM_SERVICE
ln -sfn /usr/sbin/sshd "$DIR/run/$PAM_SERVICE"

slurm_env=""
[ -f "$INFRA_DIR/slurm/slurm.conf" ] && slurm_env="SetEnv SLURM_CONF=$INFRA_DIR/slurm/slurm.conf"
# checked before any sshd starts: hosts started without SLURM would be taken as up by the next run,
# whose SLURM suites would then fail on a login host that has no SLURM_CONF
if [ -z "$slurm_env" ] && [ "${CI:-}" = true ]; then
  die "CI=true: the shared SLURM ($INFRA_DIR) must be up before the remote hosts (start-test-infra.sh)"
fi
sshd_conf() {   # NAME LISTEN PORT EXTRA...
  local name=$1 listen=$2 port=$3; shift 3
  cat > "$DIR/run/$name.conf" <<EOF
Port $port
ListenAddress $listen
HostKey $K/${name}_host
PidFile $DIR/run/$name.pid
PubkeyAuthentication yes
PasswordAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UseDNS no
PrintMotd no
LogLevel VERBOSE
Subsystem sftp /usr/lib/openssh/sftp-server
$(printf '%s\n' "$@")
EOF
}
start_sshd() {  # NAME NS(or -) HOST PORT [PROGRAM]
  local name=$1 ns=$2 host=$3 port=$4 prog=${5:-/usr/sbin/sshd}
  if pid_alive "$DIR/run/$name.pid"; then
    log "sshd $name already running"
    # started with another config (e.g. before the shared SLURM was up): sshd re-reads it on SIGHUP
    if ! cmp -s "$DIR/run/$name.conf" "$DIR/run/$name.conf.started"; then
      /usr/sbin/sshd -t -f "$DIR/run/$name.conf" || die "sshd $name: bad config"
      kill -HUP "$(cat "$DIR/run/$name.pid")"; sleep 0.5
      cp "$DIR/run/$name.conf" "$DIR/run/$name.conf.started"
      log "sshd $name: config changed, reloaded"
    fi
  elif wait_port_once "$ns" "$host" "$port"; then die "$host:$port is taken by a process that is not ours (stale? see ss -ltnp)"
  else
    /usr/sbin/sshd -t -f "$DIR/run/$name.conf" || die "sshd $name: bad config"
    if [ "$ns" = - ]; then "$prog" -f "$DIR/run/$name.conf" -E "$DIR/log/$name.log"
    else ip netns exec "$ns" "$prog" -f "$DIR/run/$name.conf" -E "$DIR/log/$name.log"; fi
    cp "$DIR/run/$name.conf" "$DIR/run/$name.conf.started"
  fi
  wait_port "$ns" "$host" "$port" || die "sshd $name does not answer on $host:$port"
  log "sshd $name on $host:$port"
}

# ---------------------------------------------------------------- namespaces
ns_exists() { ip netns list | grep -qw "$1"; }
ns_exists $NS_JUMP || ip netns add $NS_JUMP
ns_exists $NS_LOGIN || ip netns add $NS_LOGIN
ip -n $NS_JUMP link set lo up; ip -n $NS_LOGIN link set lo up
if ! ip link show ctp-r0 >/dev/null 2>&1; then
  ip link add ctp-r0 type veth peer name ctp-j0 netns $NS_JUMP
  ip addr add $ROOT_ADDR/24 dev ctp-r0
  ip -n $NS_JUMP addr add $JUMP_ADDR/24 dev ctp-j0
fi
ip link set ctp-r0 up; ip -n $NS_JUMP link set ctp-j0 up
if ! ip -n $NS_JUMP link show ctp-j1 >/dev/null 2>&1; then
  ip -n $NS_JUMP link add ctp-j1 type veth peer name ctp-l1 netns $NS_LOGIN
  ip -n $NS_JUMP addr add $JUMP_INNER_ADDR/24 dev ctp-j1
  ip -n $NS_LOGIN addr add $LOGIN_ADDR/24 dev ctp-l1
fi
ip -n $NS_JUMP link set ctp-j1 up; ip -n $NS_LOGIN link set ctp-l1 up
# nothing for 10.231/16 leaves the root namespace: only the connected jump subnet is reachable
ip route show type unreachable | grep -q "^unreachable $NET" || ip route add unreachable $NET
# no forwarding inside the jump namespace: the login subnet is reached only by sshd's own -W
ip netns exec $NS_JUMP sysctl -q -w net.ipv4.ip_forward=0

# ---------------------------------------------------------------- sshd's
common="AuthorizedKeysFile $K/authorized_keys"
sshd_conf jump "$JUMP_ADDR" 22 "$common" "UsePAM no" "KbdInteractiveAuthentication no" "AllowTcpForwarding yes" "MaxStartups 50:30:100"
sshd_conf login "$LOGIN_ADDR" 22 "$common" "UsePAM no" "KbdInteractiveAuthentication no" "AllowTcpForwarding yes" "MaxSessions 50" "MaxStartups 50:30:100" "$slurm_env"
sshd_conf inner 127.0.0.1 $INNER_PORT "$common" "UsePAM no" "KbdInteractiveAuthentication no" "MaxSessions 50" "MaxStartups 50:30:100"
sshd_conf mfa 127.0.0.1 "$MFA_PORT" "$common" "UsePAM yes" "KbdInteractiveAuthentication yes" \
  "AuthenticationMethods publickey,keyboard-interactive" "MaxSessions 50" "MaxStartups 50:30:100" "$slurm_env"
sshd_conf cert 127.0.0.1 "$CERT_PORT" "AuthorizedKeysFile none" "TrustedUserCAKeys $K/ca.pub" "UsePAM no" \
  "KbdInteractiveAuthentication no" "MaxSessions 50"
sshd_conf maxsess 127.0.0.1 "$MAXSESS_PORT" "$common" "UsePAM no" "KbdInteractiveAuthentication no" \
  "MaxSessions 1" "MaxStartups 2:50:4"
mkdir -p -m 0755 /run/sshd
start_sshd jump $NS_JUMP "$JUMP_ADDR" 22
start_sshd login $NS_LOGIN "$LOGIN_ADDR" 22
start_sshd inner $NS_LOGIN 127.0.0.1 $INNER_PORT
start_sshd mfa - 127.0.0.1 "$MFA_PORT" "$DIR/run/$PAM_SERVICE"
start_sshd cert - 127.0.0.1 "$CERT_PORT"
start_sshd maxsess - 127.0.0.1 "$MAXSESS_PORT"

# ---------------------------------------------------------------- SLURM from the login host
SLURM_VIA_LOGIN=0
if [ -n "$slurm_env" ]; then
  # nodelay on both TCP ends: a relay of its own must not hold SLURM's small messages for Nagle's
  # wait (a login node talks to slurmctld directly; the relay made sbatch 25 or 60 ms at random)
  for port in $(sed -n 's/^\(SlurmctldPort\|AccountingStoragePort\)=\([0-9]*\)$/\2/p' "$INFRA_DIR/slurm/slurm.conf"); do
    s=$DIR/run/slurm-$port.sock
    if ! pid_alive "$DIR/run/fwd-root-$port.pid"; then
      rm -f "$s"
      setsid -f bash -c "echo \$\$ > '$DIR/run/fwd-root-$port.pid'; exec socat -d -lf '$DIR/log/fwd-root-$port.log' UNIX-LISTEN:'$s',fork,mode=600,backlog=128 TCP:127.0.0.1:$port,nodelay" </dev/null >/dev/null 2>&1
    fi
    if ! pid_alive "$DIR/run/fwd-login-$port.pid"; then
      setsid -f ip netns exec $NS_LOGIN bash -c "echo \$\$ > '$DIR/run/fwd-login-$port.pid'; exec socat -d -lf '$DIR/log/fwd-login-$port.log' TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr,backlog=128,nodelay UNIX-CONNECT:'$s'" </dev/null >/dev/null 2>&1
    fi
    wait_port $NS_LOGIN 127.0.0.1 "$port" || die "SLURM port $port not forwarded into $NS_LOGIN"
  done
  SLURM_VIA_LOGIN=1
  log "SLURM ports forwarded into $NS_LOGIN"
elif [ "${CI:-}" = true ]; then
  die "CI=true: the shared SLURM ($INFRA_DIR) must be up before the remote hosts (start-test-infra.sh)"
fi

# ---------------------------------------------------------------- proofs
# the login host answers through the jump host, and not directly
BASE="-F /dev/null -i $K/id_ed25519 -o IdentitiesOnly=yes -o UserKnownHostsFile=$K/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5"
# shellcheck disable=SC2086
if timeout 10 ssh $BASE "$USER_NAME@$LOGIN_ADDR" true 2>/dev/null; then die "the login host is reachable directly"; fi
# shellcheck disable=SC2086
timeout 20 ssh $BASE -o "ProxyCommand=ssh $BASE -W %h:%p $USER_NAME@$JUMP_ADDR" "$USER_NAME@$LOGIN_ADDR" true \
  || die "the login host is not reachable through the jump host"

cat > "$DIR/remote-hosts.env" <<EOF
RH_DIR=$DIR
RH_USER=$USER_NAME
RH_KEY=$K/id_ed25519
RH_KNOWN_HOSTS=$K/known_hosts
RH_HOST_KEYS=$K
JUMP_ADDR=$JUMP_ADDR
LOGIN_ADDR=$LOGIN_ADDR
INNER_PORT=$INNER_PORT
NS_JUMP=$NS_JUMP
NS_LOGIN=$NS_LOGIN
MFA_PORT=$MFA_PORT
MFA_SECRET_FILE=$K/totp.secret
CERT_PORT=$CERT_PORT
CERT_KEY=$K/id_cert
EXPIRED_CERT_KEY=$K/id_expired
MAXSESS_PORT=$MAXSESS_PORT
LOG_DIR=$DIR/log
SLURM_VIA_LOGIN=$SLURM_VIA_LOGIN
EOF
cat "$DIR/remote-hosts.env"
log "all ready"
