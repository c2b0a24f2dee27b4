// Reads a CRYSTAL standard output (CRYSTAL14/17/22/23) as a stream and reports what a chemist asks
// of it: did it finish, did it reach its goal, the energies, the gap, the final cell. Used by
// `crystal-tui parse`, by the engine on finished jobs, and by the live view on running ones
// (snapshot()). Status comes from the content, never from the termination banner alone.
//
// Speed and memory: the output is read as bytes, never decoded as a whole. Lines are found with
// Buffer.indexOf (memchr), and a line is looked at only when its first two non-blank bytes can
// start something this parser wants; only those few lines are decoded (the frequent ones, CYC
// energies and band gaps, not even those: their numbers are read from the bytes). Nothing grows
// with the file except the energies of the last SCF and of the optimisation steps, so memory stays
// flat however large the output. bench/parser.bench.ts measures it against `grep -c CYC`.
import fs from "node:fs";
import { UserError } from "../domain/errors.js";
import {
  bytesStartWith,
  indexOfText,
  isWhiteSpace,
  NUMBER_READ,
  fortranNumber as num,
  readPlainNumber,
} from "./output-bytes.js";

export {
  type CalcType,
  type CrystalResult,
  type ErrorKind,
  HARTREE_TO_EV,
  type Lattice,
  type OptSummary,
  type RunStatus,
  type ScfSummary,
} from "./result.js";

import type { CalcType, CrystalResult, ErrorKind, Lattice, OptSummary, RunStatus } from "./result.js";
import { HARTREE_TO_EV } from "./result.js";

export interface ParseOptions {
  /** The scheduler's or process's stderr, to say why a run stopped (time limit, OOM, MPI_Abort). */
  stderrText?: string;
}

/** Lines longer than this are not CRYSTAL's (binary junk, a pasted path list): skipped whole. */
const MAX_LINE = 4096;
/** CRYSTAL's own lines are at most ~132 characters: longer ones are never looked at by a regex. */
const MAX_READ = 512;
/** A runtime message saying memory ran out (not "invalid memory reference": that is a crash). */
const OUT_OF_MEMORY =
  /insufficient virtual memory|cannot allocate memory|out of memory|allocation would exceed memory/i;

/** errors[] and warnings[] keep at most this many distinct lines. */
const MAX_MESSAGES = 100;

