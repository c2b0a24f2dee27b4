// Which runner serves a job: the local runner for this machine, the SSH or SLURM runner for a cluster.
import { UserError } from "../domain/errors.js";
import type { Cluster } from "../domain/types.js";
import { LocalRunner, type LocalRunnerOptions } from "./local.js";
import type { Runner, RunnerFactory } from "./types.js";

export interface RunnerFactoryOptions {
  local?: LocalRunnerOptions;
}

/** Remote runners register here when their module is loaded (keeps the engine free of ssh2). */
const remoteRunners = new Map<string, (cluster: Cluster) => Runner>();

export function registerRemoteRunner(type: "ssh" | "slurm", make: (cluster: Cluster) => Runner): void {
  remoteRunners.set(type, make);
}

export function makeRunnerFactory(options: RunnerFactoryOptions = {}): RunnerFactory {
  return (cluster) => {
    if (cluster === null) return new LocalRunner(options.local);
    const make = remoteRunners.get(cluster.type);
    if (!make) throw new UserError(`no runner for ${cluster.type} clusters is available in this build`);
    return make(cluster);
  };
}
