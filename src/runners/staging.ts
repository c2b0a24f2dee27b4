// Moving files between a job folder and the folder CRYSTAL runs in, by CRYSTAL's names: the deck
// becomes INPUT, `mgo.gui` becomes fort.34, `mgo.f9` becomes fort.20, …; after the run fort.9 comes
// back as `mgo.f9`, the run's last geometry (fort.34, or the newest optcNNN of a killed
// optimisation) as `mgo.gui`, OPTINFO.DAT as `mgo.optinfo`, … (src/crystal/files.ts).
import fs from "node:fs";
import path from "node:path";
import { deckFileOf, programOf } from "../crystal/deck-file.js";
import {
  GEOMETRY_OUTPUT,
  INPUT_NAME,
  KEPT_OUTPUTS,
  keptNameFor,
  lastGeometryFile,
  newestOptimisationPoint,
  stagedNameFor,
} from "../crystal/files.js";
import { UserError } from "../domain/errors.js";
import type { Job } from "../domain/types.js";

/** The files to place in the run folder: CRYSTAL name → path in the job folder. */
export function stagingPlan(job: Job, jobFolder: string): Map<string, string> {
  const plan = new Map<string, string>();
  const program = programOf(job);
  const deck = path.join(jobFolder, deckFileOf(job));
  if (!fs.existsSync(deck)) {
    throw new UserError(`job ${job.id}: its deck ${deck} is missing — re-create the job`);
  }
  plan.set(INPUT_NAME, deck);
  const candidates = new Set([...job.auxFiles, ...fs.readdirSync(jobFolder)]);
  for (const name of candidates) {
    const staged = stagedNameFor(name, program);
    if (!staged) continue;
    const file = path.join(jobFolder, name);
    if (!fs.existsSync(file)) continue;
    // a file named after the job wins over other files with the same extension (e.g. a kept output)
    if (plan.has(staged) && !name.startsWith(`${job.name}.`)) continue;
    plan.set(staged, file);
  }
  return plan;
}

/** Copies the deck and auxiliary inputs into `runDir` under CRYSTAL's names. */
export function stageInputs(job: Job, jobFolder: string, runDir: string): string[] {
  fs.mkdirSync(runDir, { recursive: true });
  const staged: string[] = [];
  for (const [crystalName, src] of stagingPlan(job, jobFolder)) {
    fs.copyFileSync(src, path.join(runDir, crystalName));
    staged.push(crystalName);
  }
  return staged;
}

/**
 * The bytes staged as fort.34 for this job (its EXTERNAL input, from the job folder), or null when
 * it reads none. Asked after the run: the staging plan is the same then (the job folder's `.gui`
 * is replaced only by the collection that asks).
 */
export function stagedGeometry(job: Job, jobFolder: string): Buffer | null {
  let source: string | undefined;
  try {
    source = stagingPlan(job, jobFolder).get(GEOMETRY_OUTPUT);
  } catch {
    return null; // no deck: nothing was staged from it
  }
  return source === undefined ? null : fs.readFileSync(source);
}

/** Copies CRYSTAL's output files worth keeping from `runDir` back into the job folder. */
export function collectOutputs(job: Job, runDir: string, jobFolder: string): string[] {
  const kept: string[] = [];
  const there = fs.readdirSync(runDir);
  const fort34 = path.join(runDir, GEOMETRY_OUTPUT);
  // only worth reading when an optcNNN could be kept instead
  const staged =
    newestOptimisationPoint(there) !== null && fs.existsSync(fort34) ? stagedGeometry(job, jobFolder) : null;
  const geometry = lastGeometryFile(there, staged?.equals(fs.readFileSync(fort34)) === true);
  for (const crystalName of Object.keys(KEPT_OUTPUTS)) {
    const from = crystalName === GEOMETRY_OUTPUT ? geometry : crystalName;
    const target = keptNameFor(crystalName, job.name);
    if (!target || from === null) continue;
    const src = path.join(runDir, from);
    if (!fs.existsSync(src)) continue;
    fs.copyFileSync(src, path.join(jobFolder, target));
    kept.push(target);
  }
  return kept;
}
