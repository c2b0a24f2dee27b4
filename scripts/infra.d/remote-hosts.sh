#!/usr/bin/env bash
# The OpenSSH transport's test hosts (jump/login/inner hosts in network namespaces, the TOTP,
# certificate and MaxSessions sshd's) as an extra host of start-test-infra.sh. They keep their own
# state folder ($CRYSTAL_TUI_REMOTE_HOSTS_DIR, default /tmp/ctui-remote-hosts), read by
# test/remote/remote-hosts.ts. Their namespace names and 10.231/16 addresses are fixed: a second infra
# set on the same machine must start with EXTRA_HOSTS=none (as test/infra/concurrent-runs.test.ts does),
# or stopping it would stop these hosts under the first set.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in
  start) bash "$HERE/start-remote-hosts.sh" >&2 ;;
  stop) bash "$HERE/stop-remote-hosts.sh" >&2 ;;
  *) echo "usage: remote-hosts.sh start|stop STATE_DIR" >&2; exit 2 ;;
esac
