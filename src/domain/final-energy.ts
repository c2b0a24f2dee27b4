// Whether a job's energy is a final one — the one rule the job list, the job detail, `job show` and
// the workflow summaries ("lowest energy") all ask. An optimisation that ran out of steps or time
// still reports the energy of its last converged SCF: a real number, but of a geometry that is not
// the answer, so it is shown with a mark and never taken as a result.
import type { JobStatus } from "./status.js";

/** Written after an energy that is not final (the list, `job show`, workflow tables). */
export const NOT_FINAL_MARK = "~";

export type EnergyStanding = { final: true } | { final: false; why: string };

/** What a stored result says about its own run (the parser's `status` and `error_kind`). */
export interface RunVerdict {
  status?: unknown;
  error_kind?: unknown;
}

/** The parser's error kinds in a chemist's words (for "not final: …"). */
const WHY: Readonly<Record<string, string>> = {
  scf_not_converged: "the SCF did not converge",
  geometry_not_converged: "the geometry optimisation did not converge",
  input_error: "CRYSTAL rejected the input",
  memory: "the run ran out of memory",
  mpi_abort: "MPI aborted the run",
  walltime: "the run reached its time limit",
  killed: "the run was killed before it finished",
  crashed: "CRYSTAL crashed",
};

/**
 * A result's own verdict decides (the parser says `completed` only when the run ended normally and
 * reached its goal); a result without one (an earlier tool's) counts as final only for a COMPLETED
 * job. A job still running has no final energy yet.
 */
export function energyStanding(jobStatus: JobStatus | null, result: RunVerdict | null): EnergyStanding {
  const status = typeof result?.status === "string" ? result.status : null;
  if (jobStatus === "RUNNING" || jobStatus === "QUEUED" || jobStatus === "PENDING")
    return { final: false, why: "the job is still running" };
  if (status === "completed") return { final: true };
  if (status === "failed" || status === "incomplete") {
    const kind = typeof result?.error_kind === "string" ? WHY[result.error_kind] : undefined;
    return {
      final: false,
      why: kind ?? (status === "incomplete" ? "the run stopped before it finished" : "the run failed"),
    };
  }
  if (jobStatus === "COMPLETED") return { final: true };
  return { final: false, why: `the job ${jobStatus === null ? "has no status" : `is ${jobStatus}`}` };
}

/** The lowest final energy among jobs (those whose energy is not final are left out), or null. */
export function lowestFinalEnergy<T>(
  jobs: readonly T[],
  energyOf: (job: T) => number | null,
  standingOf: (job: T) => EnergyStanding,
): { job: T; energy: number } | null {
  let best: { job: T; energy: number } | null = null;
  for (const job of jobs) {
    const energy = energyOf(job);
    if (energy === null || !Number.isFinite(energy) || !standingOf(job).final) continue;
    if (best === null || energy < best.energy) best = { job, energy };
  }
  return best;
}
