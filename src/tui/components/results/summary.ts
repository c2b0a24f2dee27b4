// The top of the Results tab (and of `job show`'s results): how the run ended, what it computed,
// and the rows of the result-field table (the same rows as `crystal-tui parse`), with the energy
// marked when it is not a final one, then CRYSTAL's warnings and errors.
import type { CrystalResult } from "../../../crystal/result.js";
import { resultRows, TASK_NAMES } from "../../../crystal/result-fields.js";
import { energyStanding, NOT_FINAL_MARK } from "../../../domain/final-energy.js";
import type { JobStatus } from "../../../domain/status.js";
import { type Line, printable, row, span } from "./styled.js";

export interface SummaryInput {
  results: CrystalResult;
  /** The job's status (null for an output read without a job). */
  jobStatus: JobStatus | null;
  /** Values read from a running job's output so far. */
  live: boolean;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))) : [];

export function summaryLines({ results, jobStatus, live }: SummaryInput): Line[] {
  const out: Line[] = [];
  const status = typeof results.status === "string" ? results.status : "";
  out.push(
    row(
      "Outcome",
      span(status || "unknown", status === "completed" ? "good" : status === "failed" ? "bad" : "warn"),
      live ? span(" (so far — the job is still running)", "warn") : null,
    ),
  );
  if (typeof results.calc_type === "string")
    out.push(row("Calculation", TASK_NAMES[results.calc_type] ?? results.calc_type));
  const standing = energyStanding(live ? "RUNNING" : jobStatus, results);
  for (const r of resultRows(results)) {
    if (r.key === "final_energy_hartree" && !standing.final) {
      // the energy of the last converged SCF, of a run that did not reach its goal (or not yet)
      const tone = live ? "warn" : "bad";
      // the table's own "~ not final" knows no job status: the reason is said below, with it
      const value = r.value.split(` ${NOT_FINAL_MARK} `)[0]!;
      out.push(row("Last energy", span(`${value} ${NOT_FINAL_MARK}`, tone)));
      out.push(row("", span(`${NOT_FINAL_MARK} not a final energy: ${standing.why}`, tone)));
      continue;
    }
    const going = live ? soFar(r.key, results) : null;
    if (going) {
      out.push(row(r.label, span(going, "warn")));
      continue;
    }
    out.push(row(r.label, r.warn ? span(r.value, "bad") : r.value));
  }
  for (const [i, w] of strings(results.warnings).entries())
    out.push(row(i === 0 ? "Warnings" : "", span(printable(w), "warn")));
  for (const [i, e] of strings(results.errors).entries())
    out.push(row(i === 0 ? "Errors" : "", span(printable(e), "bad")));
  return out;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/**
 * An SCF or optimisation of a run still going that has not converged yet: how far it got, "so far"
 * (the table's "not converged after …" is a verdict only the end can give). Null for anything else.
 */
function soFar(key: string, results: CrystalResult): string | null {
  if (key === "scf" && !results.scf.converged && results.scf.cycles > 0) {
    const last = results.scf.energies_hartree.at(-1);
    const energy = last !== undefined ? ` (last ${last.toFixed(8)} Ha)` : "";
    return `${count(results.scf.cycles, "cycle")} so far${energy}`;
  }
  if (key === "opt" && results.opt && !results.opt.converged)
    return `${count(results.opt.steps, "step")} so far`;
  return null;
}
