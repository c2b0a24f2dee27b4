// Reading any part of a big text file (a CRYSTAL output of 100 MB, a stderr, a fort.34) cheaply: an
// index of where each line starts is built once by reading the file in chunks, and extended from
// where it stopped when the file only grew (a log being written), so following a run reads only
// what is new. A page is then one read of its byte range, and a search reads the file block by
// block: the whole file is never in memory at once. No React here.
import fs from "node:fs";

/** How much of the file one read takes while indexing or searching. */
const CHUNK_BYTES = 1024 * 1024;

export interface LineIndex {
  /** Byte offset where each line starts; the first is 0. */
  starts: number[];
  /** How many bytes of the file the index has read. */
  size: number;
  /** The file's identity, so that a file replaced (not grown) is indexed anew. */
  ino: number;
}

/** The index of a file that is not there or empty. */
export const NO_LINES: LineIndex = { starts: [0], size: 0, ino: -1 };

/** How many lines the indexed part holds (an unfinished last line counts). */
export function lineCount(index: LineIndex): number {
  if (index.size === 0) return 0;
  return index.starts[index.starts.length - 1] === index.size ? index.starts.length - 1 : index.starts.length;
}

/**
 * The line index of `file`, reusing `previous` when the file only grew since; null when the file
 * cannot be read.
 */
export function indexLines(file: string, previous: LineIndex = NO_LINES): LineIndex | null {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    const grown = previous.ino === st.ino && st.size >= previous.size;
    if (grown && st.size === previous.size) return previous;
    const starts = grown ? previous.starts.slice() : [0];
    let at = grown ? previous.size : 0;
    const buf = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(1, st.size - at)));
    while (at < st.size) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, st.size - at), at);
      if (n <= 0) break;
      for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) starts.push(at + i + 1);
      at += n;
    }
    return { starts, size: at, ino: st.ino };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * What the terminal is given of a line: a tab becomes spaces, other control characters (Fortran form
 * feeds, stray escapes) are dropped — they would move the terminal's cursor.
 */
export function screenText(raw: string): string {
  return raw
    .replace(/\r/g, "")
    .replace(/\t/g, "    ")
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, "");
}

/** Lines first … last − 1 as one read of their byte range (raw text); null when the file cannot be read. */
function readRange(file: string, index: LineIndex, first: number, last: number): string | null {
  const start = index.starts[first]!;
  const end = last < index.starts.length ? index.starts[last]! : index.size;
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(end - start);
    const n = fs.readSync(fd, buf, 0, buf.length, start);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** Lines `from` … `from + count - 1` (as far as they exist), read as one byte range. */
export function readLines(file: string, index: LineIndex, from: number, count: number): string[] {
  const total = lineCount(index);
  const first = Math.max(0, Math.min(from, total));
  const last = Math.min(total, first + Math.max(0, count));
  if (last <= first) return [];
  const lines = readRange(file, index, first, last)?.split("\n") ?? [];
  // the range ends with a line's newline: the empty piece after it is not a line
  if (lines.length > last - first) lines.length = last - first;
  return lines.map(screenText);
}

/** How much one step of a search reads (whole lines); between steps the event loop is free. */
const SEARCH_BLOCK_BYTES = 4 * 1024 * 1024;

export interface Found {
  line: number;
  /** The search went round the file's end (or start, going back). */
  wrapped: boolean;
}

/** The first line whose start is at or past `byte` (binary search in the index). */
function lineAtByte(index: LineIndex, byte: number, total: number): number {
  let lo = 0;
  let hi = total;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (index.starts[mid]! < byte) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countNewlines(text: string, before: number): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < before; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * The search as steps: each reads one block of whole lines (a few MB) and looks in it as one
 * lower-cased string — a line at a time was ~1 s of a blocked screen on a 100 MB output. The
 * generator yields between blocks and returns the line found, or null.
 */
function* searchSteps(
  file: string,
  index: LineIndex,
  needle: string,
  from: number,
  forward: boolean,
  blockBytes: number,
): Generator<void, Found | null> {
  const total = lineCount(index);
  const want = needle.toLowerCase();
  if (total === 0 || want === "") return null;
  const step = forward ? 1 : -1;
  let line = (((from + step) % total) + total) % total;
  for (let looked = 0; looked < total; ) {
    // a block in the direction of the search, not past the file's end (or start), at least one line
    const blockStart = forward
      ? line
      : Math.min(line, lineAtByte(index, index.starts[line]! - blockBytes, total));
    const blockEnd = forward
      ? Math.max(line + 1, Math.min(total, lineAtByte(index, index.starts[line]! + blockBytes, total)))
      : line + 1;
    // screenText keeps the newlines: the text is searched as the terminal is given it
    const raw = readRange(file, index, blockStart, blockEnd);
    const text = raw === null ? undefined : screenText(raw).toLowerCase();
    if (text === undefined) return null;
    // the needle holds no newline, so a match lies within one line
    const at = forward ? text.indexOf(want) : text.lastIndexOf(want);
    if (at !== -1) {
      const found = blockStart + countNewlines(text, at);
      return { line: found, wrapped: forward ? found <= from : found >= from };
    }
    looked += blockEnd - blockStart;
    line = forward ? (blockEnd >= total ? 0 : blockEnd) : blockStart === 0 ? total - 1 : blockStart - 1;
    yield;
  }
  return null;
}

/**
 * The first line after `from` (or before it, going back) that contains `needle` (ignoring case), going
 * round the file's end once; null when no line has it. `wrapped` says the search went round.
 */
export function findLine(
  file: string,
  index: LineIndex,
  needle: string,
  from: number,
  forward = true,
  blockBytes = SEARCH_BLOCK_BYTES,
): Found | null {
  const steps = searchSteps(file, index, needle, from, forward, blockBytes);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * findLine without holding the screen: the event loop is given back after each block, so keys and
 * redraws go on while a 100 MB output is searched. "aborted" when `signal` fired meanwhile.
 */
export async function searchFile(
  file: string,
  index: LineIndex,
  needle: string,
  from: number,
  forward = true,
  signal?: AbortSignal,
): Promise<Found | null | "aborted"> {
  const steps = searchSteps(file, index, needle, from, forward, SEARCH_BLOCK_BYTES);
  for (;;) {
    if (signal?.aborted) return "aborted";
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
