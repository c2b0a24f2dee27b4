// What a workflow's jobs add up to, for `workflow show` and the TUI's workflow screen: how many
// steps completed, the lowest energy among the runs whose energy is final — a run that did not
// converge (an optimisation out of steps or time) reports the energy of a geometry that is not the
// answer and would otherwise win — and which energies were left out, with why.
import {
  type EnergyStanding,
  energyStanding,
  lowestFinalEnergy,
  type RunVerdict,
} from "../domain/final-energy.js";
import type { JobStatus } from "../domain/status.js";

export interface SummaryJob {
  id: number;
  name: string;
  step: string | null;
  status: JobStatus;
  finalEnergy: number | null;
  /** The stored result's own verdict (status, error_kind), when known. */
  verdict: RunVerdict | null;
  /** Its result was replayed by crystal-tui's CRYSTAL stand-in (unknown: false). */
  standin?: boolean;
}

export interface WorkflowSummary {
  jobs: number;
  completed: number;
  /** The lowest final energy, Hartree, and the job that has it; null when no run has one. */
  lowest_energy: { job_id: number; name: string; step: string | null; energy_hartree: number } | null;
  /** Jobs with an energy that is not final, left out of `lowest_energy`. */
  not_final: { job_id: number; name: string; step: string | null; energy_hartree: number; why: string }[];
  /** How many of the jobs' results the CRYSTAL stand-in replayed (recorded runs, not computed). */
  replayed_by_standin: number;
}

export function standingOf(job: SummaryJob): EnergyStanding {
  return energyStanding(job.status, job.verdict);
}

export function workflowSummary(jobs: readonly SummaryJob[]): WorkflowSummary {
  const best = lowestFinalEnergy(jobs, (j) => j.finalEnergy, standingOf);
  const not_final: WorkflowSummary["not_final"] = [];
  for (const j of jobs) {
    const s = standingOf(j);
    if (j.finalEnergy !== null && !s.final)
      not_final.push({ job_id: j.id, name: j.name, step: j.step, energy_hartree: j.finalEnergy, why: s.why });
  }
  return {
    jobs: jobs.length,
    completed: jobs.filter((j) => j.status === "COMPLETED").length,
    lowest_energy: best
      ? { job_id: best.job.id, name: best.job.name, step: best.job.step, energy_hartree: best.energy }
      : null,
    not_final,
    replayed_by_standin: jobs.filter((j) => j.standin).length,
  };
}

/** The summary in lines, for people: "lowest energy -271.25962069 Ha (relax, job 8)", then what was left out. */
export function summaryText(
  s: WorkflowSummary,
  formatEnergy: (e: number) => string,
  /** What the jobs are called where the summary is shown ("steps" on the TUI's tree). */
  noun = "jobs",
): string[] {
  const out = [`${s.completed}/${s.jobs} ${noun} completed`];
  if (s.lowest_energy)
    out.push(
      `lowest energy ${formatEnergy(s.lowest_energy.energy_hartree)} Ha (${s.lowest_energy.step ?? s.lowest_energy.name}, job ${s.lowest_energy.job_id})`,
    );
  else if (s.not_final.length > 0) out.push("lowest energy: none yet (no run has a final energy)");
  if (s.replayed_by_standin > 0)
    out.push(
      `${s.replayed_by_standin}/${s.jobs} ${noun}' results replayed by crystal-tui's CRYSTAL stand-in — not computed by CRYSTAL`,
    );
  for (const n of s.not_final)
    out.push(
      `  left out: job ${n.job_id} (${n.step ?? n.name}) ${formatEnergy(n.energy_hartree)} Ha ~ not final: ${n.why}`,
    );
  return out;
}
