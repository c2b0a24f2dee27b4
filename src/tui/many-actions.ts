// What the Jobs screen's keys do to several selected jobs at once (space marks them): cancel (c),
// delete (d), restart (R), re-run (r), through the same use cases as the CLI's `job cancel 3 4 5`,
// `job rm …`, `job restart …` and `job rerun …` (src/app/job-selection.ts); and copy-and-edit (e). Each returns the sentence the
// status line shows.

import { discardEdit, editDeck } from "../app/edit-deck.js";
import { copyJob, DeckHasProblems } from "../app/job-copy.js";
import { restartJob } from "../app/job-restart.js";
import { cancelJobs, deleteJobs, type RestartResult, rerunJobs, restartJobs } from "../app/job-selection.js";
import { UserError } from "../domain/errors.js";
import { isActive, isTerminal } from "../domain/status.js";
import type { Job } from "../domain/types.js";
import type { Project } from "../engine/hooks.js";
import type { ProjectStore } from "../store/port.js";
import { CANCELLED_BY } from "./actions.js";
import type { OtherAnswer } from "./components/Confirm.js";
import { type Nav, runAction } from "./nav.js";
import { outsideTui } from "./outside.js";

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

/** How many jobs, not among `jobs`, came after one of them: they keep a note when these are deleted. */
export async function childrenOutside(store: ProjectStore, jobs: readonly Job[]): Promise<number> {
  const going = new Set(jobs.map((j) => j.id));
  const children = new Set<number>();
  for (const j of jobs)
    for (const d of await store.dependencies.dependentsOf(j.id))
      if (!going.has(d.jobId)) children.add(d.jobId);
  return children.size;
}

/** Deletes the marked jobs (a parent after the children marked with it); a refusal is said with why. */
export async function deleteMany(store: ProjectStore, jobs: readonly Job[]): Promise<string> {
  const out = await deleteJobs(store, jobs);
  const gone = out.filter((r) => !("refused" in r));
  const refused = out.flatMap((r) => ("refused" in r ? [`job ${r.id} not deleted: ${r.refused}`] : []));
  return [
    gone.length === 0
      ? "no job deleted"
      : `${plural(gone.length, "job")} deleted (${gone.map((r) => r.id).join(", ")}); their folders were kept`,
    ...refused,
  ].join("; ");
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

/** The ones a re-run takes: those finished (a job still pending or running is not repeated). */
export const rerunnable = (jobs: readonly Job[]) => jobs.filter((j) => isTerminal(j.status));

/** Re-runs each job from the start as a new one; the status line names the new jobs and each refusal. */
export async function rerunMany(project: Project, jobs: readonly Job[]): Promise<string> {
  const out = await rerunJobs(project, jobs);
  const made = out.filter((r) => !("refused" in r)).length;
  const each = out.map((r) =>
    "refused" in r ? `job ${r.id}: ${r.refused}` : `job ${r.id} → job ${r.rerunAs}`,
  );
  return `${plural(made, "job")} re-run of ${jobs.length}: ${each.join("; ")}`;
}

/** R on one job: the new job's id and what it continues from. */
export async function restartOne(project: Project, id: number): Promise<{ text: string; newId: number }> {
  const r = await restartJob(project, id);
  return {
    text: `job ${id} restarted as job ${r.job.id} (${r.continuation.what.join(", ")})`,
    newId: r.job.id,
  };
}

/**
 * e on a job: copy and edit, as `job add NAME --from ID --edit` does — the deck in $VISUAL/$EDITOR
 * (the screen put away meanwhile), checked on return; a deck with problems makes no job, and the
 * edit is kept in its file so it is not lost.
 */
export async function copyAndEdit(project: Project, id: number): Promise<string> {
  const source = await project.store.jobs.require(id);
  if (!source.inputFile || source.inputFile.trim() === "") {
    throw new UserError(
      source.renderSpec
        ? `job ${id}'s deck is made from its parents' results when it starts — copy it once it has started`
        : `job ${id} has no deck recorded — create a new job instead (n)`,
    );
  }
  const deck = source.inputFile;
  const edit = outsideTui(() => editDeck(deck, source.name));
  try {
    const job = await copyJob(project, id, { deck: edit.deck });
    discardEdit(edit);
    return `job ${id} copied as job ${job.id}${edit.changed ? " with your edit" : " (the deck was not changed)"}`;
  } catch (err) {
    if (err instanceof DeckHasProblems) {
      err.message = `no job was made — ${err.message}; your edit is kept in ${edit.file}`;
    } else discardEdit(edit);
    throw err;
  }
}

/** The question `r` asks on a finished job, in the list and in the detail alike. */
export const rerunQuestion = (id: number, name: string) =>
  `Re-run job ${id} (${name}) as a new job? (e: edit its deck first)`;

/** The question's third answer, e: the deck edited first (copyAndEdit), after `close` puts it away. */
export function editFirst(nav: Nav, project: Project, id: number, close: () => void): OtherAnswer {
  return {
    key: "e",
    does: "edit the deck first ($VISUAL / $EDITOR), then re-run it",
    footer: "edit first",
    run: () => {
      close();
      void runAction(nav, () => copyAndEdit(project, id));
    },
  };
}
