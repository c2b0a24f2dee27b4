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

  /**
   * Where the numbers of the latest TOTAL ATOMIC CHARGES / SPINS are in the bytes being read (-1:
   * none pending). They come after every SCF cycle and only the last cycle's count, so they are
   * read once, when the bytes are about to go (flush()), not on every cycle.
   */
  private pendingCharges = -1;
  private pendingChargesEnd = -1;
  private pendingSpins = -1;
  private pendingSpinsEnd = -1;

  /**
   * `TOTAL ATOMIC CHARGES:` (its header ends at e): the electrons of each atom follow, 8 a line.
   * When the bytes at hand end inside them, a block reads the rest as lines come.
   */
  chargesHeader(v: LineView, e: number): Block | null {
    this.electronCount = 0;
    this.spinCount = -1;
    this.pendingSpins = -1;
    this.summedSpin = null;
    const end = numbersEnd(v.b, e + 1);
    if (end === -1) {
      this.pendingCharges = -1;
      return new NumbersBlock(this, false);
    }
    this.pendingCharges = e + 1;
    this.pendingChargesEnd = end;
    return null;
  }

  spinsHeader(v: LineView, e: number): Block | null {
    this.spinCount = 0;
    const end = numbersEnd(v.b, e + 1);
    if (end === -1) {
      this.pendingSpins = -1;
      return new NumbersBlock(this, true);
    }
    this.pendingSpins = e + 1;
    this.pendingSpinsEnd = end;
    return null;
  }

  /** Reads what is pending from the bytes, before they go. */
  flush(v: LineView): void {
    if (this.pendingCharges !== -1) {
      readNumbersIn(this, v, this.pendingCharges, this.pendingChargesEnd, false);
      this.pendingCharges = -1;
    }
    if (this.pendingSpins !== -1) {
      readNumbersIn(this, v, this.pendingSpins, this.pendingSpinsEnd, true);
      this.pendingSpins = -1;
    }
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
    // the full analysis is newer than any per-cycle lines still to read
    this.pendingCharges = -1;
    this.pendingSpins = -1;
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

const startsNumber = (c: number) => (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46;

/**
 * Where the lines of numbers that start at q end (the start of the first line that is not one),
 * scanning the bytes at hand; -1 when they end first (the rest is still to come).
 */
function numbersEnd(b: Uint8Array, from: number): number {
  const length = b.length;
  let q = from;
  for (;;) {
    const lineStart = q;
    while (q < length && (b[q] === 32 || b[q] === 9)) q++;
    if (q >= length) return -1;
    if (!startsNumber(b[q]!)) return lineStart;
    while (q < length && b[q] !== 10) q++;
    if (q >= length) return -1;
    q++;
  }
}

/** The numbers of the whole lines [from, to): from the bytes, or from the text when they touch. */
function readNumbersIn(reader: MullikenReader, v: LineView, from: number, to: number, spin: boolean): void {
  const b = v.b;
  reader.truncate(spin, 0);
  let q = from;
  while (q < to) {
    let e = q;
    while (e < to && b[e] !== 10) e++;
    let end = e;
    while (end > q && (b[end - 1] === 13 || b[end - 1] === 32 || b[end - 1] === 9)) end--;
    const count = reader.count(spin);
    let r = q;
    let ok = true;
    while (ok && r < end) {
      while (r < end && (b[r] === 32 || b[r] === 9)) r++;
      let w = r;
      while (w < end && b[w] !== 32 && b[w] !== 9) w++;
      if (w > r) {
        if (v.readNumber(r, w)) reader.add(NUMBER_READ[0]!, spin);
        else ok = false;
      }
      r = w;
    }
    if (!ok) {
      // touching numbers or junk: the text decides
      reader.truncate(spin, count);
      for (const x of fixedPointNumbers(v.text(q, end))) if (!Number.isNaN(x)) reader.add(x, spin);
    }
    q = e + 1;
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
