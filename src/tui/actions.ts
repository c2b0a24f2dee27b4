// What the TUI's action keys do to the store: cancel (c), re-run (r), delete (d). Each returns the
// sentence the status line shows; refusals are UserErrors with a message the chemist can act on.
import fs from "node:fs";
import path from "node:path";
import { createJobs } from "../app/project.js";
import { UserError } from "../domain/errors.js";
import { isTerminal } from "../domain/status.js";
import type { Job } from "../domain/types.js";
import type { Project } from "../engine/hooks.js";
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

/**
 * Re-runs a finished job as a NEW job with the same deck, auxiliary files, cluster and
 * parallelism; the old job and its history stay as they were.
 */
export async function rerunJob({ store, files }: Project, job: Job): Promise<Job> {
  if (!isTerminal(job.status)) {
    throw new UserError(
      `job ${job.id} is ${job.status} — only a finished job can be re-run (cancel it first to start over)`,
    );
  }
  if (!job.inputFile || job.inputFile.trim() === "") {
    throw new UserError(`job ${job.id} has no deck recorded (it never started) — create a new job instead`);
  }
  const folder = files.folderOf(job);
  const auxFiles = job.auxFiles.map((name) => path.join(folder, name));
  const missing = auxFiles.find((f) => !fs.existsSync(f));
  if (missing) {
    throw new UserError(
      `job ${job.id}'s auxiliary file ${missing} is gone — restore it, or create a new job with the form (n)`,
    );
  }
  const [made] = await createJobs({ store, files }, [
    {
      name: job.name,
      input: job.inputFile,
      auxFiles,
      clusterId: job.clusterId,
      runnerType: job.runnerType,
      parallelism: job.parallelism,
      priority: job.priority,
    },
  ]);
  return made!;
}

export async function deleteJob(store: ProjectStore, id: number): Promise<string> {
  const removed = await store.jobs.delete(id);
  return `job ${id} (${removed.name}) deleted; its folder ${removed.workDir} was kept`;
}
