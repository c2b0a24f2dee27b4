// The runners an engine gets, with the transport that reaches clusters: the one place that picks
// it. Today a cluster is reached through ssh2 (src/transport/ssh2-shell.ts over one SshPool per
// cluster); an OpenSSH-backed RemoteShell replaces it by changing `shellFor` here, and nothing else.
import type { Cluster } from "../domain/types.js";
import { makeRunnerFactory, type RunnerFactoryOptions } from "../runners/factory.js";
import type { RunnerFactory } from "../runners/types.js";
import { type PoolOptions, SshPool } from "../transport/pool.js";
import type { RemoteShell } from "../transport/remote-shell.js";
import { Ssh2Shell } from "../transport/ssh2-shell.js";
import { targetForCluster } from "../transport/target.js";

export interface RunnersSetup extends Omit<RunnerFactoryOptions, "shellFor"> {
  /** One connection shared by every cluster's runner, left open (tests and benchmarks). */
  pool?: SshPool;
  poolOptions?: PoolOptions;
}

/** The remote shell of a cluster: its own ssh2 connection (or the shared one). */
export function shellFor(cluster: Cluster, setup: RunnersSetup = {}): RemoteShell {
  if (setup.pool) return new Ssh2Shell(setup.pool, false);
  return new Ssh2Shell(new SshPool(targetForCluster(cluster, setup.remote?.targetEnv), setup.poolOptions));
}

export function runnerFactory(setup: RunnersSetup = {}): RunnerFactory {
  const { pool: _pool, poolOptions: _options, ...options } = setup;
  return makeRunnerFactory({ ...options, shellFor: (cluster) => shellFor(cluster, setup) });
}