const CH_SPACE = 32;
const CH_TAB = 9;
const CH_CR = 13;
const CH_NEWLINE = 10;
/** Characters beyond Latin-1, which a string's byte image holds as 0xA0 if white space, else 0xFF. */
const WIDE_CHAR = /[\u0100-\uffff]/;
const WIDE_WHITE_SPACE = /[\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/g;
const WIDE_CHARS = /[\u0100-\uffff]/g;

/**
 * The bytes a string is read through: one per UTF-16 unit, so that positions agree. Latin-1 as is;
 * a character beyond it stands as a byte that means the same to this parser (white space or not,
 * never the start of anything it reads), and lines are then taken from the string itself.
 */
function byteImage(text: string): Buffer {
  const latin1 = WIDE_CHAR.test(text)
    ? text.replace(WIDE_WHITE_SPACE, "\xa0").replace(WIDE_CHARS, "\xff")
    : text;
  return Buffer.from(latin1, "latin1");
}
const EMPTY = Buffer.alloc(0);

function int(text: string | undefined): number | null {
  const v = num(text);
  return v !== null && Number.isInteger(v) ? v : null;
}

type Channel = "all" | "alpha" | "beta";

interface Gaps {
  all: number | null;
  alpha: number | null;
  beta: number | null;
}

/** What a scheduler's or process's stderr says about why a run stopped, most telling first. */
const STDERR_CAUSES: { kind: ErrorKind; pattern: RegExp }[] = [
  {
    kind: "walltime",
    pattern:
      /DUE TO TIME LIMIT|TIME LIMIT|walltime\b.*\bexceeded|exceeded\b.*\b(?:wall ?time|time limit|runtime)|TERM_RUNLIMIT|h_rt/i,
  },
  {
    kind: "memory",
    pattern:
      /oom[-_ ]?kill|out of memory|OUT_OF_MEMORY|exceeded\b.*\bmemory|memory limit|Killed process|insufficient virtual memory|cannot allocate memory|bad_alloc|TERM_MEMLIMIT/i,
  },
  {
    kind: "mpi_abort",
    pattern:
      /MPI_ABORT|MPI_Abort|BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES|exited on signal|PMPI_\w+.*failed/i,
  },
  { kind: "killed", pattern: /process killed \(SIG|\bKilled\b|\bTerminated\b|CANCELLED/ },
];

/** The first cause a stderr text gives for a stopped run, with the line that says so. */
export function classifyStderr(text: string | undefined): { kind: ErrorKind; line: string } | null {
  if (!text) return null;
  let best: { kind: ErrorKind; line: string; rank: number } | null = null;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (end - start <= MAX_LINE) {
      const line = text.slice(start, end).trim();
      if (line) {
        for (let rank = 0; rank < STDERR_CAUSES.length && (best === null || rank < best.rank); rank++) {
          const cause = STDERR_CAUSES[rank]!;
          if (cause.pattern.test(line)) {
            best = { kind: cause.kind, line, rank };
            break;
          }
        }
      }
    }
    if (best?.rank === 0) break;
    start = end + 1;
  }
  return best ? { kind: best.kind, line: best.line } : null;
}

/**
 * The lines this parser reads, by their first two bytes after leading blanks (c0 * 128 + c1):
 * TAKE reads the line, CHECK + i reads it when it also starts with one of CHECKED[i]'s prefixes
 * (frequent pairs such as "TO" for TOTAL ATOMIC CHARGES, read only as TOTAL ENERGY( or TOP OF
 * VALENCE BANDS). Every other line is skipped without a look. Kept in step with line(): a test
 * parses every fixture with and without this filter and expects the same result.
 */
const TAKE = 1;
const CHECK = 2;
const WANTED_START = new Uint8Array(128 * 128);
/** For CHECK pairs: the prefixes worth reading; `edge` ones only while band edges are needed. */
const CHECKED: { prefix: string; edge: boolean }[][] = [];

const pairCode = (pair: string) => pair.charCodeAt(0) * 128 + pair.charCodeAt(1);
for (const pair of [
  ...["CY", "==", "TY", "EE", "ER", "E0", "EQ", "* ", "AL", "BA", "BE", "PO", "LA", "WA"],
  ...["MP", "MO", "ap", "fo", "mp", "Pr", "Op", "0D", "1D", "2D", "3D"],
]) {
  WANTED_START[pairCode(pair)] = TAKE;
}
// Just enough of each prefix to tell the lines line() reads from the frequent others (TOTAL ATOMIC
// CHARGES, DIIS TEST, INFORMATION, …); line() then checks them in full.
for (const [pair, prefixes] of Object.entries({
  TO: ["TOTAL E", "TOP OF V"],
  BO: ["BOTTOM O"],
  DI: ["DIREC", "DIMEN"],
  IN: ["INDIR", "INSUL", "INTER"],
  "N.": ["N. OF ATOMS"],
  CO: ["CONDU", "COORD", "CONVERGENCE TESTS U"],
  CR: ["CRYSTAL - SCF"],
  CE: ["CELL OPT", "CENTRAL"],
  AT: ["ATOMS IN THE A", "ATOMIC POS"],
  OP: ["OPTOPT", "OPTGEOM"],
  PR: ["PRIMITIVE", "PROPERTIES"],
  GE: ["GEOMETRY FOR", "GEOMETRY OPT"],
  FR: ["FREQUENCY C", "FRQFRQ", "FREQCALC"],
  FI: ["FINAL OPT"],
  EL: ["ELASTIC C", "ELASTCON"],
  EO: ["EOSEOS", "EOS"],
  SP: ["SPIN LOCKING: NO"],
  ST: ["STARTING GEOM"],
})) {
  WANTED_START[pairCode(pair)] = CHECK + CHECKED.length;
  CHECKED.push(
    // INSULATING STATE only opens a diagonalisation's band edges: once CRYSTAL prints the gap
    // itself, its gap line says the state is insulating
    prefixes.map((prefix) => ({
      prefix,
      edge: prefix === "TOP OF V" || prefix === "BOTTOM O" || prefix === "INSUL",
    })),
  );
}

/** What endLine() read: where the words between `what` and the label are, the value and count. */
interface EndLine {
  howStart: number;
  howEnd: number;
  /** NaN when absent or unreadable. */
  value: number;
  count: number;
}

/**
 * What CRYSTAL prints after one diagonalisation: band edges (Hartree) and, from CRYSTAL17 on, the
 * gap. One per spin channel, reused from SCF to SCF (nothing is allocated per cycle).
 */
interface BandGroup {
  /** Whether the current SCF printed one for this channel. */
  seen: boolean;
  state: "insulating" | "conducting" | "no_gap";
  top: number | null;
  bottom: number | null;
  /** Whether CRYSTAL printed the gap (`… ENERGY BAND GAP:`), and its number (NaN if unreadable). */
  gapPrinted: boolean;
  gap: number;
}

const emptyBandGroup = (): BandGroup => ({
  seen: false,
  state: "insulating",
  top: null,
  bottom: null,
  gapPrinted: false,
  gap: Number.NaN,
});

/**
 * A streaming reader of one CRYSTAL output. feed() it chunks in order (Buffers or strings);
 * snapshot() says what is known so far (the run may still be going); end() closes the stream.
 */
export class OutputParser {
  /** Look at every line, not only those the first-characters filter lets through (a check of the filter). */
  private readonly everyLine: boolean;
  /** The start of a line that goes on in the next chunk. */
  private carry = "";
  private skippingLongLine = false;
  private ended = false;
  /** False while reading a last line that had no newline. */
  private lineComplete = true;
  /**
   * The bytes being read, and the text they stand for when it came as a string (see byteImage();
   * else the bytes are Latin-1): lines are found and classified on the bytes, taken from the text.
   */
  private b: Buffer = EMPTY;
  private source: string | null = null;
  private readonly ending: EndLine = { howStart: 0, howEnd: 0, value: Number.NaN, count: Number.NaN };

  private version: string | null = null;
  private bannerSeen = false;
  private calcFlags = { opt: false, freq: false, elastic: false, eos: false, properties: false };
  private deckEchoCalc: CalcType | null = null;
  private terminated = false;
  private crystalErrors: string[] = [];
  private otherErrors: string[] = [];
  private warnings: string[] = [];
  private fortranKilled = false;
  private fortranSevere = false;
  private mpiAbort = false;
  private nAtoms: number | null = null;
  private spin: boolean | null = null;
  private dimensionality: number | null = null;

  // the last SCF
  private scfSeen = false;
  private scfEnded = false;
  private scfConverged = false;
  private scfTooMany = false;
  private scfCycles = 0;
  /** The first scfEnergyCount hold the last SCF's energies (reused: an SCF allocates nothing). */
  private readonly scfEnergies: number[] = [];
  private scfEnergyCount = 0;
  private lastCycle = -1;

  // the optimisation: one energy per geometry point
  private optPoints: number[] = [];
  private optHeaderSeen = false;
  private pointEnergy: number | null = null;
  private optEnded = false;
  private optConverged = false;
  private optReportedPoints: number | null = null;

  private lastConvergedEnergy: number | null = null;
  private firstConvergedEnergy: number | null = null;
  private centralPointEnergy: number | null = null;
  private zpeEv: number | null = null;

  // band gaps: the latest diagonalisation of each spin channel, and the gaps printed after OPT END
  private channel: Channel = "all";
  private readonly bands: Record<Channel, BandGroup> = {
    all: emptyBandGroup(),
    alpha: emptyBandGroup(),
    beta: emptyBandGroup(),
  };
  private finalGaps: Gaps | null = null;
  private gapLinesPrinted = false;

  /** 0: not in a cell block; 1: the `A B C ALPHA BETA GAMMA` line expected; 2: the numbers expected. */
  private cellState = 0;
  private lattice: [number, number, number, number, number, number] | null = null;

  /** The last timing line (`TTTT… TELAPSE …`): there is one every few lines, so it is read lazily. */
  private lastTimingLine: string | null = null;

  constructor(opts: { readEveryLine?: boolean } = {}) {
    this.everyLine = opts.readEveryLine === true;
  }

  /**
   * Adds the next piece of the output. Never throws. Buffers are read as Latin-1 bytes; a string
   * through its byteImage(), and the lines it keeps are taken from the string itself.
   */
  feed(chunk: string | Buffer | Uint8Array): void {
    if (this.ended) return;
    if (typeof chunk === "string") this.feedBytes(byteImage(chunk), chunk);
    else {
      this.feedBytes(
        Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
        null,
      );
    }
  }

  private feedBytes(b: Buffer, source: string | null): void {
    this.b = b;
    this.source = source;
    let start = 0;
    const nl = b.indexOf(CH_NEWLINE, 0);
    if (nl === -1) {
      this.extendCarry(0, b.length);
    } else {
      // the line begun in the previous chunk
      if (this.carry || this.skippingLongLine) {
        if (!this.skippingLongLine && this.carry.length + nl <= MAX_LINE) {
          this.looseLine(this.carry + this.raw(0, nl), true);
          this.b = b;
          this.source = source;
        }
        this.carry = "";
        this.skippingLongLine = false;
        start = nl + 1;
      }
      const rest = this.readLines(start);
      if (rest > start) this.lastTimingIn(start, rest - 1);
      if (rest < b.length) this.extendCarry(rest, b.length);
    }
    // the caller may reuse its buffer: nothing of it is kept
    this.b = EMPTY;
    this.source = null;
  }

  /**
   * Reads the complete lines of the current bytes from `start` on; returns where the unfinished
   * last line starts. The one loop that sees every line: kept small, so that V8 optimises it early.
   */
  private readLines(start: number): number {
    const b = this.b;
    const everyLine = this.everyLine;
    let nl = b.indexOf(CH_NEWLINE, start);
    while (nl !== -1) {
      // skip blanks; only lines whose first bytes can matter are looked at
      let p = start;
      let c = b[p]!;
      while (c === CH_SPACE || c === CH_TAB) c = b[++p]!;
      if (p >= nl) {
        // a blank line ends a cell block
        if (this.cellState !== 0) this.cellState = 0;
      } else if (nl - start <= MAX_LINE && nl - p <= MAX_READ) {
        if (this.cellState !== 0 || everyLine) this.line(p, nl);
        else {
          const c1 = b[p + 1]!;
          if (c < 128 && c1 < 128) {
            const v = WANTED_START[c * 128 + c1]!;
            if (v === TAKE || (v >= CHECK && this.startsWithChecked(p, CHECKED[v - CHECK]!)))
              this.line(p, nl);
          }
        }
      }
      start = nl + 1;
      nl = b.indexOf(CH_NEWLINE, start);
    }
    return start;
  }

  /** Whether the line at p starts with one of a CHECK pair's prefixes (see WANTED_START). */
  private startsWithChecked(p: number, prefixes: { prefix: string; edge: boolean }[]): boolean {
    for (let k = 0; k < prefixes.length; k++) {
      const { prefix, edge } = prefixes[k]!;
      // band edges are not needed once CRYSTAL prints the gap itself
      if (edge && this.gapLinesPrinted) continue;
      if (bytesStartWith(this.b, p, prefix)) return true;
    }
    return false;
  }

  /** Keeps the bytes [s, e) of the current chunk as the start of a line the next chunk ends. */
  private extendCarry(s: number, e: number): void {
    if (this.skippingLongLine) return;
    if (this.carry.length + (e - s) > MAX_LINE) {
      this.carry = "";
      this.skippingLongLine = true;
    } else {
      this.carry += this.raw(s, e);
    }
  }

  /**
   * Reads a line assembled across chunks, or the last one (`complete` false: it had no newline),
   * from a byte image of its own, as any other line.
   */
  private looseLine(line: string, complete: boolean): void {
    const text = `${line}\n`;
    this.b = byteImage(text);
    this.source = text;
    this.lineComplete = complete;
    this.readLines(0);
    this.lineComplete = true;
    this.timingCandidate(0, line.length);
    this.b = EMPTY;
    this.source = null;
  }

  /**
   * The last timing line among the complete lines [from, to) of the current chunk: found from the
   * end with lastIndexOf, as there is one every few lines. An occurrence inside another line
   * skips that whole line.
   */
  private lastTimingIn(from: number, to: number): void {
    const b = this.b;
    let before = to;
    while (before >= from) {
      const at = b.lastIndexOf("TTTTTTTTTT", before, "latin1");
      if (at < from) return;
      const lineStart = Math.max(b.lastIndexOf(CH_NEWLINE, at) + 1, from);
      let lineEnd = b.indexOf(CH_NEWLINE, at);
      if (lineEnd === -1 || lineEnd > to) lineEnd = to;
      if (this.timingCandidate(lineStart, lineEnd)) return;
      before = lineStart - 1;
    }
  }

  /** Takes [s, e) as the last timing line if it is one. */
  private timingCandidate(s: number, e: number): boolean {
    if (e - s > MAX_LINE) return false;
    const line = this.raw(s, e).trim();
    if (!line.startsWith("TTTTTTTTTT")) return false;
    this.lastTimingLine = line;
    return true;
  }

  /** What is known so far, as if the output stopped here (the line being written is not read yet). */
  snapshot(opts: ParseOptions = {}): CrystalResult {
    return this.result(opts);
  }

  /** Reads what is left (a last line without newline) and gives the result. Never throws. */
  end(opts: ParseOptions = {}): CrystalResult {
    if (!this.ended) {
      if (this.carry && !this.skippingLongLine) this.looseLine(this.carry, false);
      this.carry = "";
      this.ended = true;
    }
    return this.result(opts);
  }

  // ---------------------------------------------------------------- line dispatch

  /** Looks at one line [p, e) of the current bytes, starting at its first non-blank character. */
  private line(p: number, e: number): void {
    if (this.cellState !== 0 && this.cellLine(p, e)) return;
    const b = this.b;
    const c = b[p]!;
    switch (c) {
      case 67: // C
        if (bytesStartWith(b, p, "CYC ")) this.cycLine(p, e);
        else if (bytesStartWith(b, p, "CONDUCTING STATE")) this.bandState("conducting");
        else if (bytesStartWith(b, p, "CRYSTAL - SCF - TYPE OF CALCULATION")) this.newScf();
        else if (bytesStartWith(b, p, "CENTRAL POINT")) {
          const m = /^CENTRAL POINT\s+(\S+)/.exec(this.text(p, e));
          this.centralPointEnergy = num(m?.[1]) ?? this.centralPointEnergy;
        } else if (
          bytesStartWith(b, p, "COORDINATE") ||
          bytesStartWith(b, p, "CELL OPTIMIZATION") ||
          bytesStartWith(b, p, "CONVERGENCE TESTS UNSATISFIED")
        )
          this.optimisationHeader(this.text(p, e));
        break;
      case 61: // =
        if (bytesStartWith(b, p, "== SCF ENDED")) this.scfEndedLine(p, e);
        break;
      case 84: // T
        if (bytesStartWith(b, p, "TOP OF VALENCE BANDS")) this.bandEdge(true, p, e);
        else if (bytesStartWith(b, p, "TOTAL ENERGY(")) this.totalEnergyLine(this.text(p, e));
        else if (bytesStartWith(b, p, "TYPE OF CALCULATION")) this.calculationType(this.text(p, e));
        break;
      case 69: // E
        if (bytesStartWith(b, p, "EEEEEEEEEE")) this.eLine(this.text(p, e));
        else if (bytesStartWith(b, p, "ERROR")) this.errorLine(this.text(p, e));
        else if (bytesStartWith(b, p, "E0")) this.zeroPointLine(this.text(p, e));
        else if (bytesStartWith(b, p, "EQUATION OF STATE") || bytesStartWith(b, p, "EOSEOS"))
          this.calcFlags.eos = true;
        else if (bytesStartWith(b, p, "ELASTIC CONSTANT")) this.calcFlags.elastic = true;
        else this.deckEcho(p, e);
        break;
      case 42: // *
        if (bytesStartWith(b, this.afterStarsAndBlanks(p, e), "OPT END")) this.optEndLine(p, e);
        else if (!this.version) this.bannerLine(this.text(p, e));
        break;
      case 65: // A
        if (bytesStartWith(b, p, "ATOMS IN THE ASYMMETRIC UNIT")) {
          const m = /ATOMS IN THE UNIT CELL:\s*(\d+)/.exec(this.text(p, e));
          this.nAtoms = int(m?.[1]) ?? this.nAtoms;
        } else if (bytesStartWith(b, p, "ALPHA BAND GAP:")) this.finalGap("alpha", this.text(p, e));
        else if (bytesStartWith(b, p, "ALPHA ") && /^ALPHA\s+ELECTRONS$/.test(this.text(p, e)))
          this.channel = "alpha";
        else if (bytesStartWith(b, p, "ATOMIC POSITIONS OPTIMIZATION"))
          this.optimisationHeader(this.text(p, e));
        break;
      case 66: // B
        if (bytesStartWith(b, p, "BOTTOM OF VIRTUAL BANDS")) this.bandEdge(false, p, e);
        else if (bytesStartWith(b, p, "BAND GAP:")) this.finalGap("all", this.text(p, e));
        else if (bytesStartWith(b, p, "BETA BAND GAP:")) this.finalGap("beta", this.text(p, e));
        else if (bytesStartWith(b, p, "BETA ") && /^BETA\s+ELECTRONS$/.test(this.text(p, e)))
          this.channel = "beta";
        break;
      case 68: // D
        if (bytesStartWith(b, p, "DIRECT ENERGY BAND GAP:")) this.gapLine(p + 23, e);
        else if (bytesStartWith(b, p, "DIMENSIONALITY")) this.dimensionLine(this.text(p, e));
        break;
      case 73: // I
        if (bytesStartWith(b, p, "INDIRECT ENERGY BAND GAP:")) this.gapLine(p + 25, e);
        else if (bytesStartWith(b, p, "INSULATING STATE")) this.bandState("insulating");
        else if (bytesStartWith(b, p, "INTERNAL") && bytesStartWith(b, p + 9, "OPTIMIZATION"))
          this.optimisationHeader(this.text(p, e));
        break;
      case 80: // P
        if (bytesStartWith(b, p, "POSSIBLY CONDUCTING STATE")) this.bandState("conducting");
        else if (bytesStartWith(b, p, "PRIMITIVE CELL")) this.cellHeader(this.text(p, e));
        else if (bytesStartWith(b, p, "PROPERTIES")) this.calcFlags.properties = true;
        else if (bytesStartWith(b, p, "Program received signal")) this.runtimeStop(this.text(p, e));
        break;
      case 76: // L
        if (bytesStartWith(b, p, "LATTICE PARAMETERS")) this.cellHeader(this.text(p, e));
        break;
      case 71: // G
        if (bytesStartWith(b, p, "GEOMETRY FOR WAVE FUNCTION")) this.dimensionLine(this.text(p, e));
        else if (bytesStartWith(b, p, "GEOMETRY OPTIMIZATION")) this.optimisationHeader(this.text(p, e));
        break;
      case 70: // F
        if (bytesStartWith(b, p, "FREQUENCY CALCULATION") || bytesStartWith(b, p, "FRQFRQFRQ"))
          this.calcFlags.freq = true;
        else if (bytesStartWith(b, p, "FINAL OPTIMIZED GEOMETRY")) {
          this.calcFlags.opt = true;
          this.dimensionLine(this.text(p, e));
        } else this.deckEcho(p, e);
        break;
      case 78: // N
        if (this.nAtoms === null && bytesStartWith(b, p, "N. OF ATOMS PER CELL")) {
          const m = /^N\. OF ATOMS PER CELL\s+(\d+)/.exec(this.text(p, e));
          this.nAtoms = int(m?.[1]);
        }
        break;
      case 79: // O
        if (bytesStartWith(b, p, "OPTOPTOPT")) this.calcFlags.opt = true;
        else if (bytesStartWith(b, p, "Operating system error")) this.runtimeStop(this.text(p, e));
        else this.deckEcho(p, e);
        break;
      case 87: // W
        if (bytesStartWith(b, p, "WARNING") && !bytesStartWith(b, p, "WARNINGWARNING"))
          this.remember(this.warnings, this.text(p, e));
        break;
      case 83: // S
        if (bytesStartWith(b, p, "SPIN LOCKING: NO ENERGY GAP")) this.bandState("no_gap");
        else if (bytesStartWith(b, p, "STARTING GEOMETRY OPTIMIZATION")) this.calcFlags.opt = true;
        break;
      case 77: // M
        if (bytesStartWith(b, p, "MPI_ABORT")) this.mpiAbortLine(this.text(p, e));
        else if (bytesStartWith(b, p, "MOLECULAR CALCULATION")) this.dimensionality = 0;
        break;
      case 97: // a
        if (bytesStartWith(b, p, "application called MPI_Abort")) this.mpiAbortLine(this.text(p, e));
        break;
      case 102: // f
        if (bytesStartWith(b, p, "forrtl:")) this.fortranLine(this.text(p, e));
        break;
      case 109: // m
        if (bytesStartWith(b, p, "mpirun noticed that process")) this.runtimeStop(this.text(p, e));
        break;
      default:
        // "2D - SLAB", "1D - POLYMER", "0D - MOLECULE"
        if (c >= 48 && c <= 51 && bytesStartWith(b, p + 1, "D - ")) this.dimensionality = c - 48;
        break;
    }
  }

  /** The text of [p, e) without trailing blanks or carriage return. */
  private text(p: number, e: number): string {
    const b = this.b;
    let end = e;
    while (end > p) {
      const c = b[end - 1];
      if (c !== CH_CR && c !== CH_SPACE && c !== CH_TAB) break;
      end--;
    }
    return this.raw(p, end);
  }

  /** The text of [p, e) as it is. */
  private raw(p: number, e: number): string {
    return this.source === null ? this.b.toString("latin1", p, e) : this.source.slice(p, e);
  }

  /** Whether [p, e) holds a number, as fortranNumber() reads it; if so it is in NUMBER_READ[0]. */
  private readNumber(p: number, e: number): boolean {
    if (readPlainNumber(this.b, p, e)) return true;
    const v = num(this.raw(p, e));
    if (v === null) return false;
    NUMBER_READ[0] = v;
    return true;
  }

  private afterStarsAndBlanks(p: number, e: number): number {
    const b = this.b;
    let q = p;
    while (q < e) {
      const c = b[q];
      if (c !== 42 && c !== CH_SPACE) break;
      q++;
    }
    return q;
  }

  private remember(list: string[], line: string): void {
    if (list.length < MAX_MESSAGES && !list.includes(line)) list.push(line);
  }

  // ---------------------------------------------------------------- what each line means

  private bannerLine(line: string): void {
    const m = /^\*\s+CRYSTAL(\d{2})\b/.exec(line);
    if (m) {
      this.version = m[1]!;
      this.bannerSeen = true;
    } else if (/^\*\s+PROPERTIES\s+\*?$/.test(line)) {
      this.bannerSeen = true;
      this.calcFlags.properties = true;
    }
  }

  /** Before CRYSTAL's banner, run scripts echo the deck: its task keywords say what was asked. */
  private deckEcho(p: number, e: number): void {
    if (this.bannerSeen || e - p > 12) return;
    const word = this.text(p, e);
    const calc: CalcType | null =
      word === "OPTGEOM"
        ? "opt"
        : word === "FREQCALC"
          ? "freq"
          : word === "ELASTCON"
            ? "elastic"
            : word === "EOS"
              ? "eos"
              : null;
    // FREQCALC / ELASTCON / EOS may hold an OPTGEOM (pre-optimisation): the outer task wins
    if (calc && (this.deckEchoCalc === null || calc !== "opt")) this.deckEchoCalc = calc;
  }

  /** `COORDINATE AND CELL OPTIMIZATION - POINT    2` and the like. */
  private optimisationHeader(line: string): void {
    if (line.includes("OPTIMIZATION - POINT")) {
      this.calcFlags.opt = true;
      if (this.optHeaderSeen && this.pointEnergy !== null) this.optPoints.push(this.pointEnergy);
      this.optHeaderSeen = true;
      this.pointEnergy = null;
    } else if (line.startsWith("CONVERGENCE TESTS UNSATISFIED") || line.includes("OPTIMIZATION")) {
      this.calcFlags.opt = true;
    }
  }

  private newScf(): void {
    this.scfSeen = true;
    this.scfEnded = false;
    this.scfConverged = false;
    this.scfTooMany = false;
    this.scfCycles = 0;
    this.scfEnergyCount = 0;
    this.lastCycle = -1;
    this.channel = "all";
    this.bands.all.seen = false;
    this.bands.alpha.seen = false;
    this.bands.beta.seen = false;
  }

  /** `CYC   3 ETOT(AU) -2.712170056968E+02 DETOT -3.54E-03 tst …`, read by hand: one per SCF cycle. */
  private cycLine(p: number, e: number): void {
    const b = this.b;
    let q = p + 4;
    while (q < e && b[q] === CH_SPACE) q++;
    let cycle = 0;
    const digitsFrom = q;
    for (let c = b[q]!; q < e && c >= 48 && c <= 57; c = b[++q]!) {
      cycle = cycle * 10 + (c - 48);
    }
    if (q === digitsFrom || q - digitsFrom > 9 || !bytesStartWith(b, q, " ETOT(AU)")) return;
    q += 9;
    while (q < e && b[q] === CH_SPACE) q++;
    let r = q;
    while (r < e && b[r] !== CH_SPACE && b[r] !== CH_CR) r++;
    // a cycle number that does not go up, or a cycle after SCF ENDED, starts another SCF
    if (this.scfEnded || cycle <= this.lastCycle) this.newScf();
    this.scfSeen = true;
    this.lastCycle = cycle;
    this.scfCycles = cycle;
    if (cycle > 0 && this.readNumber(q, r)) this.scfEnergies[this.scfEnergyCount++] = NUMBER_READ[0]!;
    this.channel = "all";
  }

  /** `== SCF ENDED - CONVERGENCE ON ENERGY      E(AU) -2.7121814374931E+02 CYCLES   7` */
  private scfEndedLine(p: number, e: number): void {
    const { howStart, howEnd, value, count } = this.endLine(p + 3, e, "SCF ENDED", "E(AU)", "CYCLES");
    this.scfSeen = true;
    this.scfEnded = true;
    this.scfTooMany = indexOfText(this.b, "TOO MANY CYCLES", howStart, howEnd) !== -1;
    this.scfConverged = indexOfText(this.b, "CONVERGENCE", howStart, howEnd) !== -1 && !this.scfTooMany;
    if (!Number.isNaN(count)) this.scfCycles = count;
    if (this.scfConverged && !Number.isNaN(value)) this.convergedEnergy(value);
  }

  /**
   * Reads `<what> - <how> … <label> <value> … <countLabel> <count>` (SCF ENDED, OPT END lines),
   * `what` being at `after`, by hand: there is one per SCF, and with regexes their runs of blanks
   * make backtracking quadratic on a line built to do so. White space is JavaScript's (trim()).
   * Says where `how` is, and value and count (NaN when absent), in one reused object.
   */
  private endLine(after: number, e: number, what: string, label: string, countLabel: string): EndLine {
    const ending = this.ending;
    const b = this.b;
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
    if (this.readNumber(r, this.wordEnd(r, end))) ending.value = NUMBER_READ[0]!;
    const c = indexOfText(b, countLabel, r, end);
    if (c === -1) return ending;
    let q = c + countLabel.length;
    while (q < end && isWhiteSpace(b[q]!)) q++;
    if (this.readNumber(q, this.wordEnd(q, end)) && Number.isInteger(NUMBER_READ[0]))
      ending.count = NUMBER_READ[0]!;
    return ending;
  }

  /** Where the word starting at p ends (white space or e). */
  private wordEnd(p: number, e: number): number {
    const b = this.b;
    let q = p;
    while (q < e && !isWhiteSpace(b[q]!)) q++;
    return q;
  }

  private convergedEnergy(energy: number): void {
    this.lastConvergedEnergy = energy;
    if (this.firstConvergedEnergy === null) this.firstConvergedEnergy = energy;
    this.pointEnergy = energy;
  }

  /** `TOTAL ENERGY(DFT)(AU)(  6) -2.71E+02  DE (AU) -3.5E-02`: a geometry point's converged energy. */
  private totalEnergyLine(line: string): void {
    if (!line.includes("DE (AU)")) return;
    const m = /^TOTAL ENERGY\([^)]*\)\(AU\)\(\s*\d+\)\s*(\S+)/.exec(line);
    const energy = num(m?.[1]);
    if (energy !== null) this.convergedEnergy(energy);
  }

  /** `* OPT END - CONVERGED * E(AU):  -2.712596206888E+02  POINTS    6 *` (or `- FAILED`) */
  private optEndLine(p: number, e: number): void {
    const after = this.afterStarsAndBlanks(p, e);
    const { howStart, howEnd, value, count } = this.endLine(after, e, "OPT END", "E(AU)", "POINTS");
    this.calcFlags.opt = true;
    this.optEnded = true;
    this.optConverged = indexOfText(this.b, "CONVERGED", howStart, howEnd) === howStart;
    this.optReportedPoints = Number.isNaN(count) ? null : count;
    if (!Number.isNaN(value)) this.convergedEnergy(value);
    if (this.pointEnergy !== null) this.optPoints.push(this.pointEnergy);
    this.pointEnergy = null;
    this.optHeaderSeen = false;
  }

  private calculationType(line: string): void {
    if (line.includes("OPEN SHELL")) this.spin = true;
    else if (line.includes("CLOSED SHELL")) this.spin = false;
  }

  private eLine(line: string): void {
    // `EEEEEEEEEE TERMINATION  DATE …` ends the run; `EEEEEEEEEE SCF TERMINATION` / `INT_CALC
    // TERMINATION` end one of its parts only. CRYSTAL always ends that line with a newline: a last
    // line without one is still being written.
    if (this.lineComplete && /^E{10,}\s+TERMINATION\b/.test(line)) this.terminated = true;
  }

  private errorLine(line: string): void {
    if (/^ERROR[\s*]/.test(line)) this.remember(this.crystalErrors, line);
  }

  /** Intel Fortran's runtime: `forrtl: error (78): process killed (SIGTERM)`, `forrtl: severe (41): …`. */
  private fortranLine(line: string): void {
    if (/^forrtl:\s*(error|severe)/.test(line)) this.runtimeStop(line);
  }

  /**
   * The program stopped outside CRYSTAL's own checks: a signal from outside (SIGTERM, SIGKILL: a
   * scheduler or a user), or a crash (segmentation fault, memory exhausted). gfortran says
   * `Program received signal SIGSEGV`, `Operating system error: Cannot allocate memory`; mpirun
   * `mpirun noticed that process rank 0 … exited on signal 9 (Killed)`.
   */
  private runtimeStop(line: string): void {
    this.remember(this.otherErrors, line);
    if (/process killed|SIGTERM|SIGKILL|SIGINT|signal (9|15)\b|\(Killed\)|\(Terminated\)/.test(line))
      this.fortranKilled = true;
    else this.fortranSevere = true;
  }

  private mpiAbortLine(line: string): void {
    if (!this.mpiAbort) this.remember(this.otherErrors, line);
    this.mpiAbort = true;
  }

  private zeroPointLine(line: string): void {
    // `E0            :       0.003314922384       0.090203623929           8.70332749` (AU, EV, KJ/MOL)
    const m = /^E0\s*:\s*(\S+)\s+(\S+)/.exec(line);
    const ev = num(m?.[2]);
    if (ev !== null) this.zpeEv = ev;
  }

  /**
   * After each diagonalisation CRYSTAL says INSULATING STATE (then the band edges, and from
   * CRYSTAL17 on the gap itself) or (POSSIBLY) CONDUCTING STATE, for each spin channel in turn.
   */
  private bandState(state: BandGroup["state"]): void {
    const group = this.bands[this.channel];
    group.seen = true;
    group.state = state;
    group.top = null;
    group.bottom = null;
    group.gapPrinted = false;
    group.gap = Number.NaN;
  }

  /** The current channel's group, opened as insulating if its state line was not seen. */
  private bandGroup(): BandGroup {
    const group = this.bands[this.channel];
    if (!group.seen) this.bandState("insulating");
    return group;
  }

  /** `INDIRECT ENERGY BAND GAP:  12.6917 eV`, from just after the colon (one per SCF cycle). */
  private gapLine(from: number, e: number): void {
    const b = this.b;
    let q = from;
    while (q < e && b[q] === CH_SPACE) q++;
    let r = q;
    while (r < e && b[r] !== CH_SPACE) r++;
    const group = this.bandGroup();
    group.state = "insulating";
    group.gapPrinted = true;
    group.gap = this.readNumber(q, r) ? NUMBER_READ[0]! : Number.NaN;
    this.gapLinesPrinted = true;
  }

  /** `TOP OF VALENCE BANDS -    BAND     10; K   12; EIG -2.0823120E-01 AU` (one per k point kind). */
  private bandEdge(top: boolean, p: number, e: number): void {
    // outputs that print the gap (CRYSTAL17 on) do not need it computed from the edges
    if (this.gapLinesPrinted) return;
    const b = this.b;
    let at = e - 3;
    while (at >= p && !(b[at] === 69 && b[at + 1] === 73 && b[at + 2] === 71)) at--; // the last "EIG"
    if (at < p) return;
    let r = e;
    while (r > at && b[r - 1] !== CH_SPACE) r--; // drop the unit "AU"
    const eig = num(this.raw(at + 3, r).trim());
    if (eig === null) return;
    const group = this.bandGroup();
    if (top) group.top = group.top === null ? eig : Math.max(group.top, eig);
    else group.bottom = group.bottom === null ? eig : Math.min(group.bottom, eig);
  }

  /** The gap of one diagonalisation: as printed, else from its band edges (CRYSTAL14 prints none). */
  private gapOf(group: BandGroup): number | null {
    if (!group.seen || group.state === "no_gap") return null;
    if (group.state === "conducting") return 0;
    if (group.gapPrinted) return Number.isNaN(group.gap) ? null : group.gap;
    if (group.top === null || group.bottom === null) return null;
    const gap = Math.max(0, (group.bottom - group.top) * HARTREE_TO_EV);
    return Math.round(gap * 1e4) / 1e4;
  }

  /** After OPT END, CRYSTAL17+ prints the gap of the final geometry (`BAND GAP:`, `ALPHA BAND GAP:`). */
  private finalGap(channel: Channel, line: string): void {
    const gap = num(/BAND GAP:\s*(\S+)/.exec(line)?.[1]);
    if (gap === null) return;
    this.finalGaps ??= { all: null, alpha: null, beta: null };
    this.finalGaps[channel] = gap;
  }

  private dimensionLine(line: string): void {
    const d = int(/DIMENSIONALITY OF THE SYSTEM\s+(\d)/.exec(line)?.[1]);
    if (d !== null && d <= 3) this.dimensionality = d;
  }

  /**
   * The primitive cell comes as a header (`LATTICE PARAMETERS … - PRIMITIVE CELL` or
   * `PRIMITIVE CELL - CENTRING CODE …`), a line `A B C ALPHA BETA GAMMA [VOLUME]`, then the numbers.
   */
  private cellHeader(line: string): void {
    if (line.startsWith("PRIMITIVE CELL") || /^LATTICE PARAMETERS.*PRIMITIVE CELL/.test(line))
      this.cellState = 1;
  }

  /** Reads a line of a cell block; false when the line is not one (it is then read as usual). */
  private cellLine(p: number, e: number): boolean {
    const line = this.text(p, e);
    if (this.cellState === 1) {
      this.cellState = /^A\s+B\s+C\s+ALPHA\s+BETA\s+GAMMA/.test(line) ? 2 : 0;
      return this.cellState === 2;
    }
    this.cellState = 0;
    const parts = line.split(/\s+/, 7);
    if (parts.length < 6) return false;
    const values = parts.slice(0, 6).map((t) => num(t));
    if (!values.every((v) => v !== null)) return false;
    this.lattice = values as [number, number, number, number, number, number];
    return true;
  }

  // ---------------------------------------------------------------- the result

  private calcType(): CalcType | null {
    const f = this.calcFlags;
    if (f.elastic) return "elastic";
    if (f.eos) return "eos";
    if (f.freq) return "freq";
    if (f.opt) return "opt";
    if (this.deckEchoCalc) return this.deckEchoCalc;
    if (f.properties) return "properties";
    if (this.bannerSeen || this.scfSeen) return "scf";
    return null;
  }

  private result(opts: ParseOptions): CrystalResult {
    const calcType = this.calcType();
    const isOpt = calcType === "opt" || this.optEnded || this.optPoints.length > 0;

    const optEnergies = [...this.optPoints];
    // a point still under way counts once its energy is known (the run may stop before the next)
    if (!this.optEnded && this.optHeaderSeen && this.pointEnergy !== null) optEnergies.push(this.pointEnergy);
    const opt: OptSummary | null = isOpt
      ? {
          converged: this.optEnded && this.optConverged,
          steps: this.optReportedPoints ?? optEnergies.length,
          energies_hartree: optEnergies,
        }
      : null;

    const scfFailed = this.scfEnded && this.scfTooMany;
    const optFailed = this.optEnded && !this.optConverged;
    const goalMet = isOpt ? this.optEnded && this.optConverged : this.scfSeen ? this.scfConverged : true;

    let status: RunStatus;
    if (this.crystalErrors.length > 0 || optFailed || scfFailed || this.fortranSevere) status = "failed";
    else if (this.terminated) status = goalMet ? "completed" : "failed";
    else status = "incomplete";

    const errors = [...this.crystalErrors, ...this.otherErrors];
    let errorKind: ErrorKind | null = null;
    if (optFailed) errorKind = "geometry_not_converged";
    else if (scfFailed) errorKind = "scf_not_converged";
    else if (this.crystalErrors.length > 0) errorKind = this.kindOfCrystalErrors();
    else if (this.fortranSevere)
      errorKind = this.otherErrors.some((l) => OUT_OF_MEMORY.test(l)) ? "memory" : "crashed";
    else if (status === "failed") errorKind = isOpt ? "geometry_not_converged" : "scf_not_converged";
    if (errorKind === null && status !== "completed") {
      const fromStderr = classifyStderr(opts.stderrText);
      if (fromStderr) {
        errorKind = fromStderr.kind;
        if (!errors.includes(fromStderr.line)) errors.push(fromStderr.line);
      } else if (this.mpiAbort) errorKind = "mpi_abort";
      else if (this.fortranKilled) errorKind = "killed";
    }

    let finalEnergy = this.lastConvergedEnergy;
    // a frequency run computes many displaced geometries: its energy is the central point's
    if (calcType === "freq")
      finalEnergy = this.centralPointEnergy ?? this.firstConvergedEnergy ?? finalEnergy;

    const spin = this.spin;
    const gaps: Gaps = this.finalGaps ?? {
      all: this.gapOf(this.bands.all),
      alpha: this.gapOf(this.bands.alpha),
      beta: this.gapOf(this.bands.beta),
    };

    return {
      crystal_version: this.version,
      calc_type: calcType,
      status,
      error_kind: errorKind,
      errors,
      warnings: [...this.warnings],
      n_atoms: this.nAtoms,
      spin_polarized: spin,
      final_energy_hartree: finalEnergy,
      final_energy_ev: finalEnergy === null ? null : finalEnergy * HARTREE_TO_EV,
      scf: {
        converged: this.scfEnded && this.scfConverged,
        cycles: this.scfCycles,
        energies_hartree: this.scfEnergies.slice(0, this.scfEnergyCount),
      },
      opt,
      // a spin-polarised run has no single gap unless CRYSTAL printed one
      band_gap_ev: gaps.all,
      band_gap_alpha_ev: spin === false ? null : gaps.alpha,
      band_gap_beta_ev: spin === false ? null : gaps.beta,
      lattice: this.latticeResult(),
      zero_point_energy_ev: this.zpeEv,
      wall_time_s: this.wallTime(),
    };
  }

  private kindOfCrystalErrors(): ErrorKind {
    const text = this.crystalErrors.join("\n");
    if (/MEMORY|ALLOCAT/i.test(text)) return "memory";
    // e.g. `ERROR **** OPTGEOM **** SCF FAILED - OPTGEOM STOP`: an SCF of the optimisation did not converge
    if (/SCF[^\n]*(FAIL|NOT CONVERGED|DIVERG|TOO MANY)|TOO MANY CYCLES/.test(text))
      return "scf_not_converged";
    if (/GEOMETRY OPTIMI[SZ]ATION FAILED|OPTIMI[SZ]ATION NOT CONVERGED|OPTGEOM[^\n]*FAIL/.test(text))
      return "geometry_not_converged";
    return "input_error";
  }

  private latticeResult(): Lattice | null {
    if (!this.lattice || this.dimensionality === 0) return null;
    const [a, b, c, alpha, beta, gamma] = this.lattice;
    const d = this.dimensionality ?? 3;
    return { a, b: d >= 2 ? b : null, c: d >= 3 ? c : null, alpha, beta, gamma };
  }

  private wallTime(): number | null {
    if (!this.lastTimingLine) return null;
    return num(/TELAPSE\s+(\S+)/.exec(this.lastTimingLine)?.[1]);
  }
}

