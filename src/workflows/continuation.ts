// The continuation of a CRYSTAL run, as CRYSTAL users make it by hand — the one place that knows
// how, for `crystal-tui job restart` (and the TUI's R) and for the workflows' recovery policies:
//  - SCF: GUESSP, the density matrix read from the run's fort.9 (staged as fort.20). A fort.9 left
//    empty (a run killed while writing it, as SIGTERM at the time limit does) is no start at all;
//  - optimisation: the last geometry (EXTERNAL, from the run's kept `.gui`: the fort.34 it wrote at
//    the end, or the newest optcNNN of a killed run — lastGeometryFile) with OPTGEOM's RESTART
//    (OPTINFO.DAT: the steps so far) and HESSOPT (HESSOPT.DAT: the Hessian reached); a geometry
//    that did not change is no progress to continue from;
//  - frequencies: FREQCALC's RESTART with FREQINFO.DAT, the displacements already computed.
// A continuation reads the run's own kept outputs (`<name>.f9`, `.gui`, `.optinfo`, `.hessopt`,
// `.freqinfo`, src/crystal/files.ts) as links to that job, so they are copied when it starts.
import fs from "node:fs";
import path from "node:path";
import { readDeck } from "../crystal/deck.js";
import { UserError } from "../domain/errors.js";
import type { InputFromParent, Job } from "../domain/types.js";
import { addFreqcalcFlag, addOptgeomFlag, addScfFlag, externalGeometry } from "./deck-edit.js";

/** What a run was, for its continuation. */
export type RunKind = "scf" | "optimisation" | "frequencies";

export interface Continuation {
  kind: RunKind;
  deck: string;
  /** The job's links to parents' files, with the continued job's own outputs in place. */
  inputs: InputFromParent[];
  /** What was changed, in a chemist's words ("GUESSP from its fort.9", …). */
  what: string[];
}

/** A continuation that cannot be made, and why (the message says what to do instead). */
export class CannotContinue extends UserError {
  override readonly name = "CannotContinue";
}

/** The kind of run a deck asks for, or null for one that has no continuation here (elastic, EOS…). */
export function runKindOf(deck: string): RunKind | null {
  const report = readDeck(deck);
  if (report.kind !== "crystal") return null;
  if (report.calcType === "scf") return "scf";
  if (report.calcType === "opt") return "optimisation";
  if (report.calcType === "freq") return "frequencies";
  return null;
}

/** The files of a finished run, by kept-output extension (`.f9` → `<folder>/<name>.f9`). */
class RunFiles {
  constructor(
    readonly job: Pick<Job, "id" | "name" | "inputsFrom">,
    readonly folder: string,
  ) {}
  file(ext: string): string {
    return path.join(this.folder, `${this.job.name}${ext}`);
  }
  has(ext: string): boolean {
    return fs.existsSync(this.file(ext));
  }
  size(ext: string): number {
    try {
      return fs.statSync(this.file(ext)).size;
    } catch {
      return -1;
    }
  }
}

function withOwn(inputs: InputFromParent[], jobId: number, ext: string, optional = false): InputFromParent[] {
  return [...inputs.filter((i) => i.ext !== ext), { jobId, ext, ...(optional ? { optional: true } : {}) }];
}

/** The numbers of a geometry file, so that layout (spaces, line ends) does not count as a change. */
function numbersOf(text: string): string {
  return (text.match(/[-+]?\d*\.?\d+(?:[eEdD][-+]?\d+)?/g) ?? [])
    .map((n) => Number(n.replace(/[dD]/, "e")))
    .join(" ");
}

export interface ContinueOptions {
  /**
   * The geometry the run started from (a fort.34), when it read one; its kept output is compared
   * with it. Null: it typed its geometry in (then its optimisation steps say if it moved).
   */
  startGeometry?: string | null;
  /** Refuse an optimisation whose geometry did not change (default true; recovery retries anyway). */
  requireProgress?: boolean;
}

/** GUESSP from the run's own wavefunction. */
export function continueScf(job: Job, folder: string, deck: string): Continuation {
  const run = new RunFiles(job, folder);
  const size = run.size(".f9");
  if (size < 0) {
    throw new CannotContinue(
      `job ${job.id} left no wavefunction (fort.9) to restart from — re-run it instead (crystal-tui job add ${job.name} --from ${job.id})`,
    );
  }
  if (size === 0) {
    throw new CannotContinue(
      `job ${job.id}'s fort.9 is empty (the run was stopped while writing it) — there is no wavefunction to restart from; re-run it instead`,
    );
  }
  const edited = addScfFlag(deck, "GUESSP");
  if (edited === null) {
    throw new CannotContinue(
      `job ${job.id}'s deck has no SCF section that GUESSP could be added to — edit it by hand`,
    );
  }
  return {
    kind: "scf",
    deck: edited,
    inputs: withOwn(job.inputsFrom, job.id, ".f9"),
    what: ["GUESSP from its last wavefunction"],
  };
}

