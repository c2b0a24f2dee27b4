// The runners an engine gets, with the transport that reaches clusters: the one place that picks
// it. Every SSH and SLURM cluster is reached through the system's own OpenSSH
// (src/transport/openssh/): one ControlMaster per cluster, shared by every crystal-tui process of
// the user, with whatever the user's ssh config says (jump hosts, certificates, one-time codes,
// multiplexing). Host keys are always checked (StrictHostKeyChecking yes, the cluster's
// known_hosts file when `cluster add --known-hosts` named one).
import type { Cluster } from "../domain/types.js";
import { makeRunnerFactory, type RunnerFactoryOptions } from "../runners/factory.js";
import type { RunnerFactory } from "../runners/types.js";
import type { ConnectionState } from "../transport/connection-state.js";
import {
  type ClusterSshEnvironment,
  checkClusterKeyFile,
  type MasterOptions,
  OpenSshMaster,
  type OpenSshSettings,
  openSshSettingsForCluster,
} from "../transport/openssh/master.js";
import { OpenSshShell } from "../transport/openssh/openssh-shell.js";
import type { RemoteShell } from "../transport/remote-shell.js";

export interface RunnersSetup extends Omit<RunnerFactoryOptions, "shellFor"> {
  /** One shell shared by every cluster's runner, left open (tests and benchmarks). */
  shell?: RemoteShell;
  /** How the OpenSSH masters behave (who is asked for one-time codes, the connection folder …). */
  openSsh?: MasterOptions & { maxSessions?: number };
  /** Where the ssh config is read when a cluster names none. */
  sshEnv?: ClusterSshEnvironment;
  /** Told of every change of a cluster's connection state (the engine records it in the store). */
  onConnectionState?: (cluster: Cluster, state: ConnectionState) => void;
}

// One master object per cluster connection in this process: every runner built for the cluster
// (an engine builds one per pass, an edit builds a new one) sees the same connection state and
// never races another object of this process to start the master.
const masters = new Map<string, OpenSshMaster>();
/** The state listeners each master has, so that a runner built again does not subscribe twice. */
const listening = new WeakMap<OpenSshMaster, Set<RunnersSetup["onConnectionState"]>>();

function masterFor(settings: OpenSshSettings, opts: MasterOptions): OpenSshMaster {
  const key = JSON.stringify([settings, opts.controlDir ?? null]);
  let master = masters.get(key);
  if (!master) {
    master = new OpenSshMaster(settings, opts);
    masters.set(key, master);
  }
  return master;
}

/** The remote shell of a cluster: a session on its shared OpenSSH master (or the shared test shell). */
export function shellFor(cluster: Cluster, setup: RunnersSetup = {}): RemoteShell {
  if (setup.shell) return sharedShell(setup.shell);
  checkClusterKeyFile(cluster, setup.sshEnv?.home);
  const settings = openSshSettingsForCluster(cluster, setup.sshEnv);
  const opts = setup.openSsh ?? {};
  const master = masterFor(settings, opts);
  const report = setup.onConnectionState;
  if (report) {
    const heard = listening.get(master) ?? new Set();
    listening.set(master, heard);
    if (!heard.has(report)) {
      heard.add(report);
      master.onStateChange((state) => report(cluster, state));
    }
  }
  return new OpenSshShell(settings, { ...opts, master });
}

/**
 * The route to a cluster checked without connecting (src/transport/openssh/master.ts checkRoute):
 * the config as ssh reads it, the jump hosts, the certificates. A fresh master object, so the files
 * are read as they are now. (The key file is checked with the settings: it may be made later.)
 */
export async function checkClusterRoute(
  cluster: Pick<Cluster, "name" | "hostname" | "port" | "username" | "config">,
  setup: Pick<RunnersSetup, "openSsh" | "sshEnv"> = {},
): Promise<void> {
  await new OpenSshMaster(openSshSettingsForCluster(cluster, setup.sshEnv), setup.openSsh ?? {}).checkRoute();
}

/** A shell given to several runners: closing one runner must not close it for the others. */
function sharedShell(shell: RemoteShell): RemoteShell {
  return new Proxy(shell, {
    get(target, prop, receiver) {
      if (prop === "close") return async () => {};
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

export function runnerFactory(setup: RunnersSetup = {}): RunnerFactory {
  const { shell: _shell, openSsh: _openSsh, sshEnv: _sshEnv, onConnectionState: _on, ...options } = setup;
  return makeRunnerFactory({ ...options, shellFor: (cluster) => shellFor(cluster, setup) });
}
