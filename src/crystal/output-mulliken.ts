// Mulliken populations: CRYSTAL prints `TOTAL ATOMIC CHARGES:` (electrons on each atom) and, for a
// spin-polarised run, `TOTAL ATOMIC SPINS  :` (α − β) after SCF cycles, and a full analysis
// (`MULLIKEN POPULATION ANALYSIS`, ALPHA+BETA then ALPHA-BETA) when PPAN asks for it. The last
// printed wins. The per-cycle lines are frequent: their numbers are read from the bytes into
// arrays that are reused, so that an SCF cycle allocates nothing here.

import { elementOf } from "./elements.js";
import { fixedPointNumbers, NUMBER_READ } from "./output-bytes.js";
import { type Block, type BlockAnswer, LAST, type LineView, MORE, NOT_MINE } from "./output-line.js";
import type { Mulliken } from "./result.js";

export interface MullikenData {
  /** The SCF (ScfTracker.number) they were printed for. */
  scf: number;
  electrons: number[];
  spins: number[] | null;
  summedSpin: number | null;
}

export class MullikenReader {
  private electrons: number[] = [];
  private electronCount = 0;
  private spins: number[] = [];
  private spinCount = -1;
  private summedSpin: number | null = null;
  /** How many atoms the blocks hold (from the geometry); 0 while unknown. */
  expected = 0;
  /** The SCF the populations being read belong to (set by the run when a table starts). */
  scf = 0;

  /** `TOTAL ATOMIC CHARGES:`: the electrons of each atom follow, 8 a line. */
  chargesHeader(): Block {
    this.electronCount = 0;
    this.spinCount = -1;
    this.summedSpin = null;
    return new NumbersBlock(this, false);
  }

  spinsHeader(): Block {
    this.spinCount = 0;
    return new NumbersBlock(this, true);
  }

  /** `SUMMED SPIN DENSITY   0.00000000` */
  summedSpinLine(line: string): void {
    const v = Number(/SUMMED SPIN DENSITY\s+(\S+)/.exec(line)?.[1]);
    if (Number.isFinite(v)) this.summedSpin = v;
  }

  add(value: number, spin: boolean): void {
    if (spin) this.spins[this.spinCount++] = value;
    else this.electrons[this.electronCount++] = value;
  }

  /** Forgets what was added after the first `to` values (a line that turned out not to be numbers). */
  truncate(spin: boolean, to: number): void {
    if (spin) this.spinCount = to;
    else this.electronCount = to;
  }

  count(spin: boolean): number {
    return spin ? this.spinCount : this.electronCount;
  }

  /** The PPAN table of one channel: ALPHA+BETA gives electrons, ALPHA-BETA spins. */
  analysisHeader(spin: boolean): Block {
    if (spin) this.spinCount = 0;
    else {
      this.electronCount = 0;
      this.spinCount = -1;
      this.summedSpin = null;
    }
    return new AnalysisBlock(this, spin);
  }

  /** What was read last, copied (to keep as a reference, or to report). */
  data(): MullikenData | null {
    if (this.electronCount === 0) return null;
    const spins = this.spinCount > 0 ? this.spins.slice(0, this.spinCount) : null;
    return {
      scf: this.scf,
      electrons: this.electrons.slice(0, this.electronCount),
      spins,
      summedSpin: this.summedSpin,
    };
  }

  /** The result, given the atoms' conventional numbers (Z, or Z + 100·k with a pseudopotential). */
  static result(data: MullikenData | null, conventional: number[]): Mulliken | null {
    if (!data) return null;
    const n = data.electrons.length;
    const charges = data.electrons.map((e, i) => {
      const z = conventional.length === n ? conventional[i]! : undefined;
      // with a pseudopotential (conventional number ≥ 100) the core electrons are not counted
      return z === undefined || z >= 100 || elementOf(z) !== z ? null : Math.round((z - e) * 1e7) / 1e7;
    });
    const spins = data.spins && data.spins.length === n ? data.spins : null;
    const total =
      spins === null ? null : (data.summedSpin ?? Math.round(spins.reduce((s, x) => s + x, 0) * 1e7) / 1e7);
    return { charges, electrons: data.electrons, spins, total_magnetisation: total };
  }
}

/** The numbers after TOTAL ATOMIC CHARGES / SPINS, until a line that is not only numbers. */
class NumbersBlock implements Block {
  constructor(
    private readonly reader: MullikenReader,
    private readonly spin: boolean,
  ) {}

  line(v: LineView, p: number, e: number): BlockAnswer {
    if (p === e) return NOT_MINE;
    const before = this.reader.count(this.spin);
    if (!this.readFast(v, p, e)) {
      // numbers that touch, or anything unusual: read from the text
      const values = fixedPointNumbers(v.text(p, e));
      if (values.length === 0 || values.some(Number.isNaN) || !/^[-+\d.\s]+$/.test(v.text(p, e))) {
        return NOT_MINE;
      }
      this.reader.truncate(this.spin, before);
      for (const x of values) this.reader.add(x, this.spin);
    }
    const expected = this.reader.expected;
    return expected > 0 && this.reader.count(this.spin) >= expected ? LAST : MORE;
  }

  /** Words of the line read as numbers from the bytes; false (nothing added) if one is not a plain number. */
  private readFast(v: LineView, p: number, e: number): boolean {
    const b = v.b;
    let q = p;
    let n = 0;
    const start = this.reader.count(this.spin);
    while (q < e) {
      while (q < e && (b[q] === 32 || b[q] === 13 || b[q] === 9)) q++;
      if (q >= e) break;
      let r = q;
      while (r < e && b[r] !== 32 && b[r] !== 13 && b[r] !== 9) r++;
      if (!v.readNumber(q, r)) {
        this.reader.truncate(this.spin, start);
        return false;
      }
      this.reader.add(NUMBER_READ[0]!, this.spin);
      n++;
      q = r;
    }
    if (n === 0) return false;
    return true;
  }
}

/**
 * `   1 FE  26 26.051  2.001 …` then continuation lines of orbital populations: the number after Z
 * is the atom's electrons (ALPHA+BETA) or spin (ALPHA-BETA). Ends at the overlap populations.
 */
class AnalysisBlock implements Block {
  private started = false;
  constructor(
    private readonly reader: MullikenReader,
    private readonly spin: boolean,
  ) {}

  line(v: LineView, p: number, e: number): BlockAnswer {
    if (p === e) return MORE;
    const line = v.text(p, e);
    const atom = /^\d+\s+[A-Z][A-Z]?\s+\d+\s+(-?\d*\.\d+)/.exec(line);
    if (atom) {
      this.started = true;
      this.reader.add(Number(atom[1]), this.spin);
      return MORE;
    }
    if (/^-?\d*\.\d+(\s+-?\d*\.\d+)*$/.test(line) && this.started) return MORE; // orbital populations
    // the shell populations repeat the atoms: the first table is enough
    if (/^ATOM\s+Z\s+CHARGE/.test(line)) return this.started ? LAST : MORE;
    if (/^MULLIKEN POPULATION/.test(line) && !this.started) return MORE;
    return NOT_MINE;
  }
}
