// Copying a job into a new one — `job add NAME --from ID`, the TUI's re-run (r) and its "copy and
// edit": the deck, the auxiliary files given with it, the links to its parents' files (a geometry
// taken from an optimisation, a wavefunction from an SCF) with the dependencies they imply, its
// cluster and its resources. The links are copied as links, not as the files the source's folder
// holds now: after a run the source's own `<name>.gui` is its OUTPUT geometry (fort.34 comes back
// under the name its input had), so only the parent's result is the input the source started from.
// The copy is a job of its own: not a step of the source's workflow, not a retry of it.
import fs from "node:fs";
import path from "node:path";
import type { DependencyType } from "../domain/dependencies.js";
import { UsageError, UserError } from "../domain/errors.js";
import { checkParallelism } from "../domain/parallelism.js";
import { isTerminal } from "../domain/status.js";
import type { Job, NewJob, Parallelism } from "../domain/types.js";
import type { Project } from "../engine/hooks.js";
import { setScfKeyword } from "../workflows/deck-edit.js";
import { deckProblems, problemsText } from "./deck-problems.js";
import { createJobs } from "./project.js";

/** What a copy changes of its source; everything else is taken as it is. */
export interface CopyChanges {
  /** The new job's name (default: the source's). */
  name?: string;
  /** A new deck (an edit of the source's). */
  deck?: string;
  /** `KEY=VALUE` changes: resources (ranks, time, …), cluster, priority, or an SCF keyword (TOLDEE=9). */
  set?: readonly string[];
  /** Check the deck (default true): a copy is not made while its deck has problems. */
  check?: boolean;
}

/** The resources `--set` may change, by the words a user types, to the job's fields. */
const RESOURCE_KEYS: Readonly<Record<string, keyof Parallelism>> = {
  ranks: "mpi_ranks",
  threads: "threads_per_rank",
  nodes: "nodes",
  time: "time",
  partition: "partition",
  qos: "qos",
  account: "account",
  mem: "mem",
  constraint: "constraint",
};
const NUMERIC: ReadonlySet<keyof Parallelism> = new Set(["mpi_ranks", "threads_per_rank", "nodes"]);
const OTHER_KEYS = ["cluster", "priority"];

/** The words `--set` knows, for messages and help. */
/** The keys `--set` takes besides SCF keywords; `job add`'s flags of the same names mean the same. */
export const SET_KEYS: readonly string[] = [...Object.keys(RESOURCE_KEYS), ...OTHER_KEYS];
export const SET_KEYS_TEXT = `${SET_KEYS.join(", ")}, or an SCF keyword in capitals (TOLDEE=9, SHRINK=8 8)`;

function wholeNumber(key: string, value: string, min: number, max: number): number {
  const t = value.trim();
  if (!/^[+-]?\d{1,9}$/.test(t) || Number(t) < min || Number(t) > max) {
    throw new UserError(
      `--set ${key}= must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
    );
  }
  return Number(t);
}

interface Changed {
  deck: string;
  parallelism: Parallelism;
  priority: number;
  cluster: { id: number | null; type: string } | undefined;
}

async function applySets(
  project: Project,
  source: Job,
  deck: string,
  sets: readonly string[],
): Promise<Changed> {
  const out: Changed = {
    deck,
    parallelism: { ...source.parallelism },
    priority: source.priority,
    cluster: undefined,
  };
  for (const pair of sets) {
    const eq = pair.indexOf("=");
    if (eq < 1)
      throw new UsageError(`--set ${JSON.stringify(pair)} must be KEY=VALUE — KEY is ${SET_KEYS_TEXT}`);
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1);
    const field = RESOURCE_KEYS[key.toLowerCase()];
    if (field) {
      // an empty value removes the setting (the cluster's default applies)
      if (value.trim() === "") delete out.parallelism[field];
      else if (NUMERIC.has(field))
        (out.parallelism as Record<string, number>)[field] = wholeNumber(key, value, 1, 100_000);
      else (out.parallelism as Record<string, string>)[field] = value.trim();
    } else if (key.toLowerCase() === "priority") {
      out.priority = wholeNumber(key, value, -1_000_000, 1_000_000);
    } else if (key.toLowerCase() === "cluster") {
      const name = value.trim();
      if (name === "") throw new UserError("--set cluster= needs a cluster name (or local for this machine)");
      if (name === "local") out.cluster = { id: null, type: "local" };
      else {
        const c = await project.store.clusters.requireByName(name);
        out.cluster = { id: c.id, type: c.type };
      }
    } else if (/^[A-Z][A-Z0-9_]*$/.test(key)) {
      const edited = setScfKeyword(out.deck, key, value.trim());
      if (edited === null) {
        throw new UserError(
          `--set ${key}: the SCF section of job ${source.id}'s deck could not be found — edit the deck instead (--edit)`,
        );
      }
      out.deck = edited;
    } else {
      throw new UsageError(
        `--set ${JSON.stringify(key)} is not something a copy can change — use ${SET_KEYS_TEXT}`,
      );
    }
  }
  out.parallelism = checkParallelism(out.parallelism);
  return out;
}

