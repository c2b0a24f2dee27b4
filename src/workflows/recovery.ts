// Recovery policies, as the CRYSTAL workflow tools do them: a failure CRYSTAL can get past is
// retried as a new job linked to the one it replaces (retry_of, attempt + 1), with a changed deck:
//  - SCF not converged: restart from the last wavefunction (GUESSP ← fort.9 of the failed run),
//    more damping (FMIXING + 20) and more cycles (MAXCYCLE × 2);
//  - walltime / stopped early / optimisation not converged: continue from the last geometry
//    (EXTERNAL ← its fort.34) and Hessian (HESSOPT), with more optimisation steps when they ran out;
//    a single point stopped by the walltime restarts from its wavefunction with twice the time.
// The failed job's dependents are moved onto the retry, so they wait for it instead of being
// skipped; its results feed them instead. Attempts are capped by the step's policy. The retry is
// planned before the failure is recorded and handed to the store's finish as data, which records
// both in one transaction.
import fs from "node:fs";
import path from "node:path";
import { isRecoveryTrigger, type RecoveryTrigger } from "../domain/failures.js";
import { timeLimitSeconds } from "../domain/parallelism.js";
import type { InputFromParent, Job, Parallelism } from "../domain/types.js";
import type { FollowUp, ParsedResult, Project } from "../engine/hooks.js";
import type { Outcome } from "../engine/outcome.js";
import {
  CannotContinue,
  type Continuation,
  continueOptimisation,
  continueScf,
  readContinuedOutputs,
} from "./continuation.js";
import { hasOptgeom, optgeomValue, scfValue, setOptgeomKeyword, setScfKeyword } from "./deck-edit.js";
import { readStoredPlan, stepOfJob } from "./spec.js";
import { renderTemplate } from "./templates.js";

/** CRYSTAL's own defaults, for decks that do not set them. */
const CRYSTAL_DEFAULT_FMIXING = 0;
const CRYSTAL_DEFAULT_MAXCYCLE = 50;
const CRYSTAL_DEFAULT_OPT_MAXCYCLE = 100;

/** Which recoverable failure a finished job had, if any. */
export function recoverableFailure(result: ParsedResult): RecoveryTrigger | null {
  if (!result) return null;
  const kind = result.error_kind;
  if (isRecoveryTrigger(kind)) return kind;
  // the output just stops, or the process was killed mid-run (SIGTERM is how a batch system ends a
  // job at its time limit): the run was cut short, and can continue from where it got to
  if (result.status === "incomplete" && (kind === null || kind === undefined || kind === "killed"))
    return "walltime";
  return null;
}

interface Change {
  deck: string;
  values: Record<string, unknown> | null;
  inputs: InputFromParent[];
  parallelism: Parallelism;
  what: string[];
}

function formatTime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const hms = [h, m, s].map((x) => String(x).padStart(2, "0")).join(":");
  return d > 0 ? `${d}-${hms}` : hms;
}

/** A continuation, or null when it cannot be made. */
function possible(make: () => Continuation): Continuation | null {
  try {
    return make();
  } catch (err) {
    if (err instanceof CannotContinue) return null;
    throw err;
  }
}

/** Applies one edit that may not be possible (null): the deck stays as it was then. */
function edit(deck: string, fn: (d: string) => string | null): string {
  return fn(deck) ?? deck;
}

function planChange(
  job: Job,
  trigger: RecoveryTrigger,
  values: Record<string, unknown> | null,
  folder: string,
): Change | null {
  const deck0 = job.inputFile;
  if (!deck0) return null;
  const inputs = job.inputsFrom.filter((i) => i.jobId !== job.id);
  const v = values ? { ...values } : null;
  const what: string[] = [];
  let deck = deck0;
  let parallelism: Parallelism = { ...job.parallelism };
  const isOpt = hasOptgeom(deck0);

  // the continuations are the ones `job restart` makes (src/workflows/continuation.ts); one that
  // cannot be made (no fort.9, an empty one) leaves the other changes to be tried
  const take = (c: Continuation | null) => {
    if (!c) return;
    deck = c.deck;
    inputs.splice(0, inputs.length, ...c.inputs);
    what.push(...c.what);
  };
  if (trigger === "scf_not_converged" || (trigger === "walltime" && !isOpt)) {
    take(possible(() => continueScf({ ...job, inputsFrom: inputs }, folder, deck)));
    if (v && "guessp" in v && inputs.some((i) => i.jobId === job.id && i.ext === ".f9")) v.guessp = true;
  }
  if (trigger === "scf_not_converged") {
    const fmixing = Math.min(90, (scfValue(deck0, "FMIXING") ?? CRYSTAL_DEFAULT_FMIXING) + 20);
    const maxcycle = Math.min(1000, (scfValue(deck0, "MAXCYCLE") ?? CRYSTAL_DEFAULT_MAXCYCLE) * 2);
    deck = edit(deck, (d) => setScfKeyword(d, "FMIXING", String(fmixing)));
    deck = edit(deck, (d) => setScfKeyword(d, "MAXCYCLE", String(maxcycle)));
    if (v && "fmixing" in v) v.fmixing = fmixing;
    if (v && "maxcycle" in v) v.maxcycle = maxcycle;
    what.push(`FMIXING ${fmixing}`, `MAXCYCLE ${maxcycle}`);
  }
  if ((trigger === "walltime" || trigger === "geometry_not_converged") && isOpt) {
    // a retry with more time or steps is worth it even when no step was completed
    take(
      possible(() =>
        continueOptimisation({ ...job, inputsFrom: inputs }, folder, deck, { requireProgress: false }),
      ),
    );
    const own = new Set(inputs.filter((i) => i.jobId === job.id).map((i) => i.ext));
    if (v && "geometry" in v && own.has(".gui")) v.geometry = "external";
    if (v && "hessopt" in v && own.has(".hessopt")) v.hessopt = true;
  }
  if (trigger === "geometry_not_converged" && isOpt) {
    const steps = Math.min(10_000, (optgeomValue(deck0, "MAXCYCLE") ?? CRYSTAL_DEFAULT_OPT_MAXCYCLE) * 2);
    deck = edit(deck, (d) => setOptgeomKeyword(d, "MAXCYCLE", String(steps)));
    if (v && "opt_maxcycle" in v) v.opt_maxcycle = steps;
    what.push(`OPTGEOM MAXCYCLE ${steps}`);
  }
  if (trigger === "walltime" && parallelism.time) {
    const doubled = Math.min(30 * 86400, timeLimitSeconds(parallelism.time) * 2);
    parallelism = { ...parallelism, time: formatTime(doubled) };
    what.push(`time limit ${parallelism.time}`);
  }
  if (what.length === 0 || deck === deck0) return null;
  return { deck, values: v, inputs, parallelism, what };
}

