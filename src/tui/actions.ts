// What the TUI's action keys do to the store: cancel (c), re-run (r), delete (d). Each returns the
// sentence the status line shows; refusals are UserErrors with a message the chemist can act on.
import { UserError } from "../domain/errors.js";
import type { Project } from "../engine/hooks.js";
import { schedulerOf } from "../runners/schedulers.js";
import type { ProjectStore } from "../store/port.js";
import { copyToClipboard } from "./clipboard.js";

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
  return `job ${id} (${removed.name}) deleted; its folder ${removed.workDir} was kept${childrenNote(removed.notedChildren)}`;
}

/** `d`'s question: what goes, what stays — and that the job's children keep a note of it. */
export function deleteQuestion(id: number, name: string, children: number): string {
  return `Delete job ${id} (${name})? Its record goes; its folder stays${childrenNote(children)}.`;
}

/** "; its 2 child jobs keep a note that their parent was deleted" (nothing for none). */
function childrenNote(children: number): string {
  if (children === 0) return "";
  return children === 1
    ? "; its 1 child job keeps a note that its parent was deleted"
    : `; its ${children} child jobs keep a note that their parent was deleted`;
}

/**
 * y: copies what a chemist pastes next — a local job's folder (to cd into it), a batch job's
 * scheduler id (for squeue / scontrol / sacct), an SSH job's folder on its machine — and says what.
 */
export async function copyJobReference(project: Project, id: number): Promise<string> {
  const job = await project.store.jobs.require(id);
  let text: string;
  let what: string;
  if (job.runnerType === "local") {
    text = project.files.folderOf(job);
    what = `job ${id}'s folder ${text}`;
  } else {
    const remote = await project.store.remoteJobs.getByJobId(id);
    const scheduler = schedulerOf(job.runnerType);
    const word = scheduler ? `${scheduler.kind.toUpperCase()} id` : "folder on its machine";
    if (!remote)
      throw new UserError(
        `job ${id} is ${job.status} and has no ${word} yet — y copies it once it was submitted`,
      );
    text = scheduler ? remote.remoteHandle : remote.workingDirectory;
    what = `job ${id}'s ${word} ${text}`;
  }
  return copyToClipboard(text) ? `copied ${what}` : `no terminal to copy to — ${what}`;
}
