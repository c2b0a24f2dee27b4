// Restarting a job (`crystal-tui job restart ID`, the TUI's R): a new job that continues the run —
// from its wavefunction, its last geometry and optimisation data, or its frequency data — as the
// continuation rules say (src/workflows/continuation.ts, which the recovery policies use too). The
// new job is linked to the one it continues (retry_of, attempt + 1) and waits for what that one
// waited for; it takes the continued job's outputs when it starts.
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../domain/errors.js";
import { isTerminal } from "../domain/status.js";
import type { Job } from "../domain/types.js";
import type { Project } from "../engine/hooks.js";
import { type Continuation, continueRun } from "../workflows/continuation.js";
import { deckProblems, problemsText } from "./deck-problems.js";
import { createJobs } from "./project.js";

export interface Restart {
  job: Job;
  continuation: Continuation;
}

/** The geometry file (fort.34) a job started from, when it read one and it is still there. */
async function startGeometry({ store, files }: Project, job: Job): Promise<string | null> {
  const link = job.inputsFrom.find((i) => i.ext === ".gui" && i.jobId !== job.id);
  if (link) {
    const parent = await store.jobs.get(link.jobId);
    const file = parent && path.join(files.folderOf(parent), `${parent.name}.gui`);
    return file && fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
  }
  // an aux file of its own name was overwritten by the run's fort.34: then it is not known
  const aux = job.auxFiles.find((n) => n.toLowerCase().endsWith(".gui") && n !== `${job.name}.gui`);
  const file = aux && path.join(files.folderOf(job), aux);
  return file && fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
}

export async function restartJob(project: Project, id: number): Promise<Restart> {
  const { store, files } = project;
  const job = await store.jobs.require(id);
  if (!isTerminal(job.status)) {
    throw new UserError(
      `job ${id} is ${job.status} — a restart continues a finished run; wait for it, or cancel it first`,
    );
  }
  const folder = files.folderOf(job);
  const continuation = continueRun(job, folder, { startGeometry: await startGeometry(project, job) });
  // aux files the job was given go along, unless its own output replaces them (its geometry, say)
  const replaced = new Set(continuation.inputs.filter((i) => i.jobId === job.id).map((i) => i.ext));
  const auxNames = job.auxFiles.filter((n) => !replaced.has(n.slice(n.lastIndexOf(".")).toLowerCase()));
  const problems = deckProblems(continuation.deck, {
    auxFiles: auxNames,
    fromParents: continuation.inputs.map((i) => i.ext),
  });
  if (problems.length > 0) {
    throw new UserError(`job ${id}'s continuation would not run: ${problemsText(problems)}`);
  }
  const parents = await store.dependencies.dependenciesOf(job.id);
  const [made] = await createJobs(project, [
    {
      name: job.name,
      input: continuation.deck,
      auxFiles: auxNames.map((n) => path.join(folder, n)),
      clusterId: job.clusterId,
      runnerType: job.runnerType,
      parallelism: job.parallelism,
      priority: job.priority,
      // what the job waited for; not the job itself (it is over, maybe FAILED: its outputs are enough)
      dependencies: parents.map((d) => ({ dependsOn: d.dependsOnJobId, type: d.type })),
      retryOf: job.id,
      attempt: job.attempt + 1,
      inputsFrom: continuation.inputs,
    },
  ]);
  return { job: made!, continuation };
}
