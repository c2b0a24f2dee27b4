// Several jobs at once (`job cancel 3 4 5`, `job restart --status failed --workflow 2`, `job rm 7 8`,
// the TUI's space-selected rows): the jobs named by their ids or by a filter, then the one action on
// each. Every action on a job is its own transaction (a cancel, a restart, a delete); a job an action
// cannot be taken on is reported with why, not silently left.
import { UsageError, UserError } from "../domain/errors.js";
import { STATUS_GROUPS } from "../domain/status-groups.js";
import type { Job } from "../domain/types.js";
import type { Project } from "../engine/hooks.js";
import type { ProjectStore } from "../store/port.js";
import type { RemovedJob } from "../store/records.js";
import { rerunJob } from "./job-copy.js";
import { type JobFilter, listJobs } from "./job-list.js";
import { restartJob } from "./job-restart.js";

export interface Selection {
  ids?: readonly number[];
  filter?: JobFilter;
}

function hasFilter(f: JobFilter | undefined): boolean {
  return f !== undefined && Object.values(f).some((v) => v !== undefined);
}

/** The jobs a selection names: by id (each must exist), or by a filter, newest first. */
export async function selectJobs(store: ProjectStore, sel: Selection): Promise<Job[]> {
  const ids = [...new Set(sel.ids ?? [])];
  if (ids.length > 0 && hasFilter(sel.filter)) {
    throw new UsageError("name the jobs by their ids or by a filter (--status, --name, …), not both");
  }
  if (ids.length === 0) {
    if (!hasFilter(sel.filter))
      throw new UsageError(
        "name the jobs by their ids, or by a filter (--status, --name, --workflow, --cluster)",
      );
    return listJobs(store, sel.filter);
  }
  const found = new Map((await store.jobs.byIds(ids)).map((j) => [j.id, j]));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0)
    throw new UserError(`there is no job ${missing.join(", ")} — see \`crystal-tui job list\``);
  return ids.map((id) => found.get(id)!);
}

export type CancelOutcome = "cancelled" | "requested" | "finished";

export interface CancelResult {
  id: number;
  name: string;
  outcome: CancelOutcome;
  /** The status it had already ended in (outcome finished). */
  status: Job["status"];
}

/** Cancels each job: a pending one at once, an active one by its engine; a finished one is reported. */
export async function cancelJobs(
  store: ProjectStore,
  jobs: readonly Job[],
  by: string,
): Promise<CancelResult[]> {
  const out: CancelResult[] = [];
  for (const job of jobs) {
    const outcome = await store.jobs.requestCancel(job.id, by);
    const status = outcome === "finished" ? (await store.jobs.require(job.id)).status : job.status;
    out.push({ id: job.id, name: job.name, outcome, status });
  }
  return out;
}

/** Cancels every unfinished job of a workflow. */
export async function cancelWorkflow(
  store: ProjectStore,
  workflowId: number,
  by: string,
): Promise<CancelResult[]> {
  await store.workflows.require(workflowId);
  const jobs = await listJobs(store, { workflowId, statuses: STATUS_GROUPS.active });
  return cancelJobs(store, jobs, by);
}

export type RestartResult =
  | { id: number; restartedAs: number; what: string[] }
  | { id: number; refused: string };

/**
 * `act` on each job in turn; a job it refuses (a UserError) is reported with why and the others go
 * on. Anything else is not the job's fault and ends the whole.
 */
async function eachJob<T>(
  jobs: readonly Job[],
  act: (job: Job) => Promise<T>,
): Promise<(T | { id: number; refused: string })[]> {
  const out: (T | { id: number; refused: string })[] = [];
  for (const job of jobs) {
    try {
      out.push(await act(job));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      out.push({ id: job.id, refused: err.message });
    }
  }
  return out;
}

/** Restarts each job (src/app/job-restart.ts); one that cannot be restarted is reported with why. */
export function restartJobs(project: Project, jobs: readonly Job[]): Promise<RestartResult[]> {
  return eachJob(jobs, async (job) => {
    const r = await restartJob(project, job.id);
    return { id: job.id, restartedAs: r.job.id, what: r.continuation.what };
  });
}

export type RerunResult = { id: number; rerunAs: number } | { id: number; refused: string };

/** Re-runs each job as a new copy (src/app/job-copy.ts rerunJob); one that cannot be is reported with why. */
export function rerunJobs(project: Project, jobs: readonly Job[]): Promise<RerunResult[]> {
  return eachJob(jobs, async (job) => ({ id: job.id, rerunAs: (await rerunJob(project, job)).id }));
}

export type DeleteResult = { id: number; removed: RemovedJob } | { id: number; refused: string };

/**
 * Deletes each job's record (src/store/jobs.ts delete: a queued or running one is refused, as is one
 * that jobs outside the selection still wait for, unless `force`). A job waited for only by others
 * being deleted goes once they have gone, so the order the ids were named in does not matter.
 */
export async function deleteJobs(
  store: ProjectStore,
  jobs: readonly Job[],
  opts: { force?: boolean } = {},
): Promise<DeleteResult[]> {
  const done = new Map<number, DeleteResult>();
  let left = [...jobs];
  for (let progress = true; left.length > 0 && progress; ) {
    progress = false;
    const again: Job[] = [];
    for (const job of left) {
      try {
        done.set(job.id, { id: job.id, removed: await store.jobs.delete(job.id, opts) });
        progress = true;
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        done.set(job.id, { id: job.id, refused: err.message });
        again.push(job);
      }
    }
    left = again;
  }
  return jobs.map((j) => done.get(j.id)!);
}
