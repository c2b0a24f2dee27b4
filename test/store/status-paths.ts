// A path of legal moves from PENDING into each status, written by hand (not from the code's table),
// for tests that need a job in a given status.
import type { JobStatus } from "../../src/domain/status.js";
import type { Store } from "../../src/store/store.js";

export const PATH_TO: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  PENDING: [],
  QUEUED: ["QUEUED"],
  RUNNING: ["RUNNING"],
  COMPLETED: ["RUNNING", "COMPLETED"],
  FAILED: ["RUNNING", "FAILED"],
  CANCELLED: ["CANCELLED"],
  SKIPPED: ["SKIPPED"],
};

/** Moves a new job into `status` through the store's guarded moves. */
export function moveTo(store: Store, id: number, status: JobStatus): void {
  for (const s of PATH_TO[status]) store.jobs.transition(id, s);
}