/** The last geometry (EXTERNAL), with RESTART (OPTINFO.DAT) and HESSOPT (HESSOPT.DAT) when the run left them. */
export function continueOptimisation(
  job: Job,
  folder: string,
  deck: string,
  opts: ContinueOptions = {},
): Continuation {
  const run = new RunFiles(job, folder);
  if (run.size(".gui") <= 0) {
    throw new CannotContinue(
      `job ${job.id} left no geometry (fort.34 or optcNNN) to continue from — re-run it instead (crystal-tui job add ${job.name} --from ${job.id})`,
    );
  }
  if (opts.requireProgress !== false) {
    const last = fs.readFileSync(run.file(".gui"), "utf8");
    const unchanged =
      opts.startGeometry != null
        ? numbersOf(opts.startGeometry) === numbersOf(last)
        : job.keyResults?.opt?.steps === 0;
    if (unchanged) {
      throw new CannotContinue(
        `job ${job.id}'s geometry did not change (its last geometry is the one it started from) — a restart would repeat it; give it more time or change the deck (crystal-tui job add ${job.name} --from ${job.id} --edit)`,
      );
    }
  }
  let edited = externalGeometry(deck);
  if (edited === null) {
    throw new CannotContinue(
      `job ${job.id}'s geometry input cannot be replaced by EXTERNAL (only a CRYSTAL 3D input is) — edit the deck by hand`,
    );
  }
  let inputs = withOwn(job.inputsFrom, job.id, ".gui");
  const what = ["the last geometry (EXTERNAL)"];
  if (run.size(".optinfo") > 0) {
    edited = addOptgeomFlag(edited, "RESTART") ?? edited;
    inputs = withOwn(inputs, job.id, ".optinfo");
    what.push("OPTGEOM RESTART from its OPTINFO.DAT");
  }
  if (run.size(".hessopt") > 0) {
    edited = addOptgeomFlag(edited, "HESSOPT") ?? edited;
    inputs = withOwn(inputs, job.id, ".hessopt", true);
    what.push("its Hessian (HESSOPT)");
  }
  return { kind: "optimisation", deck: edited, inputs, what };
}

/** FREQCALC RESTART from the run's FREQINFO.DAT. */
export function continueFrequencies(job: Job, folder: string, deck: string): Continuation {
  const run = new RunFiles(job, folder);
  if (run.size(".freqinfo") <= 0) {
    throw new CannotContinue(
      `job ${job.id} left no FREQINFO.DAT to restart its frequencies from — re-run it instead (crystal-tui job add ${job.name} --from ${job.id})`,
    );
  }
  const edited = addFreqcalcFlag(deck, "RESTART");
  if (edited === null) {
    throw new CannotContinue(`job ${job.id}'s FREQCALC block could not be found — edit the deck by hand`);
  }
  return {
    kind: "frequencies",
    deck: edited,
    inputs: withOwn(job.inputsFrom, job.id, ".freqinfo"),
    what: ["FREQCALC RESTART from its FREQINFO.DAT"],
  };
}

/** The continuation of a finished run, by the kind of run its deck asks for. */
export function continueRun(job: Job, folder: string, opts: ContinueOptions = {}): Continuation {
  const deck = job.inputFile;
  if (!deck || deck.trim() === "")
    throw new CannotContinue(`job ${job.id} has no deck recorded — nothing to restart`);
  const kind = runKindOf(deck);
  if (kind === "scf") return continueScf(job, folder, deck);
  if (kind === "optimisation") return continueOptimisation(job, folder, deck, opts);
  if (kind === "frequencies") return continueFrequencies(job, folder, deck);
  throw new CannotContinue(
    `job ${job.id} is not an SCF, an optimisation or a frequency run — continue it by hand (crystal-tui job add NAME --from ${job.id} --edit)`,
  );
}

/**
 * The deck keywords that read a continued run's outputs, applied again to a deck made anew (a
 * workflow step re-rendered from its template): GUESSP for its fort.9, EXTERNAL for its geometry,
 * RESTART and HESSOPT for its optimisation data, FREQCALC RESTART for its frequencies.
 */
export function readContinuedOutputs(deck: string, exts: ReadonlySet<string>): string {
  let d = deck;
  const apply = (fn: (x: string) => string | null) => {
    d = fn(d) ?? d;
  };
  if (exts.has(".f9")) apply((x) => addScfFlag(x, "GUESSP"));
  if (exts.has(".gui")) apply(externalGeometry);
  if (exts.has(".optinfo")) apply((x) => addOptgeomFlag(x, "RESTART"));
  if (exts.has(".hessopt")) apply((x) => addOptgeomFlag(x, "HESSOPT"));
  if (exts.has(".freqinfo")) apply((x) => addFreqcalcFlag(x, "RESTART"));
  return d;
}
