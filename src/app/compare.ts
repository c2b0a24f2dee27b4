// Comparing jobs (`crystal-tui job compare`, the TUI's `=`): each job's energy, its difference to a
// reference — a job the user chose, or the lowest final energy among them — in the unit asked for,
// per cell, per atom or per formula unit (src/crystal/formula-unit.ts), with the gap, the volume, the SCF cycles, the run time and the status. An
// energy that is not final (an optimisation stopped early, a job still running) is shown, marked,
// and never taken as the lowest (src/domain/final-energy.ts decides which are final).
import { formulaUnitOf } from "../crystal/formula-unit.js";
import { type EnergyUnit, fromHartree } from "../domain/energy-units.js";
import { UserError } from "../domain/errors.js";
import { energyStanding, lowestFinalEnergy } from "../domain/final-energy.js";
import { runtimeSeconds } from "../domain/job-times.js";
import type { JobStatus } from "../domain/status.js";
import type { Job } from "../domain/types.js";
import type { ProjectStore } from "../store/port.js";

export type EnergyPer = "cell" | "atom" | "formula";

export const ENERGY_PER: readonly EnergyPer[] = ["cell", "atom", "formula"];

/** How a table heads "per what" ("/atom", "/MgO", "/f.u." when the jobs' formulas differ). */
export function perLabel(per: EnergyPer, formulas: readonly (string | null)[] = []): string {
  if (per === "cell") return "";
  if (per === "atom") return "/atom";
  const known = [...new Set(formulas.filter((f): f is string => f !== null))];
  return known.length === 1 ? `/${known[0]}` : "/f.u.";
}

export interface CompareOptions {
  unit?: EnergyUnit;
  per?: EnergyPer;
  /** The job the differences are taken to; default: the lowest final energy among them. */
  relativeTo?: number;
}

export interface ComparedJob {
  id: number;
  name: string;
  status: JobStatus;
  /** The run's energy (whole cell), as CRYSTAL printed it. */
  finalEnergyHartree: number | null;
  /** Whether that energy is a final one; why not, when it is not. */
  final: boolean;
  notFinalWhy: string | null;
  atoms: number | null;
  /** The reduced formula of its cell and how many of it the cell holds (Z); null when unknown. */
  formula: string | null;
  formulaUnits: number | null;
  /** The energy in the unit and per what was asked (null: none, or per atom/formula unit unknown). */
  energy: number | null;
  /** energy − the reference's energy, in the same unit (null when either is missing). */
  delta: number | null;
  gapEv: number | null;
  /** Å³ in 3D (Å² for a slab, Å for a polymer), as CRYSTAL prints VOLUME. */
  volume: number | null;
  scfCycles: number | null;
  runtimeSeconds: number | null;
}

export interface Comparison {
  unit: EnergyUnit;
  per: EnergyPer;
  /** The job the differences are taken to, and how it was chosen; null when no energy is final. */
  reference: { id: number; chosen: boolean } | null;
  jobs: ComparedJob[];
}

/**
 * The job asked for as the reference cannot be one (no energy, none per atom, not final). `reason`
 * is said without naming a way to choose another: the CLI adds `--relative-to`, the TUI its key.
 */
export class UnusableReference extends UserError {
  constructor(readonly reason: string) {
    super(`${reason} — choose another with --relative-to`);
  }
}

function atomsOf(job: Job): number | null {
  const r = job.keyResults;
  return r?.n_atoms ?? (r?.geometry?.atoms.length || null);
}

function formulaOf(job: Job) {
  return formulaUnitOf(job.keyResults?.geometry?.atoms ?? []);
}

/** What a cell's energy is divided by for `per`; null when that count is not known. */
function divisorOf(job: Job, per: EnergyPer): number | null {
  if (per === "cell") return 1;
  if (per === "atom") return atomsOf(job);
  return formulaOf(job)?.perCell ?? null;
}

const UNKNOWN_COUNT: Record<Exclude<EnergyPer, "cell">, string> = {
  atom: " per atom (its atom count is not known)",
  formula: " per formula unit (its atoms are not known)",
};

export async function compareJobs(
  store: ProjectStore,
  ids: readonly number[],
  opts: CompareOptions = {},
): Promise<Comparison> {
  const unit = opts.unit ?? "Ha";
  const per = opts.per ?? "cell";
  if (ids.length === 0)
    throw new UserError("name the jobs to compare by their ids (see `crystal-tui job list`)");
  const wanted = [...new Set(opts.relativeTo !== undefined ? [...ids, opts.relativeTo] : ids)];
  const found = new Map((await store.jobs.byIds(wanted)).map((j) => [j.id, j]));
  const missing = wanted.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new UserError(`there is no job ${missing.join(", ")} — see \`crystal-tui job list\``);
  }
  // the reference is shown too, when it was not among the jobs named
  const jobs = wanted.map((id) => found.get(id)!);
  const energyOf = (job: Job): number | null => {
    if (job.finalEnergy === null) return null;
    const divisor = divisorOf(job, per);
    return divisor ? fromHartree(job.finalEnergy / divisor, unit) : null;
  };
  const standing = (job: Job) => energyStanding(job.status, job.keyResults);
  let reference: Comparison["reference"] = null;
  let refEnergy: number | null = null;
  if (opts.relativeTo !== undefined) {
    const ref = found.get(opts.relativeTo)!;
    const s = standing(ref);
    refEnergy = energyOf(ref);
    if (refEnergy === null) {
      throw new UnusableReference(
        `job ${ref.id} has no energy${per !== "cell" && ref.finalEnergy !== null ? UNKNOWN_COUNT[per] : ""} to compare to`,
      );
    }
    if (!s.final) throw new UnusableReference(`job ${ref.id}'s energy is not final (${s.why})`);
    reference = { id: ref.id, chosen: true };
  } else {
    const lowest = lowestFinalEnergy(jobs, energyOf, standing);
    if (lowest) {
      reference = { id: lowest.job.id, chosen: false };
      refEnergy = lowest.energy;
    }
  }
  return {
    unit,
    per,
    reference,
    jobs: jobs.map((job) => {
      const s = standing(job);
      const energy = energyOf(job);
      const r = job.keyResults;
      const fu = formulaOf(job);
      return {
        id: job.id,
        name: job.name,
        status: job.status,
        finalEnergyHartree: job.finalEnergy,
        final: s.final,
        notFinalWhy: s.final ? null : s.why,
        atoms: atomsOf(job),
        formula: fu?.formula ?? null,
        formulaUnits: fu?.perCell ?? null,
        energy,
        delta: energy !== null && refEnergy !== null ? energy - refEnergy : null,
        gapEv: r?.band_gap_ev ?? null,
        volume: r?.geometry?.volume ?? null,
        scfCycles: r?.scf?.cycles ?? null,
        runtimeSeconds: runtimeSeconds(job) ?? r?.wall_time_s ?? null,
      };
    }),
  };
}
