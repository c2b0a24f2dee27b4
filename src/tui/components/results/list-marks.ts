// The marks a job carries next to its energy, in the job list and the job detail's header: `~`
// when the energy is not a final one (the run did not converge or did not finish), `⚠` when the
// frequency calculation found imaginary modes. Symbols, not only colours (NO_COLOR), explained in
// the `?` help and, in words, in the detail.

import { STANDIN_MARK } from "../../../crystal/standin-signature.js";
import { energyStanding, NOT_FINAL_MARK, type RunVerdict } from "../../../domain/final-energy.js";
import type { JobStatus } from "../../../domain/status.js";
import { formatHartree } from "../../format.js";
import { IMAGINARY_MARK } from "./frequencies.js";
import { plural } from "./styled.js";

export { STANDIN_MARK };

export interface MarkInput {
  status: JobStatus;
  finalEnergy: number | null;
  /** What the stored result says of its run (status, error_kind), when there is one. */
  verdict: RunVerdict | null;
  /** Imaginary modes the stored result lists (null: no frequency calculation). */
  imaginaryModes: number | null;
  /** The result was replayed by crystal-tui's CRYSTAL stand-in, not computed by CRYSTAL. */
  standin?: boolean;
}

export interface JobMarks {
  /** The energy with its mark, as the list writes it ("" when there is none). */
  energy: string;
  /** One character: `~`, `⚠`, `↺` or a blank. */
  mark: string;
  /** In words, for the detail's header: "~ not final: …", "⚠ 2 imaginary modes". */
  why: string[];
  bad: boolean;
}

/** The list's legend of the marks (the `?` help of the job list). */
export const MARK_LEGEND: readonly { mark: string; short: string; means: string }[] = [
  {
    mark: NOT_FINAL_MARK,
    short: "not final",
    means: "not a final energy: the run did not converge or did not finish",
  },
  {
    mark: IMAGINARY_MARK,
    short: "imaginary modes",
    means: "the frequency calculation found imaginary modes (the Results tab lists them)",
  },
  {
    mark: STANDIN_MARK,
    short: "stand-in",
    means: "replayed by crystal-tui's CRYSTAL stand-in (a recorded run), not computed by CRYSTAL",
  },
];

export function jobMarks(input: MarkInput): JobMarks {
  const why: string[] = [];
  let mark = " ";
  if (input.finalEnergy !== null) {
    const standing = energyStanding(input.status, input.verdict);
    if (!standing.final) {
      mark = NOT_FINAL_MARK;
      why.push(`${NOT_FINAL_MARK} not a final energy: ${standing.why}`);
    }
  }
  const n = input.imaginaryModes ?? 0;
  if (n > 0) {
    if (mark === " ") mark = IMAGINARY_MARK;
    why.push(`${IMAGINARY_MARK} ${plural(n, "imaginary mode")}`);
  }
  if (input.standin) {
    if (mark === " ") mark = STANDIN_MARK;
    why.push(`${STANDIN_MARK} replayed by the CRYSTAL stand-in, not computed by CRYSTAL`);
  }
  return { energy: energyText(input.finalEnergy), mark, why, bad: why.length > 0 };
}

/**
 * Hartree with 8 decimals (µHa, as CRYSTAL prints convergence), fewer for a big cell so that the
 * value keeps to 14 columns: the list's energy column is 14 plus the mark.
 */
export function energyText(e: number | null): string {
  if (e === null || !Number.isFinite(e)) return "";
  let text = formatHartree(e);
  for (let digits = 7; text.length > 14 && digits >= 4; digits--) text = e.toFixed(digits);
  return text;
}