/** Large reads keep the number of system calls low, and the event loop gets a turn every few of them. */
const READ_SIZE = 1 << 20;
const READS_PER_YIELD = 4;

/** Parses a whole output given as text. Never throws. */
export function parseOutputText(text: string, opts: ParseOptions = {}): CrystalResult {
  const parser = new OutputParser();
  parser.feed(text);
  return parser.end(opts);
}

/**
 * Parses an output file as a stream (flat memory whatever its size). A missing or unreadable file
 * is a UserError; anything inside the file is reported, never thrown. Reads are synchronous, a few
 * megabytes at a time, handing the event loop back in between: an asynchronous read per megabyte
 * costs more in thread-pool round trips than the parsing itself.
 */
export async function parseOutputFile(path: string, opts: ParseOptions = {}): Promise<CrystalResult> {
  const fd = openOutput(path);
  const parser = new OutputParser();
  try {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    for (let reads = 1; ; reads++) {
      const bytesRead = readOutput(fd, path, buffer);
      if (bytesRead === 0) break;
      parser.feed(buffer.subarray(0, bytesRead));
      if (reads % READS_PER_YIELD === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    fs.closeSync(fd);
  }
  return parser.end(opts);
}

/** The same, synchronously (for callers inside a SQLite transaction or a sync hook). */
export function parseOutputFileSync(path: string, opts: ParseOptions = {}): CrystalResult {
  const fd = openOutput(path);
  const parser = new OutputParser();
  try {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    for (;;) {
      const bytesRead = readOutput(fd, path, buffer);
      if (bytesRead === 0) break;
      parser.feed(buffer.subarray(0, bytesRead));
    }
  } finally {
    fs.closeSync(fd);
  }
  return parser.end(opts);
}

function openOutput(path: string): number {
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (err) {
    throw new UserError(unreadable(path, err));
  }
  try {
    if (fs.fstatSync(fd).isDirectory()) throw Object.assign(new Error("directory"), { code: "EISDIR" });
  } catch (err) {
    fs.closeSync(fd);
    throw new UserError(unreadable(path, err));
  }
  return fd;
}

function readOutput(fd: number, path: string, buffer: Buffer): number {
  try {
    return fs.readSync(fd, buffer, 0, buffer.length, null);
  } catch (err) {
    throw new UserError(unreadable(path, err));
  }
}

function unreadable(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return `${path}: no such file — give the path of a CRYSTAL output (.out)`;
  if (code === "EACCES") return `${path}: permission denied — check the file's permissions`;
  if (code === "EISDIR") return `${path} is a folder, not a CRYSTAL output — give the .out file`;
  return `${path} could not be read (${code ?? (err as Error).message}) — check the path`;
}
