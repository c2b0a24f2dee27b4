// Which runner serves a job: the local runner for this machine, the SSH or SLURM runner for a cluster.
import { UserError } from "../domain/errors.js";
import type { Cluster } from "../domain/types.js";
import { LocalRunner, type LocalRunnerOptions } from "./local.js";
import type { RemoteRunnerOptions } from "./remote-run.js";
import { SlurmRunner } from "./slurm.js";
import { SshRunner } from "./ssh.js";
import type { RunnerFactory } from "./types.js";

export interface RunnerFactoryOptions {
  local?: LocalRunnerOptions;
  /** Options of the SSH and SLURM runners (a shared pool, a poll interval, …). */
  remote?: RemoteRunnerOptions;
}

export function makeRunnerFactory(options: RunnerFactoryOptions = {}): RunnerFactory {
  return (cluster: Cluster | null) => {
    if (cluster === null) return new LocalRunner(options.local);
    switch (cluster.type) {
      case "ssh":
        return new SshRunner(cluster, options.remote);
      case "slurm":
        return new SlurmRunner(cluster, options.remote);
      default:
        throw new UserError(
          `cluster '${cluster.name}' has the unknown type ${JSON.stringify(cluster.type)} — use ssh or slurm`,
        );
    }
  };
}
