// Which runner serves a job: the local runner for this machine, the SSH runner for a plain remote
// machine, the batch runner with its scheduler (src/runners/schedulers.ts) for a batch cluster.
import { UserError } from "../domain/errors.js";
import type { Cluster } from "../domain/types.js";
import type { RemoteShell } from "../transport/remote-shell.js";
import { BatchRunner } from "./batch.js";
import { LocalRunner, type LocalRunnerOptions } from "./local.js";
import type { RemoteRunnerOptions } from "./remote-run.js";
import { clusterKindsText, schedulerOf } from "./schedulers.js";
import { SshRunner } from "./ssh.js";
import type { RunnerFactory } from "./types.js";

export interface RunnerFactoryOptions {
  local?: LocalRunnerOptions;
  /** The remote shell of a cluster: the composition root's choice of transport (src/app/runners.ts). */
  shellFor?: (cluster: Cluster) => RemoteShell;
  /** Options of the SSH and SLURM runners (a poll interval, a cancel grace, …). */
  remote?: Omit<RemoteRunnerOptions, "shell">;
}

export function makeRunnerFactory(options: RunnerFactoryOptions = {}): RunnerFactory {
  return (cluster: Cluster | null) => {
    if (cluster === null) return new LocalRunner(options.local);
    if (!options.shellFor) {
      throw new UserError(`cluster '${cluster.name}' cannot be reached: this engine was given no transport`);
    }
    const scheduler = schedulerOf(cluster.type);
    if (cluster.type !== "ssh" && !scheduler) {
      throw new UserError(
        `cluster '${cluster.name}' has the unknown type ${JSON.stringify(cluster.type)} — use ${clusterKindsText()}`,
      );
    }
    const remote = { ...options.remote, shell: options.shellFor(cluster) };
    return scheduler ? new BatchRunner(cluster, scheduler, remote) : new SshRunner(cluster, remote);
  };
}
