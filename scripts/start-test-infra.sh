#!/usr/bin/env bash
# start-test-infra.sh [STATE_DIR]
#
# crystal-tui's test infrastructure: brings up, on loopback only, a throw-away
# OpenSSH server and a single-node SLURM cluster (munged + slurmctld + slurmd
# [+ MariaDB + slurmdbd]) for the SSH and SLURM integration suites (scripts/test.sh
# calls this when needed).  All state, configs, keys, logs and PID files live under
# STATE_DIR (default: $CRYSTAL_TUI_INFRA_DIR or /tmp/crystal-tui-infra).  Idempotent: daemons
# that are already running (PID file + matching /proc/PID/exe) are left alone.
# Must run as root (slurmd has to switch to the job user).  No systemd needed.
#
# On success prints KEY=VALUE lines (also written to STATE_DIR/infra.env) and
# exits 0 once sshd answers, the node is idle and a job submitted THROUGH ssh
# has completed.  Diagnostics go to stderr.
#
# Two independent sets can run side by side (two state folders): everything a set uses is under its
# STATE_DIR (sockets, PID files, munge key, MariaDB data, SLURM state and spool) except its TCP
# ports, its SLURM node and cluster names — give the second set other ones (e.g. every port +100).
# The first start of a folder records its settings in STATE_DIR/settings.env and later starts of
# that folder reuse them, so a restart never drifts onto another set's ports; a port already taken
# by anything but this set's own daemon is refused before anything starts.
#
# Tunables (environment; defaults from STATE_DIR/settings.env when it exists):
#   SSH_PORT=2222  SSH_USER=jmtest (created if missing; "root" also works)
#   CLIENT_USER=root    local user that should own the client key files
#   SLURM_ACCOUNTING=dbd|none   dbd: MariaDB+slurmdbd, full sacct (default)
#                               none: no DB; sacct -c via jobcomp/filetxt only
#   SLURM_CPUS=max(8, nproc) (more than nproc => SlurmdParameters=config_overrides): the test suites
#              run side by side and their stand-in jobs need almost no CPU, so a node that admits only
#              nproc jobs would make one suite's jobs queue behind another's (the walltime test holds a
#              CPU for a minute) and time out for no reason of their own
#   SLURM_NODE_NAME=$(hostname -s)  SLURM_CLUSTER_NAME=testcluster
#   SLURMCTLD_PORT=6817 SLURMD_PORT=6818 SLURMDBD_PORT=6819 DB_PORT=3307
#   INSTALL_PACKAGES=1  apt-get install whatever is missing
#   SMOKE_TEST=1        final check: sbatch via ssh, poll until COMPLETED
#   EXTRA_HOSTS=all     optional extra test hosts (scripts/infra.d/NAME.sh, see README there): all,
#                       none, or a list of NAMEs; each is started after the daemons above and its
#                       KEY=VALUE lines are added to infra.env
set -euo pipefail

T0_MS=$(( $(date +%s%N) / 1000000 ))
elapsed() { local d=$(( $(date +%s%N) / 1000000 - T0_MS )); printf '%d.%02d' $((d / 1000)) $(( (d % 1000) / 10 )); }
DIR=${1:-${CRYSTAL_TUI_INFRA_DIR:-/tmp/crystal-tui-infra}}
HERE=$(cd "$(dirname "$0")" && pwd)
# this folder's own settings, from its first start (the environment still wins)
if [ -f "$DIR/settings.env" ]; then
  while IFS='=' read -r k v; do
    case "$k" in SSH_PORT|SSH_USER|SLURM_NODE_NAME|SLURM_CLUSTER_NAME|SLURMCTLD_PORT|SLURMD_PORT|SLURMDBD_PORT|DB_PORT|SLURM_ACCOUNTING)
      [ -n "${!k:-}" ] || printf -v "$k" '%s' "$v";; esac
  done < "$DIR/settings.env"
