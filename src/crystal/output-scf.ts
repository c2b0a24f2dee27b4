// The SCF and the geometry optimisation: energies cycle by cycle and point by point, how each
// ended, and which energy is the run's. The lines read here come once per SCF cycle, so they are
// read from the bytes by hand and nothing is allocated per cycle (the energies of the last SCF
// live in an array that is reused).
import {
  bytesStartWith,
  indexOfText,
  isWhiteSpace,
  NUMBER_READ,
  fortranNumber as num,
} from "./output-bytes.js";
import type { LineView } from "./output-line.js";

/** What endLine() read: where the words between `what` and the label are, the value and count. */
interface EndLine {
  howStart: number;
  howEnd: number;
  /** NaN when absent or unreadable. */
  value: number;
  count: number;
}

export class ScfTracker {
  seen = false;
  ended = false;
  converged = false;
  tooMany = false;
  cycles = 0;
  /** The first energyCount hold the last SCF's energies (reused: an SCF allocates nothing). */
  private readonly energies: number[] = [];
  private energyCount = 0;
  private lastCycle = -1;
  /** The last SCF's cycle-0 energy (the initial guess), so that the first cycle's change is known. */
  initialEnergy: number | null = null;
  /** Bumped by every new SCF, so that what is printed after one can be tied to it. */
  number = 0;
  private readonly ending: EndLine = { howStart: 0, howEnd: 0, value: Number.NaN, count: Number.NaN };

  // the optimisation: one energy per geometry point
  readonly optPoints: number[] = [];
  optHeaderSeen = false;
  pointEnergy: number | null = null;
  optEnded = false;
  optConverged = false;
  optReportedPoints: number | null = null;

  /** The run's energy so far (the last converged one, corrected for dispersion when printed). */
  lastConvergedEnergy: number | null = null;
  firstConvergedEnergy: number | null = null;
  /** The bare energy of the last converged SCF (SCF ENDED's E(AU)). */
  lastScfEnergy: number | null = null;
  firstScfEnergy: number | null = null;
  centralPointEnergy: number | null = null;
  /** The SCF (number) whose energy is the run's so far. */
  finalNumber = 0;

  /** Called when a new SCF starts (its title, or CYC numbers starting over). */
  onNewScf: () => void = () => {};

  newScf(): void {
    this.seen = true;
    this.ended = false;
    this.converged = false;
    this.tooMany = false;
    this.cycles = 0;
    this.energyCount = 0;
    this.lastCycle = -1;
    this.initialEnergy = null;
    this.number++;
    this.onNewScf();
  }

  energiesOfLastScf(): number[] {
    return this.energies.slice(0, this.energyCount);
  }

  /** `CYC   3 ETOT(AU) -2.712170056968E+02 DETOT -3.54E-03 tst …`, read by hand: one per SCF cycle. */
  cycLine(v: LineView, p: number, e: number): boolean {
    const b = v.b;
    let q = p + 4;
    while (q < e && b[q] === 32) q++;
    let cycle = 0;
    const digitsFrom = q;
    for (let c = b[q]!; q < e && c >= 48 && c <= 57; c = b[++q]!) {
      cycle = cycle * 10 + (c - 48);
    }
    if (q === digitsFrom || q - digitsFrom > 9 || !bytesStartWith(b, q, " ETOT(AU)")) return false;
    q += 9;
    while (q < e && b[q] === 32) q++;
    let r = q;
    while (r < e && b[r] !== 32 && b[r] !== 13) r++;
    // a cycle number that does not go up, or a cycle after SCF ENDED, starts another SCF
    if (this.ended || cycle <= this.lastCycle) this.newScf();
    this.seen = true;
    this.lastCycle = cycle;
    this.cycles = cycle;
    if (v.readNumber(q, r)) {
      if (cycle > 0) this.energies[this.energyCount++] = NUMBER_READ[0]!;
      else this.initialEnergy = NUMBER_READ[0]!;
    }
    return true;
  }

  /** `== SCF ENDED - CONVERGENCE ON ENERGY      E(AU) -2.7121814374931E+02 CYCLES   7` */
  scfEndedLine(v: LineView, p: number, e: number): void {
    const { howStart, howEnd, value, count } = this.endLine(v, p + 3, e, "SCF ENDED", "E(AU)", "CYCLES");
    this.seen = true;
    this.ended = true;
    this.tooMany = indexOfText(v.b, "TOO MANY CYCLES", howStart, howEnd) !== -1;
    this.converged = indexOfText(v.b, "CONVERGENCE", howStart, howEnd) !== -1 && !this.tooMany;
    if (!Number.isNaN(count)) this.cycles = count;
    if (this.converged && !Number.isNaN(value)) {
      this.lastScfEnergy = value;
      this.firstScfEnergy ??= value;
      this.convergedEnergy(value);
    }
  }

  /** `* OPT END - CONVERGED * E(AU):  -2.712596206888E+02  POINTS    6 *` (or `- FAILED`) */
  optEndLine(v: LineView, after: number, e: number): void {
    const { howStart, howEnd, value, count } = this.endLine(v, after, e, "OPT END", "E(AU)", "POINTS");
    this.optEnded = true;
    this.optConverged = indexOfText(v.b, "CONVERGED", howStart, howEnd) === howStart;
    this.optReportedPoints = Number.isNaN(count) ? null : count;
    if (!Number.isNaN(value)) this.convergedEnergy(value);
    if (this.pointEnergy !== null) this.optPoints.push(this.pointEnergy);
    this.pointEnergy = null;
    this.optHeaderSeen = false;
  }

