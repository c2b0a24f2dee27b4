// The batch schedulers crystal-tui knows, in one list: a cluster's `type`, a job's `runner_type`,
// the claim's native dependencies and the store's check of both values derive from it. A new
// scheduler is its module (implementing src/runners/batch-scheduler.ts) and a line here.
import type { BatchScheduler } from "./batch-scheduler.js";
import { slurm } from "./slurm.js";

export const SCHEDULERS: readonly BatchScheduler[] = [slurm];

/** Cluster types: a plain machine over SSH, or one of the schedulers. */
export const CLUSTER_KINDS: readonly string[] = ["ssh", ...SCHEDULERS.map((s) => s.kind)];

/** Runner types of jobs: this machine, or a cluster type. */
export const RUNNER_KINDS: readonly string[] = ["local", ...CLUSTER_KINDS];

export function schedulerOf(kind: string): BatchScheduler | undefined {
  return SCHEDULERS.find((s) => s.kind === kind);
}

/** "ssh or slurm": the cluster types, as an error message lists them. */
export function clusterKindsText(): string {
  const kinds = [...CLUSTER_KINDS];
  return kinds.length <= 1
    ? (kinds[0] ?? "")
    : `${kinds.slice(0, -1).join(", ")} or ${kinds[kinds.length - 1]}`;
}