fi
SSH_PORT=${SSH_PORT:-2222}
SSH_USER=${SSH_USER:-jmtest}
CLIENT_USER=${CLIENT_USER:-root}
SLURM_ACCOUNTING=${SLURM_ACCOUNTING:-dbd}
SLURM_NODE_NAME=${SLURM_NODE_NAME:-$(hostname -s)}
SLURM_CPUS=${SLURM_CPUS:-$(( $(nproc) < 8 ? 8 : $(nproc) ))}
SLURMCTLD_PORT=${SLURMCTLD_PORT:-6817}
SLURMD_PORT=${SLURMD_PORT:-6818}
SLURMDBD_PORT=${SLURMDBD_PORT:-6819}
DB_PORT=${DB_PORT:-3307}
INSTALL_PACKAGES=${INSTALL_PACKAGES:-1}
SMOKE_TEST=${SMOKE_TEST:-1}
EXTRA_HOSTS=${EXTRA_HOSTS:-all}
CLUSTER=${SLURM_CLUSTER_NAME:-testcluster}

log() { printf '[start-test-infra %6ss] %s\n' "$(elapsed)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
case "$SLURM_ACCOUNTING" in dbd|none) ;; *) die "SLURM_ACCOUNTING must be dbd or none";; esac

# ---------------------------------------------------------------- packages
PKGS="openssh-server openssh-client munge slurmctld slurmd slurm-client iproute2"
NEED_BINS="/usr/sbin/sshd /usr/bin/ssh /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sbatch /usr/bin/ss"
if [ "$SLURM_ACCOUNTING" = dbd ]; then
  PKGS="$PKGS slurmdbd mariadb-server"
  NEED_BINS="$NEED_BINS /usr/sbin/slurmdbd /usr/sbin/mariadbd /usr/bin/mariadb-install-db"