/** The source's deck, or why there is none to copy. */
function deckOf(job: Job): string {
  if (job.inputFile && job.inputFile.trim() !== "") return job.inputFile;
  if (job.renderSpec) {
    throw new UserError(
      `job ${job.id}'s deck is made from its parents' results when it starts — copy it once it has started`,
    );
  }
  throw new UserError(`job ${job.id} has no deck recorded — create a new job instead`);
}

/**
 * The new job a copy makes, checked through (not yet recorded): its links to parents whose jobs
 * are gone are refused (the file they gave is no longer anyone's result), and so is a deck that
 * has problems (unless `check` is false).
 */
async function copySpec(project: Project, source: Job, changes: CopyChanges): Promise<NewJob> {
  const { store, files } = project;
  const folder = files.folderOf(source);
  const auxFiles = source.auxFiles.map((name) => path.join(folder, name));
  const missing = auxFiles.find((f) => !fs.existsSync(f));
  if (missing) {
    throw new UserError(
      `job ${source.id}'s auxiliary file ${missing} is gone — restore it, or make a new job with \`crystal-tui job add\``,
    );
  }
  const inputsFrom = source.inputsFrom.filter((i) => i.jobId !== source.id);
  const parents = new Map((await store.jobs.byIds(inputsFrom.map((i) => i.jobId))).map((p) => [p.id, p]));
  for (const input of inputsFrom) {
    if (!parents.has(input.jobId) && !input.optional) {
      throw new UserError(
        `job ${source.id} takes ${input.ext} from job ${input.jobId}, which was deleted — give the file with --aux instead`,
      );
    }
  }
  const dependencies: { dependsOn: number; type: DependencyType }[] = (
    await store.dependencies.dependenciesOf(source.id)
  ).map((d) => ({ dependsOn: d.dependsOnJobId, type: d.type }));
  const changed = await applySets(project, source, changes.deck ?? deckOf(source), changes.set ?? []);
  if (changes.check !== false) {
    const problems = deckProblems(changed.deck, {
      auxFiles: source.auxFiles,
      fromParents: inputsFrom.map((i) => i.ext),
    });
    if (problems.length > 0) {
      throw new DeckHasProblems(problems.length, `the deck has problems: ${problemsText(problems)}`);
    }
  }
  return {
    name: changes.name ?? source.name,
    input: changed.deck,
    auxFiles,
    clusterId: changed.cluster ? changed.cluster.id : source.clusterId,
    runnerType: changed.cluster ? changed.cluster.type : source.runnerType,
    parallelism: changed.parallelism,
    priority: changed.priority,
    dependencies,
    inputsFrom: inputsFrom.filter((i) => parents.has(i.jobId)),
  };
}

/** A deck that cannot be run as it is: the job is not made (the TUI shows the problems). */
export class DeckHasProblems extends UserError {
  override readonly name = "DeckHasProblems";
  constructor(
    readonly count: number,
    message: string,
  ) {
    super(message);
  }
}

/** Copies job `sourceId` into a new job, with `changes`; returns the new job. */
export async function copyJob(project: Project, sourceId: number, changes: CopyChanges = {}): Promise<Job> {
  const source = await project.store.jobs.require(sourceId);
  const [made] = await createJobs(project, [await copySpec(project, source, changes)]);
  return made!;
}

/**
 * Re-runs a finished job as a NEW job: a copy under the same name (the old job and its history
 * stay as they were). Only a finished job: one still pending or running is not repeated.
 */
export async function rerunJob(project: Project, job: Job): Promise<Job> {
  if (!isTerminal(job.status)) {
    throw new UserError(
      `job ${job.id} is ${job.status} — only a finished job can be re-run (cancel it first to start over)`,
    );
  }
  return copyJob(project, job.id, { check: false });
}
