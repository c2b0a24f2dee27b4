// Reads a CRYSTAL standard output (CRYSTAL14/17/22/23, the crystal and the properties program) as a
// stream and reports what a chemist asks of it: did it finish, did it reach its goal, the energies,
// the gap, the final structure, frequencies, elastic constants, what properties computed. Used by
// `crystal-tui parse`, by the engine on finished jobs, and by the live view on running ones
// (snapshot()). Status comes from the content, never from the termination banner alone.
//
// Speed and memory: the output is read as bytes, never decoded as a whole. Lines are found with
// Buffer.indexOf (memchr), and a line is looked at only when its first two non-blank bytes start
// the prefix of a line rule (output-rules.ts, the one table of what is read); only those few lines
// are decoded (the frequent ones, CYC energies and band gaps, not even those: their numbers are read
// from the bytes). Nothing grows with the file except the energies of the last SCF and of the
// optimisation steps, so memory stays flat however large the output. bench/parser.bench.ts measures
// it against `grep -c CYC`.
import fs from "node:fs";
import { UserError } from "../domain/errors.js";
import { openInputFile } from "../files/input-file.js";
import { bytesStartWith, NUMBER_READ, fortranNumber as num, readPlainNumber } from "./output-bytes.js";
import { MAX_LINE } from "./output-failures.js";
import { LAST, type LineView, NOT_MINE } from "./output-line.js";
import { GROUP_IN_PROPERTIES, RULE_GROUPS, RULE_START } from "./output-rules.js";
import { type ParseOptions, Run } from "./output-run.js";
import type { CrystalResult } from "./result.js";

export { classifyStderr } from "./output-failures.js";
export type { ParseOptions } from "./output-run.js";
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

/** CRYSTAL's own lines are at most ~132 characters: longer ones are never looked at by a regex. */
const MAX_READ = 512;

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

/**
 * A streaming reader of one CRYSTAL output. feed() it chunks in order (Buffers or strings);
 * snapshot() says what is known so far (the run may still be going); end() closes the stream.
 */