fi
missing=0; for b in $NEED_BINS; do [ -x "$b" ] || missing=1; done
if [ $missing = 1 ]; then
  [ "$INSTALL_PACKAGES" = 1 ] || die "missing binaries; apt-get install $PKGS"
  log "installing: $PKGS"
  # keep Debian maintainer scripts from starting system-wide daemons
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made_policy=1
  fi
  (export DEBIAN_FRONTEND=noninteractive
   apt-get update -qq && apt-get install -y -qq --no-install-recommends $PKGS >/dev/null) \
    || { [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
  [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  log "packages installed"
fi

mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd); chmod 755 "$DIR"
cat > "$DIR/settings.env" <<EOF
SSH_PORT=$SSH_PORT
SSH_USER=$SSH_USER
SLURM_ACCOUNTING=$SLURM_ACCOUNTING
SLURM_NODE_NAME=$SLURM_NODE_NAME
SLURM_CLUSTER_NAME=$CLUSTER
SLURMCTLD_PORT=$SLURMCTLD_PORT
SLURMD_PORT=$SLURMD_PORT
SLURMDBD_PORT=$SLURMDBD_PORT
DB_PORT=$DB_PORT
EOF
S=$DIR/ssh M=$DIR/munge DB=$DIR/mysql SL=$DIR/slurm
mkdir -p "$S" "$M" "$SL/state" "$SL/spool" "$SL/log"
chmod 755 "$S" "$SL" "$SL/log"; chmod 711 "$M"     # munged insists on o+x for the socket dir
export SLURM_CONF=$SL/slurm.conf
# marker inherited by every daemon, ssh session and job we start; stop-test-infra.sh
# uses it (via /proc/PID/environ) to sweep up orphans such as 'nohup cmd &' from ssh sessions
export CRYSTAL_TUI_INFRA_ID=$DIR

# ---------------------------------------------------------------- helpers
# pid_alive PIDFILE EXE: true if PIDFILE names a live, non-zombie process running EXE
pid_alive() {
  local f=$1 exe=$2 pid st
  [ -s "$f" ] || return 1
  pid=$(tr -dc 0-9 < "$f"); [ -n "$pid" ] || return 1
  [ -r "/proc/$pid/stat" ] || return 1
  st=$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1); [ "$st" != Z ] || return 1
  case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in "$(readlink -f "$exe")"*) return 0;; esac
  return 1
}
# wait_for SECONDS DESCRIPTION CMD...: poll CMD every 0.1 s
# If GUARD="PIDFILE EXE" is set, give up early once that daemon has died.
wait_for() {
  local t=$1 what=$2; shift 2
  local start; start=$(date +%s); local end=$(( start + t ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    if [ -n "${GUARD:-}" ]; then
      local gf=${GUARD% *} ge=${GUARD#* }
      if [ -s "$gf" ] || [ $(( $(date +%s) - start )) -ge 5 ]; then
        pid_alive "$gf" "$ge" || { log "$what: daemon died (see log below)"; return 1; }
      fi
    fi
    sleep 0.1
  done
  log "$what ready"
}
show_logs() {
  for f in "$S/sshd.log" "$M/munged.log" "$DB/mysqld.err" "$SL"/log/*.log; do
    [ -f "$f" ] && { echo "==== $f" >&2; tail -n 15 "$f" >&2; }
  done
  return 0
}
trap 'rc=$?; [ $rc = 0 ] || { log "FAILED (rc=$rc)"; show_logs; }' EXIT

# ---------------------------------------------------------------- socket paths
# Unix socket paths have at most 108 bytes; slurmd makes one per job step in its spool folder
longest="$SL/spool/slurmd.$SLURM_NODE_NAME/${SLURM_NODE_NAME}_99999999.4294967291"
[ ${#longest} -lt 108 ] || die "the state folder $DIR is too deep: SLURM's job sockets there would have ${#longest} bytes, more than the 108 a Unix socket path may have — use a shorter STATE_DIR"

# ---------------------------------------------------------------- ports
# A port may be held only by this set's own daemon: anything else there (another set, a system
# daemon) would answer in its place. Checked for every port before anything starts.
port_holders() { { ss -ltnpH "sport = :$1" 2>/dev/null || true; } | { grep -o 'pid=[0-9]*' || true; } | cut -d= -f2 | sort -u; }
check_port() { # PORT PIDFILE WHAT
  local holders own=""; holders=$(port_holders "$1")
  [ -n "$holders" ] || return 0
  [ -s "$2" ] && own=$(tr -dc 0-9 < "$2")
  # the daemon itself or a child of it (sshd, mariadbd) holds it
  for h in $holders; do
    [ -n "$own" ] && { [ "$h" = "$own" ] || [ "$(ps -o ppid= -p "$h" 2>/dev/null | tr -d ' ')" = "$own" ]; } && continue
    die "port $1 ($3) is taken by pid $h ($(readlink "/proc/$h/exe" 2>/dev/null || echo '?')), not by this set in $DIR — another test-infra set? give this one other ports (SSH_PORT, SLURMCTLD_PORT, SLURMD_PORT, SLURMDBD_PORT, DB_PORT)"
  done
}
check_port "$SSH_PORT" "$DIR/ssh/sshd.pid" sshd
check_port "$SLURMCTLD_PORT" "$DIR/slurm/slurmctld.pid" slurmctld
check_port "$SLURMD_PORT" "$DIR/slurm/slurmd.$SLURM_NODE_NAME.pid" slurmd
if [ "$SLURM_ACCOUNTING" = dbd ]; then
  check_port "$SLURMDBD_PORT" "$DIR/slurm/slurmdbd.pid" slurmdbd
  check_port "$DB_PORT" "$DIR/mysql/mysqld.pid" mariadbd
fi

# ---------------------------------------------------------------- test user
if [ "$SSH_USER" != root ] && ! id "$SSH_USER" >/dev/null 2>&1; then
  # '*' instead of the default '!' : sshd without PAM refuses "locked" accounts
  useradd -m -s /bin/bash -p '*' "$SSH_USER"
  log "created user $SSH_USER"
fi
id "$SSH_USER" >/dev/null 2>&1 || die "user $SSH_USER does not exist"
if getent shadow "$SSH_USER" | cut -d: -f2 | grep -q '^!'; then
  log "WARNING: $SSH_USER has a locked password ('!'); sshd (UsePAM no) will refuse it: usermod -p '*' $SSH_USER"
fi

# ---------------------------------------------------------------- sshd
[ -f "$S/host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C test-infra-host -f "$S/host_ed25519_key"
[ -f "$S/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C test-infra-client -f "$S/id_ed25519"
install -m 644 "$S/id_ed25519.pub" "$S/authorized_keys"      # read by sshd *as the login user*
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$S/host_ed25519_key.pub")" > "$S/known_hosts"
chown "$CLIENT_USER" "$S/id_ed25519" "$S/id_ed25519.pub" "$S/known_hosts"
cat > "$S/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $S/host_ed25519_key
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
# the key file lives under /tmp (world-writable parent) -> StrictModes would reject it
StrictModes no
UsePAM no
UseDNS no
PrintMotd no
MaxStartups 100:30:200
MaxSessions 50
# non-default slurm.conf location is injected into every ssh session
SetEnv SLURM_CONF=$SL/slurm.conf CRYSTAL_TUI_INFRA_ID=$DIR
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
SSH_OPTS="-F /dev/null -p $SSH_PORT -i $S/id_ed25519 -o UserKnownHostsFile=$S/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=5"
mkdir -p -m 0755 /run/sshd          # compiled-in privilege-separation dir, must exist
if pid_alive "$S/sshd.pid" /usr/sbin/sshd; then
  log "sshd already running (pid $(cat "$S/sshd.pid"))"
else
  /usr/sbin/sshd -t -f "$S/sshd_config"
  /usr/sbin/sshd -f "$S/sshd_config" -E "$S/sshd.log"   # absolute path required (re-exec)
fi
# shellcheck disable=SC2086
wait_for 20 "sshd on 127.0.0.1:$SSH_PORT" ssh $SSH_OPTS "$SSH_USER@127.0.0.1" true || die "sshd not reachable"

# ---------------------------------------------------------------- munged
if [ ! -s "$M/munge.key" ]; then
  dd if=/dev/urandom of="$M/munge.key" bs=1024 count=1 status=none
fi
chmod 600 "$M/munge.key"
if pid_alive "$M/munged.pid" /usr/sbin/munged; then
  log "munged already running (pid $(cat "$M/munged.pid"))"
else
  rm -f "$M/munge.sock" "$M/munge.sock.lock"
  /usr/sbin/munged --socket="$M/munge.sock" --key-file="$M/munge.key" --pid-file="$M/munged.pid" \
                   --log-file="$M/munged.log" --seed-file="$M/munged.seed" --num-threads=4
fi
munge_ok() { munge -n --socket="$M/munge.sock" | unmunge --socket="$M/munge.sock"; }
wait_for 10 "munged" munge_ok || die "munged not working"

# ---------------------------------------------------------------- MariaDB (dbd mode)
DB_USER=slurm DB_PASS=slurmtestpw
if [ "$SLURM_ACCOUNTING" = dbd ]; then
  mkdir -p "$DB"
  if [ ! -d "$DB/data/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$DB/data" --user=root \
      --auth-root-authentication-method=normal --skip-test-db > "$DB/install.log" 2>&1 \
      || { cat "$DB/install.log" >&2; die "mariadb-install-db failed"; }
    log "MariaDB data dir initialised"
  fi
  if pid_alive "$DB/mysqld.pid" /usr/sbin/mariadbd; then
    log "mariadbd already running (pid $(cat "$DB/mysqld.pid"))"
  else
    setsid -f /usr/sbin/mariadbd --no-defaults --datadir="$DB/data" --socket="$DB/mysqld.sock" \
      --port="$DB_PORT" --bind-address=127.0.0.1 --pid-file="$DB/mysqld.pid" \
      --log-error="$DB/mysqld.err" --user=root --skip-name-resolve \
      --innodb-buffer-pool-size=64M --innodb-log-file-size=16M --innodb-lock-wait-timeout=900 \
      </dev/null >/dev/null 2>&1
  fi
  GUARD="$DB/mysqld.pid /usr/sbin/mariadbd" wait_for 60 "mariadbd on 127.0.0.1:$DB_PORT" mariadb-admin --no-defaults --socket="$DB/mysqld.sock" -uroot ping \
    || die "mariadbd did not come up"
  mariadb --no-defaults --socket="$DB/mysqld.sock" -uroot -e \
    "CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
     GRANT ALL ON slurm_acct_db.* TO '$DB_USER'@'127.0.0.1'; FLUSH PRIVILEGES;"
fi

# ---------------------------------------------------------------- slurm.conf
MEM=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p'); MEM=${MEM:-1000}
OVERRIDES=""; [ "$SLURM_CPUS" -gt "$(nproc)" ] && OVERRIDES="SlurmdParameters=config_overrides"
if [ "$SLURM_ACCOUNTING" = dbd ]; then
  ACCT="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$SLURMDBD_PORT
# for slurmdbd connections the munge socket is taken from here, NOT from AuthInfo
AccountingStoragePass=$M/munge.sock"
else
  ACCT="AccountingStorageType=accounting_storage/none"
fi
NEWCONF=$(cat <<EOF
# generated by start-test-infra.sh
ClusterName=$CLUSTER
# must be this machine's real short hostname, else "This host not a valid controller"
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$SLURMCTLD_PORT
SlurmdPort=$SLURMD_PORT
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$M/munge.sock
StateSaveLocation=$SL/state
SlurmdSpoolDir=$SL/spool/slurmd.%n
SlurmctldPidFile=$SL/slurmctld.pid
SlurmdPidFile=$SL/slurmd.%n.pid
SlurmctldLogFile=$SL/log/slurmctld.log
SlurmdLogFile=$SL/log/slurmd.%n.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# default batch_sched_delay=3 adds ~3 s to every sbatch
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
MinJobAge=300
KillWait=2
InactiveLimit=0
Waittime=0
$ACCT
JobCompType=jobcomp/filetxt
JobCompLoc=$SL/log/jobcomp.txt
$OVERRIDES
NodeName=$SLURM_NODE_NAME NodeAddr=127.0.0.1 CPUs=$SLURM_CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$SLURM_NODE_NAME Default=YES MaxTime=INFINITE State=UP
PartitionName=batch Nodes=$SLURM_NODE_NAME Default=NO MaxTime=INFINITE State=UP
EOF
)
if [ -f "$SL/slurm.conf" ] && [ "$(cat "$SL/slurm.conf")" != "$NEWCONF" ] && pid_alive "$SL/slurmctld.pid" /usr/sbin/slurmctld; then
  log "WARNING: slurm.conf would change but slurmctld is running; keeping the old file (run stop-test-infra.sh first)"
else
  printf '%s\n' "$NEWCONF" > "$SL/slurm.conf"
fi

# ---------------------------------------------------------------- slurmdbd
if [ "$SLURM_ACCOUNTING" = dbd ]; then
  cat > "$SL/slurmdbd.conf" <<EOF
AuthType=auth/munge
AuthInfo=socket=$M/munge.sock
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$SLURMDBD_PORT
SlurmUser=root
PidFile=$SL/slurmdbd.pid
LogFile=$SL/log/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=$DB_USER
StoragePass=$DB_PASS
StorageLoc=slurm_acct_db
EOF
  chmod 600 "$SL/slurmdbd.conf"        # slurmdbd refuses a world-readable file
  if pid_alive "$SL/slurmdbd.pid" /usr/sbin/slurmdbd; then
    log "slurmdbd already running (pid $(cat "$SL/slurmdbd.pid"))"
  else
    /usr/sbin/slurmdbd            # finds slurmdbd.conf next to $SLURM_CONF
  fi
  GUARD="$SL/slurmdbd.pid /usr/sbin/slurmdbd" wait_for 60 "slurmdbd on 127.0.0.1:$SLURMDBD_PORT" sacctmgr -n list cluster \
    || die "slurmdbd not answering"
  sacctmgr -i add cluster "$CLUSTER" >/dev/null 2>&1 || true
fi

# ---------------------------------------------------------------- slurmctld / slurmd
if pid_alive "$SL/slurmctld.pid" /usr/sbin/slurmctld; then
  log "slurmctld already running (pid $(cat "$SL/slurmctld.pid"))"
else
  /usr/sbin/slurmctld
fi
ctld_up() { scontrol ping | grep -q 'is UP'; }
GUARD="$SL/slurmctld.pid /usr/sbin/slurmctld" wait_for 30 "slurmctld" ctld_up || die "slurmctld not answering"
# 'sacct -c' (jobcomp/filetxt) opens JobCompLoc O_WRONLY|O_APPEND even to read it, and
# slurmctld re-chmods it to 0644 on every start/reconfigure -> re-open it up afterwards
chmod 666 "$SL/log/jobcomp.txt" 2>/dev/null || true

if [ "$SLURM_ACCOUNTING" = dbd ] && [ ! -f "$DB/.assoc-$SSH_USER" ]; then   # real account/association
  sacctmgr -i add account testacct Description=test Organization=test >/dev/null 2>&1 || true
  sacctmgr -i add user root Account=testacct >/dev/null 2>&1 || true
  [ "$SSH_USER" = root ] || sacctmgr -i add user "$SSH_USER" Account=testacct >/dev/null 2>&1 || true
  touch "$DB/.assoc-$SSH_USER"
fi

SLURMD_PIDFILE=$SL/slurmd.$SLURM_NODE_NAME.pid
if pid_alive "$SLURMD_PIDFILE" /usr/sbin/slurmd; then
  log "slurmd already running (pid $(cat "$SLURMD_PIDFILE"))"
else
  /usr/sbin/slurmd -N "$SLURM_NODE_NAME"
fi
node_ready() { sinfo -h -n "$SLURM_NODE_NAME" -o '%T' | grep -Eq '^(idle|mixed|allocated)$'; }
GUARD="$SLURMD_PIDFILE /usr/sbin/slurmd" wait_for 30 "node $SLURM_NODE_NAME" node_ready || { sinfo -N -l >&2; die "node never became idle"; }

# ---------------------------------------------------------------- smoke test through ssh
if [ "$SMOKE_TEST" = 1 ]; then
  # shellcheck disable=SC2086
  # (sbatch --wait would work too but polls only every ~2 s)
  out=$(timeout 60 ssh $SSH_OPTS "$SSH_USER@127.0.0.1" 'cd /tmp || exit 1
        j=$(sbatch --parsable -J infra-smoke -o /dev/null --wrap hostname) || exit 1
        while :; do
          st=$(scontrol show job -o "$j" | grep -o "JobState=[A-Z_]*")
          case $st in *COMPLETED) echo "$j"; exit 0;; *PENDING|*RUNNING|*CONFIGURING|*COMPLETING) sleep 0.1;;
                      *) echo "$j $st"; exit 1;; esac
        done') || die "smoke job via ssh failed: $out"
  log "smoke job $out completed via ssh"
fi

# ---------------------------------------------------------------- report
cat > "$DIR/infra.env" <<EOF
INFRA_DIR=$DIR
SSH_HOST=127.0.0.1
SSH_PORT=$SSH_PORT
SSH_USER=$SSH_USER
SSH_KEY=$S/id_ed25519
SSH_KNOWN_HOSTS=$S/known_hosts
SSH_HOST_PUBKEY=$S/host_ed25519_key.pub
SSHD_CONFIG=$S/sshd_config
SSHD_PID_FILE=$S/sshd.pid
SSHD_LOG=$S/sshd.log
SSH_OPTS="$SSH_OPTS"
SLURM_CONF=$SL/slurm.conf
SLURM_ACCOUNTING=$SLURM_ACCOUNTING
SLURM_PARTITIONS=debug,batch
SLURM_NODE=$SLURM_NODE_NAME
SLURM_CPUS=$SLURM_CPUS
SLURM_JOBCOMP_FILE=$SL/log/jobcomp.txt
SLURM_CLUSTER=$CLUSTER
SLURMCTLD_PORT=$SLURMCTLD_PORT
SLURMD_PORT=$SLURMD_PORT
SLURMDBD_PORT=$SLURMDBD_PORT
DB_PORT=$DB_PORT
EOF

# ---------------------------------------------------------------- optional extra hosts (hook)
# scripts/infra.d/NAME.sh start STATE_DIR: starts one more test host (e.g. a jump host or an MFA
# sshd in a network namespace), prints KEY=VALUE lines for infra.env on stdout; `stop STATE_DIR`
# undoes it (stop-test-infra.sh calls it first). See scripts/infra.d/README.md.
for hook in "$HERE"/infra.d/*.sh; do
  [ -e "$hook" ] || continue
  name=$(basename "$hook" .sh)
  case " ${EXTRA_HOSTS//,/ } " in *" all "*|*" $name "*) ;; *) continue;; esac
  log "extra host $name"
  out=$(CRYSTAL_TUI_INFRA_ID=$DIR bash "$hook" start "$DIR") || die "extra host $name did not start (scripts/infra.d/$name.sh)"
  printf '%s\n' "$out" | grep -E '^[A-Z_][A-Z0-9_]*=' >> "$DIR/infra.env" || true
  echo "$name" >> "$DIR/extra-hosts"
done
sort -u -o "$DIR/extra-hosts" "$DIR/extra-hosts" 2>/dev/null || true

cat "$DIR/infra.env"
log "all ready in $(elapsed) s"
