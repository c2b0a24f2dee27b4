// What the Jobs screen's keys do to several selected jobs at once (space marks them): cancel (c),
// delete (d), restart (R), through the same use cases as the CLI's `job cancel 3 4 5`, `job rm …`
// and `job restart …` (src/app/job-selection.ts). Each returns the sentence the status line shows.

import { restartJob } from "../app/job-restart.js";
import { cancelJobs, type RestartResult, restartJobs } from "../app/job-selection.js";
import { isActive, isTerminal } from "../domain/status.js";
import type { Job } from "../domain/types.js";
import type { Project } from "../engine/hooks.js";
import type { ProjectStore } from "../store/port.js";
import { CANCELLED_BY } from "./actions.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The selected jobs as the store has them now (a job deleted meanwhile is left out). */
export async function markedJobs(store: ProjectStore, ids: readonly number[]): Promise<Job[]> {
  return [...(await store.jobs.byIds(ids))];
}

/** The ones a cancel acts on: those not finished. */
export const cancellable = (jobs: readonly Job[]) => jobs.filter((j) => !isTerminal(j.status));
/** A running (active) job cannot be deleted: it is kept, and the prompt says so. */
export const deletable = (jobs: readonly Job[]) => jobs.filter((j) => !isActive(j.status));

export async function cancelMany(store: ProjectStore, jobs: readonly Job[]): Promise<string> {
  const out = await cancelJobs(store, jobs, CANCELLED_BY);
  const done = out.filter((r) => r.outcome === "cancelled").length;
  const asked = out.filter((r) => r.outcome === "requested").length;
  const over = out.length - done - asked;
  const parts = [
    done > 0 ? `${plural(done, "job")} cancelled` : "",
    asked > 0
      ? `cancel of ${plural(asked, "job")} requested — their engines stop them within a few seconds`
      : "",
    over > 0 ? `${over} had already finished` : "",
  ];
  return parts.filter(Boolean).join("; ");
}

export async function deleteMany(store: ProjectStore, jobs: readonly Job[]): Promise<string> {
  for (const j of jobs) await store.jobs.delete(j.id);
  return `${plural(jobs.length, "job")} deleted (${jobs.map((j) => j.id).join(", ")}); their folders were kept`;
}

function restartText(r: RestartResult): string {
  return "refused" in r ? `job ${r.id}: ${r.refused}` : `job ${r.id} → job ${r.restartedAs}`;
}

/** Restarts each job; the status line names the new jobs and each refusal with its reason. */
export async function restartMany(project: Project, jobs: readonly Job[]): Promise<string> {
  const out = await restartJobs(project, jobs);
  const made = out.filter((r) => !("refused" in r)).length;
  return `${plural(made, "job")} restarted of ${jobs.length}: ${out.map(restartText).join("; ")}`;
}

/** R on one job: the new job's id and what it continues from. */
export async function restartOne(project: Project, id: number): Promise<{ text: string; newId: number }> {
  const r = await restartJob(project, id);
  return {
    text: `job ${id} restarted as job ${r.job.id} (${r.continuation.what.join(", ")})`,
    newId: r.job.id,
  };
}
