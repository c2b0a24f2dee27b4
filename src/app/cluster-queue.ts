// A SLURM cluster's queue as its user sees it with `squeue --me`: every job of the user's there,
// crystal-tui's own marked with their job (ours = the remote handles the project knows), the others
// marked as not ours. Asked on demand (the queue screen while it is shown), never by the engine.
import { UserError } from "../domain/errors.js";
import type { Cluster } from "../domain/types.js";
import { gist } from "../runners/remote-run.js";
import { parseQueue, QUEUE_SCREEN_FORMAT, SLURM_TIME_FORMAT } from "../runners/slurm-states.js";
import type { ProjectStore } from "../store/port.js";
import type { RemoteShell } from "../transport/remote-shell.js";

/** One line of the queue. */
export interface QueueEntry {
  slurmId: string;
  name: string;
  state: string;
  /** The pending reason while it waits, else the node list (null when SLURM gives neither). */
  where: string | null;
  partition: string | null;
  timeLimit: string | null;
  /** The crystal-tui job it is, or null: a job made outside crystal-tui (or by another project). */
  jobId: number | null;
}

/** SLURM's clients may wait for a busy controller: the screen gives up after this long. */
const QUEUE_TIMEOUT_MS = 30_000;

export async function clusterQueue(
  store: ProjectStore,
  cluster: Cluster,
  shell: RemoteShell,
): Promise<QueueEntry[]> {
  const r = await shell.exec(["squeue", "--me", "-h", "-o", QUEUE_SCREEN_FORMAT], {
    env: { SLURM_TIME_FORMAT },
    timeoutMs: QUEUE_TIMEOUT_MS,
  });
  if (r.code !== 0) throw new UserError(`squeue on ${cluster.name} failed: ${gist(r)}`);
  const ours = new Map<string, number>();
  for (const remote of await store.remoteJobs.listByCluster(cluster.id))
    ours.set(remote.remoteHandle, remote.jobId);
  return parseQueue(r.stdout).map(({ record, name }) => ({
    slurmId: record.id,
    name,
    state: record.state,
    where:
      record.state === "PENDING"
        ? record.reason && record.reason !== "None"
          ? record.reason
          : null
        : (record.nodeList ?? null),
    partition: record.partition ?? null,
    timeLimit: record.timeLimit ?? null,
    jobId: ours.get(record.id) ?? null,
  }));
}