export class OutputParser implements LineView {
  /** Try every rule on every line, not only those the first-bytes index lets through (a check of the index). */
  private readonly everyLine: boolean;
  /** The start of a line that goes on in the next chunk. */
  private carry = "";
  private skippingLongLine = false;
  private ended = false;
  /** False while reading a last line that had no newline. */
  lineComplete = true;
  /**
   * The bytes being read, and the text they stand for when it came as a string (see byteImage();
   * else the bytes are Latin-1): lines are found and classified on the bytes, taken from the text.
   */
  b: Buffer = EMPTY;
  private source: string | null = null;
  private readonly run = new Run();

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
    this.run.endOfBytes(this);
    this.b = EMPTY;
    this.source = null;
  }

  /**
   * Reads the complete lines of the current bytes from `start` on; returns where the unfinished
   * last line starts. The one loop that sees every line: kept small, so that V8 optimises it early.
   */
  private readLines(start: number): number {
    const b = this.b;
    const run = this.run;
    const everyLine = this.everyLine;
    let nl = b.indexOf(CH_NEWLINE, start);
    while (nl !== -1) {
      // skip blanks; only lines whose first bytes can matter are looked at
      let p = start;
      let c = b[p]!;
      while (c === CH_SPACE || c === CH_TAB) c = b[++p]!;
      if (nl - start <= MAX_LINE && nl - p <= MAX_READ) {
        if (run.block !== null) this.blockLine(p, nl);
        else if (p < nl) {
          const c1 = b[p + 1]!;
          if (everyLine) this.everyRule(p, nl);
          else if (c < 128 && c1 < 128) {
            const group = RULE_START[c * 128 + c1]!;
            // timing lines come every few lines; before a properties run nothing reads them
            if (group !== 0 && (GROUP_IN_PROPERTIES[group - 1] === 0 || run.properties !== null))
              this.dispatch(group - 1, p, nl);
          }
        }
      }
      start = nl + 1;
      nl = b.indexOf(CH_NEWLINE, start);
    }
    return start;
  }

  /** Gives the line to the block being read; a line that is not the block's is read as usual. */
  private blockLine(p: number, e: number): void {
    const block = this.run.block!;
    // a last line without its newline may be cut anywhere: a table's row is read only when whole
    if (!this.lineComplete) {
      this.run.block = null;
      return;
    }
    const answer = block.line(this, p, Math.max(this.trimmedEnd(p, e), p));
    if (answer === NOT_MINE || answer === LAST) {
      if (this.run.block === block) this.run.block = null;
      if (answer === NOT_MINE && p < e && this.run.block === null) {
        const b = this.b;
        const c = b[p]!;
        const c1 = b[p + 1]!;
        if (this.everyLine) this.everyRule(p, e);
        else if (c < 128 && c1 < 128) {
          const group = RULE_START[c * 128 + c1]!;
          if (group !== 0) this.dispatch(group - 1, p, e);
        }
      }
    }
  }

  /** The first rule of the group whose prefix the line [p, e) starts with reads it. */
  private dispatch(group: number, p: number, e: number): void {
    const rules = RULE_GROUPS[group]!;
    const b = this.b;
    for (let k = 0; k < rules.length; k++) {
      const rule = rules[k]!;
      // the conditions first: cheaper than the prefix, and often false (properties' timing lines)
      if (rule.inProperties === true && this.run.properties === null) continue;
      if (rule.when !== undefined && !rule.when(this.run)) continue;
      const prefix = rule.prefix;
      if (p + prefix.length > e || !bytesStartWith(b, p, prefix)) continue;
      if (rule.exact && this.trimmedEnd(p, e) !== p + prefix.length) continue;
      rule.read(this.run, this, p, e);
      return;
    }
  }

  /** Without the index: every group is tried (a check that the index loses nothing). */
  private everyRule(p: number, e: number): void {
    for (let group = 0; group < RULE_GROUPS.length; group++) {
      const block = this.run.block;
      this.dispatch(group, p, e);
      if (this.run.block !== block) return;
    }
  }

  /** Where [p, e) ends without trailing blanks or carriage return. */
  private trimmedEnd(p: number, e: number): number {
    const b = this.b;
    let end = e;
    while (end > p) {
      const c = b[end - 1];
      if (c !== CH_CR && c !== CH_SPACE && c !== CH_TAB) break;
      end--;
    }
    return end;
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
    if (this.b.length > 0) this.run.endOfBytes(this);
    const text = `${line}\n`;
    this.b = byteImage(text);
    this.source = text;
    this.lineComplete = complete;
    this.readLines(0);
    this.lineComplete = true;
    this.timingCandidate(0, line.length);
    this.run.endOfBytes(this);
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
    return this.run.result(opts, this.wallTime());
  }

  /** Reads what is left (a last line without newline) and gives the result. Never throws. */
  end(opts: ParseOptions = {}): CrystalResult {
    if (!this.ended) {
      if (this.carry && !this.skippingLongLine) this.looseLine(this.carry, false);
      this.carry = "";
      this.ended = true;
    }
    return this.run.result(opts, this.wallTime());
  }

  private wallTime(): number | null {
    if (!this.lastTimingLine) return null;
    return num(/TELAPSE\s+(\S+)/.exec(this.lastTimingLine)?.[1]);
  }

  // ---------------------------------------------------------------- LineView

  /** The text of [p, e) without trailing blanks or carriage return. */
  text(p: number, e: number): string {
    return this.raw(p, this.trimmedEnd(p, e));
  }

  /** The text of [p, e) as it is. */
  private raw(p: number, e: number): string {
    return this.source === null ? this.b.toString("latin1", p, e) : this.source.slice(p, e);
  }

  readNumber(p: number, e: number): boolean {
    if (readPlainNumber(this.b, p, e)) return true;
    const v = num(this.raw(p, e));
    if (v === null) return false;
    NUMBER_READ[0] = v;
    return true;
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

/** An output opened for streaming: a regular file of any size (input-file.ts refuses the rest). */
function openOutput(path: string): number {
  try {
    if (fs.statSync(path).isDirectory()) throw Object.assign(new Error("directory"), { code: "EISDIR" });
  } catch (err) {
    throw new UserError(unreadable(path, err));
  }
  return openInputFile(path, { what: "CRYSTAL output", hint: "give the path of a CRYSTAL output (.out)" }).fd;
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
