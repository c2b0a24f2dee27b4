// What the TUI's action keys do to the store: cancel (c), re-run (r), delete (d). Each returns the
// sentence the status line shows; refusals are UserErrors with a message the chemist can act on.
import type { ProjectStore } from "../store/port.js";

export const CANCELLED_BY = "user (TUI)";

export async function cancelJob(store: ProjectStore, id: number): Promise<string> {
  const outcome = await store.jobs.requestCancel(id, CANCELLED_BY);
  switch (outcome) {
    case "cancelled":
      return `job ${id} cancelled`;
    case "requested":
      return `cancel of job ${id} requested — its engine stops it within a few seconds`;
    default:
      return `job ${id} had already finished — nothing to cancel`;
  }
}

/** Re-run (r): the one use case, shared with the CLI (src/app/job-copy.ts). */
export { rerunJob } from "../app/job-copy.js";

export async function deleteJob(store: ProjectStore, id: number): Promise<string> {
  const removed = await store.jobs.delete(id);
  return `job ${id} (${removed.name}) deleted; its folder ${removed.workDir} was kept`;
}