/**
 * The recovery policy of a failed workflow job: its retry (which takes over its dependents), or the
 * reason it is not retried — as data the engine's finish records with the failure, in the same
 * transaction. Reads only. Returns null when no policy applies.
 */
export async function planRecovery(
  { store, files }: Project,
  job: Job,
  outcome: Outcome,
  result: ParsedResult,
): Promise<FollowUp | null> {
  if (outcome.status !== "FAILED" || job.workflowId === null) return null;
  const trigger = recoverableFailure(result);
  if (!trigger) return null;
  const workflow = await store.workflows.get(job.workflowId);
  if (!workflow) return null;
  const plan = readStoredPlan(workflow.spec);
  const found = stepOfJob(plan, job.id);
  if (!found?.step.recovery?.on.includes(trigger)) return null;
  const policy = found.step.recovery;
  const reason = outcome.reason ?? trigger.replace(/_/g, " ");
  if (job.attempt >= policy.max_attempts) {
    return { reason: `${reason} — not retried: attempt ${job.attempt} of ${policy.max_attempts}` };
  }
  const folder = files.folderOf(job);
  const change = planChange(job, trigger, found.job.values, folder);
  if (!change) {
    return {
      reason: `${reason} — not retried: nothing in its deck could be changed for a ${trigger.replace(/_/g, " ")}`,
    };
  }
  let deck = change.deck;
  const template = found.step.template;
  if (template && change.values) {
    // re-rendered from the template, so the template decides where keywords go; the same edits
    // on top, for what the template has no parameter for
    const rerendered = renderTemplate(template, change.values, { attempt: job.attempt + 1 }).deck;
    deck = rerendered;
    for (const keyword of ["FMIXING", "MAXCYCLE"]) {
      const wanted = scfValue(change.deck, keyword);
      if (wanted !== null && scfValue(deck, keyword) !== wanted)
        deck = edit(deck, (d) => setScfKeyword(d, keyword, String(wanted)));
    }
    deck = readContinuedOutputs(
      deck,
      new Set(change.inputs.filter((i) => i.jobId === job.id).map((i) => i.ext)),
    );
    const optSteps = optgeomValue(change.deck, "MAXCYCLE");
    if (optSteps !== null && optgeomValue(deck, "MAXCYCLE") !== optSteps) {
      deck = edit(deck, (d) => setOptgeomKeyword(d, "MAXCYCLE", String(optSteps)));
    }
  }
  // aux files the job was given (a deck step's .gui, say) go along, unless replaced by its own output
  const replaced = new Set(change.inputs.filter((i) => i.jobId === job.id).map((i) => i.ext));
  const auxFiles = job.auxFiles
    .filter((name) => !replaced.has(name.slice(name.lastIndexOf(".")).toLowerCase()))
    .map((name) => path.join(folder, name))
    .filter((file) => fs.existsSync(file));
  const parents = await store.dependencies.dependenciesOf(job.id);
  const attempt = job.attempt + 1;
  // the retry's folder is made now, before anything is recorded (the engine removes it if unused)
  return {
    retry: {
      job: files.prepare({
        name: job.name,
        input: deck,
        auxFiles,
        clusterId: job.clusterId,
        runnerType: job.runnerType,
        parallelism: change.parallelism,
        priority: job.priority,
        dependencies: parents.map((d) => ({ dependsOn: d.dependsOnJobId, type: d.type })),
        workflowId: job.workflowId,
        workflowStep: job.workflowStep,
        retryOf: job.id,
        attempt,
        inputsFrom: change.inputs,
      }),
      reason: `${reason} — retried as job {retry} (attempt ${attempt} of ${policy.max_attempts}: ${change.what.join(", ")})`,
      planEntry: {
        stepIndex: plan.steps.indexOf(found.step),
        stepName: found.step.name,
        entry: {
          point: found.job.point,
          attempt,
          retry_of: job.id,
          sweep: found.job.sweep,
          values: change.values,
          volume: found.job.volume,
        },
      },
    },
  };
}