  /**
   * `TOTAL ENERGY(DFT)(AU)(  6) -2.71E+02  DE (AU) -3.5E-02`: the converged energy of an
   * optimisation point (its SCF prints no SCF ENDED). `… DE-1.7E-11 tester …` follows an SCF ENDED
   * (with SMEAR it is the E0 of the smeared SCF); CRYSTAL prints it after an SCF that ran out of
   * cycles too, so that form counts only after a converged SCF.
   */
  totalEnergyLine(line: string): void {
    const point = line.includes("DE (AU)");
    if (!point && !(this.ended && this.converged)) return;
    const m = /^TOTAL ENERGY\([^)]*\)\(AU\)\(\s*\d+\)\s*(\S+?)(?:DE|\s+DE)/.exec(line);
    const energy = num(m?.[1]);
    if (energy === null) return;
    if (point) {
      this.lastScfEnergy = energy;
      this.firstScfEnergy ??= energy;
    }
    this.convergedEnergy(energy);
  }

  /** `TOTAL ENERGY + DISP (AU)  -7.57E+01`, `TOTAL ENERGY + DISP + GCP (AU) …`: the corrected energy. */
  correctedEnergyLine(line: string): void {
    const m = /\(AU\)\s*(\S+)\s*$/.exec(line) ?? /(\S+)\s*$/.exec(line);
    const energy = num(m?.[1]);
    if (energy !== null) this.convergedEnergy(energy);
  }

  /** `CENTRAL POINT  -3.747550819471E+03  0  0.0000E+00  2` in a frequency run's summary. */
  centralPointLine(line: string): void {
    const m = /^CENTRAL POINT\s+(\S+)/.exec(line);
    this.centralPointEnergy = num(m?.[1]) ?? this.centralPointEnergy;
  }

  /** `COORDINATE AND CELL OPTIMIZATION - POINT    2` and the like; true if it is a new point. */
  optimisationPoint(line: string): boolean {
    if (!line.includes("OPTIMIZATION - POINT")) return false;
    // a new geometry: what is printed from here on belongs to another SCF (its CYC lines may not be printed)
    this.number++;
    if (this.optHeaderSeen && this.pointEnergy !== null) this.optPoints.push(this.pointEnergy);
    this.optHeaderSeen = true;
    this.pointEnergy = null;
    return true;
  }

  private convergedEnergy(energy: number): void {
    this.lastConvergedEnergy = energy;
    this.finalNumber = this.number;
    if (this.firstConvergedEnergy === null) this.firstConvergedEnergy = energy;
    this.pointEnergy = energy;
  }

  /** The optimisation's energies, with a point still under way once its energy is known. */
  optEnergies(): number[] {
    const energies = [...this.optPoints];
    if (!this.optEnded && this.optHeaderSeen && this.pointEnergy !== null) energies.push(this.pointEnergy);
    return energies;
  }

  /**
   * Reads `<what> - <how> … <label> <value> … <countLabel> <count>` (SCF ENDED, OPT END lines),
   * `what` being at `after`, by hand: there is one per SCF, and with regexes their runs of blanks
   * make backtracking quadratic on a line built to do so. White space is JavaScript's (trim()).
   * Says where `how` is, and value and count (NaN when absent), in one reused object.
   */
  private endLine(
    v: LineView,
    after: number,
    e: number,
    what: string,
    label: string,
    countLabel: string,
  ): EndLine {
    const ending = this.ending;
    const b = v.b;
    let end = e;
    while (end > after && isWhiteSpace(b[end - 1]!)) end--;
    const at = indexOfText(b, label, after, end);
    // how: between `what` and the label, without blanks, a leading "-" or trailing "*"
    let h0 = after + what.length;
    let h1 = at === -1 ? end : at;
    while (h0 < h1 && isWhiteSpace(b[h0]!)) h0++;
    while (h1 > h0 && isWhiteSpace(b[h1 - 1]!)) h1--;
    if (h0 < h1 && b[h0] === 45) {
      h0++;
      while (h0 < h1 && isWhiteSpace(b[h0]!)) h0++;
    }
    while (h1 > h0 && b[h1 - 1] === 42) {
      h1--;
      while (h1 > h0 && isWhiteSpace(b[h1 - 1]!)) h1--;
    }
    ending.howStart = h0;
    ending.howEnd = h1;
    ending.value = Number.NaN;
    ending.count = Number.NaN;
    if (at === -1) return ending;
    // the value: the first word after the label (and a colon)
    let r = at + label.length;
    while (r < end && isWhiteSpace(b[r]!)) r++;
    if (r < end && b[r] === 58) {
      r++;
      while (r < end && isWhiteSpace(b[r]!)) r++;
    }
    if (v.readNumber(r, wordEnd(b, r, end))) ending.value = NUMBER_READ[0]!;
    const c = indexOfText(b, countLabel, r, end);
    if (c === -1) return ending;
    let q = c + countLabel.length;
    while (q < end && isWhiteSpace(b[q]!)) q++;
    if (v.readNumber(q, wordEnd(b, q, end)) && Number.isInteger(NUMBER_READ[0]))
      ending.count = NUMBER_READ[0]!;
    return ending;
  }
}

/** Where the word starting at p ends (white space or e). */
function wordEnd(b: Uint8Array, p: number, e: number): number {
  let q = p;
  while (q < e && !isWhiteSpace(b[q]!)) q++;
  return q;
}
